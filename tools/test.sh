#!/usr/bin/env bash
# The whole test suite: install what is missing, build the dev preset (ASan+UBSan, -Werror),
# run every test with ctest (labels: unit, scenario, conformance, recovery, lint); build the
# tsan preset (clang, ThreadSanitizer, thread-safety analysis) and run the tests of the layers
# that run threads (label concurrency); then build the fuzz preset (clang, libFuzzer) and run
# each fuzz target for FUZZ_SECONDS seconds (default 20) from its seed corpus (label fuzz;
# docs/fuzzing.md). Arguments go to the dev preset's ctest.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
./tools/install-deps.sh
cmake --preset dev
cmake --build --preset dev
ctest --preset dev "$@"
cmake --preset tsan
cmake --build --preset tsan
ctest --preset tsan
cmake --preset fuzz -DPMIFLOW_FUZZ_SECONDS="${FUZZ_SECONDS:-20}"
cmake --build --preset fuzz
ctest --preset fuzz
