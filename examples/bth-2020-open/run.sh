#!/bin/sh
# Runs the CSSF layer on this example's open inputs. Usage: sh run.sh [OUT_DIR] [extra fzc args]
# (e.g. `sh run.sh out-supply --mass supply`). Needs `fzc` on PATH or FZC=path/to/fzc.
# The whole scheme (zoning, ledger, report) from these inputs is a scenario:
#   fzc run examples/bth-2020-open/scenario.toml
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=$here/../../crates/cssf-flow/data
out=${1:-$here/out}
[ $# -gt 0 ] && shift
"${FZC:-fzc}" cssf run \
  --regions "$here/../bth-2020/boundaries" \
  --lulc "$here/landcover-bth.tif" --raster-crs EPSG:4326 \
  --lulc-map "$data/igbp-to-paper-classes.csv" \
  --pools "$data/paper-pools.csv" \
  --emissions "$here/emissions.csv" --emissions-unit Mt \
  --census "$here/census.csv" \
  --class-weights "$data/dasymetric-weights.csv" \
  --out "$out" "$@"
