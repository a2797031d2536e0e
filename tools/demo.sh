#!/usr/bin/env bash
# The main job: install what is missing, build (release), run D02.03 for a sample school from
# start to end, printing each step. Extra arguments go to `pmiflow demo`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
./tools/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target pmiflow
./build/release/tools/pmiflow demo "$@"
