#!/usr/bin/env bash
# The whole test suite: install what is missing, build the dev preset (ASan+UBSan, -Werror),
# run every test with ctest (labels: unit, scenario, conformance, recovery).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
./tools/install-deps.sh
cmake --preset dev
cmake --build --preset dev
ctest --preset dev "$@"
