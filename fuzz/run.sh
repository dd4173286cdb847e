#!/usr/bin/env bash
# Runs the cargo-fuzz targets one after another (one process each, nice'd) and prints, per
# target, the executions, exec/s, coverage and the findings libFuzzer wrote.
#
#   fuzz/run.sh                    # every target, 1,000,000 executions each
#   RUNS=200000 fuzz/run.sh geotiff mat_v5
#   MAX_TIME=300 fuzz/run.sh       # also stop each target after 300 s
#   FUZZ_FLAGS=-O fuzz/run.sh gloria   # release build: no overflow checks, as users run fzc
#                                      # (libFuzzer aborts on any panic, even one a reader's
#                                      # catch_unwind guard would contain; see RELIABILITY.md)
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz --locked`).
# The committed seeds (fuzz/corpus/<target>/) are read only: new inputs go to
# fuzz/work/<target>/ (git-ignored). Findings go to fuzz/artifacts/<target>/; minimise one with
# `cargo +nightly fuzz tmin <target> <file>` and commit it under fuzz/regressions/<target>/,
# where tests/tests/fuzz_replay.rs replays it under `cargo test`.
set -euo pipefail
cd "$(dirname "$0")"
RUNS="${RUNS:-1000000}"
read -r -a FLAGS <<< "${FUZZ_FLAGS:-}"
MAX_TIME="${MAX_TIME:-0}"
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
    TARGETS=(geotiff mat_v5 ceads_mat pymrio_folder mrio_csv geojson_regions
             shapefile_regions scenario_toml csv_tables mrio_zip oecd_icio eora26 mat_v73
             gloria ceads_xlsx)
fi
nice -n 10 cargo +nightly fuzz build "${FLAGS[@]}" >/dev/null
mkdir -p logs
for t in "${TARGETS[@]}"; do
    mkdir -p "work/$t" "artifacts/$t"
    before=$(ls "artifacts/$t" | wc -l)
    log="logs/$t.log"
    set +e
    nice -n 10 cargo +nightly fuzz run "${FLAGS[@]}" "$t" "work/$t" "corpus/$t" -- \
        -runs="$RUNS" -max_total_time="$MAX_TIME" -rss_limit_mb=2048 -malloc_limit_mb=2048 \
        -timeout=10 -print_final_stats=1 -close_fd_mask=1 >"$log" 2>&1
    rc=$?
    set -e
    after=$(ls "artifacts/$t" | wc -l)
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    rss=$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1 || true)
    echo "$t: exit $rc, ${execs} executions, ${speed} exec/s, peak RSS ${rss} MB, ${cov:-cov ?}, findings $((after - before)) (artifacts/$t/)"
    grep -m1 -E '^==[0-9]+== ERROR|panicked at|out-of-memory|deadly signal|timeout after' "$log" | sed 's/^/    /' || true
done
