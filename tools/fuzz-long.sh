#!/usr/bin/env bash
# The long fuzz runs of docs/fuzzing.md: each target of the fuzz preset, one at a time, for RUNS
# executions (default 10,000,000) from its seed corpus, with its dictionary. New inputs go to
# build/fuzz-long/corpus/<target>/, crashes to build/fuzz-long/artifacts/, the output to
# build/fuzz-long/<target>.log. Usage: tools/fuzz-long.sh [target...] (default: all six).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
runs="${RUNS:-10000000}"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(bpmn feel form variables jurisdiction_csv archive_line)
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
out=build/fuzz-long
mkdir -p "$out/artifacts"
for t in "${targets[@]}"; do
  mkdir -p "$out/corpus/$t"
  dict=()
  [ -f "tests/fuzz/dict/$t.dict" ] && dict=("-dict=tests/fuzz/dict/$t.dict")
  cmd=(build/fuzz/tests/fuzz/fuzz_"$t" -runs="$runs" -seed=1 -timeout=10 -print_final_stats=1
       "${dict[@]}" -artifact_prefix="$out/artifacts/$t-" "$out/corpus/$t" "tests/fuzz/corpus/$t")
  echo "== $t: ${cmd[*]}"
  start=$(date +%s)
  if "${cmd[@]}" >"$out/$t.log" 2>&1; then status="no crash"; else status="FAILED (see $out/$t.log)"; fi
  end=$(date +%s)
  grep -E "^#[0-9]+[[:space:]]+DONE|^Done [0-9]+ runs|stat::" "$out/$t.log" || true
  echo "== $t: $status, $((end - start)) s, corpus $(ls "$out/corpus/$t" | wc -l) files"
done
