#!/usr/bin/env bash
# Every internal fzc crate in [workspace.dependencies] must carry the workspace version:
# cargo has no way to write `version.workspace` for a dependency, so this is the one check
# that keeps the two in step (docs/RELEASING.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
want=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)
bad=$(grep -E '^fzc-[a-z-]+ = \{ path = ' Cargo.toml | grep -v "version = \"$want\"" || true)
if [ -n "$bad" ]; then
  echo "error: Cargo.toml [workspace.dependencies]: internal crates whose version is not the workspace version $want:" >&2
  echo "$bad" >&2
  exit 1
fi
echo "internal dependency versions: all $want"
