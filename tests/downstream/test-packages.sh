#!/usr/bin/env bash
# Runs each library crate's own tests from its packaged .crate, as a user of the published
# crate would get it: `cargo package` builds the tarballs, they are unpacked into a scratch
# workspace whose [patch.crates-io] points the fzc-* dependencies at the unpacked packages,
# and `cargo test` runs there. A test or example that reads a file outside its package fails
# here (it passes in the repository, where ../../tests/fixtures exists). docs/RELEASING.md.
#
#   bash tests/downstream/test-packages.sh [SCRATCH_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
crates=(fzc-core fzc-zoning fzc-pricing fzc-ect-mrio fzc-cssf-flow fzc-io fzc-plugin-api)
scratch=${1:-$root/target/package-tests}
version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)
args=()
for c in "${crates[@]}"; do args+=(-p "$c"); done
cargo package --allow-dirty --no-verify "${args[@]}"
rm -rf "$scratch/src"
mkdir -p "$scratch/src"
members=""
patches=""
for c in "${crates[@]}"; do
  tar -xzf "target/package/$c-$version.crate" -C "$scratch/src"
  members+="\"src/$c-$version\", "
  patches+="$c = { path = \"src/$c-$version\" }"$'\n'
done
cat > "$scratch/Cargo.toml" <<TOML
[workspace]
resolver = "3"
members = [${members%, }]

[patch.crates-io]
$patches
# As in fzc's own dev profile (docs/RELEASING.md): faer is ~29x slower unoptimised.
[profile.dev.package."*"]
opt-level = 3
TOML
cp Cargo.lock "$scratch/Cargo.lock" 2>/dev/null || true
cd "$scratch"
cargo test --workspace
echo "the packaged crates' own tests pass from their tarballs: ${crates[*]}"
