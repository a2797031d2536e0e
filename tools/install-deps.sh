#!/usr/bin/env bash
# Installs what pmiflow needs to build and test on Debian 12, from Debian's packages only
# (and bpmn-moddle from the npm registry for the BPMN-DI check). Skips what is present.
set -euo pipefail

packages=(cmake ninja-build g++ pkg-config clang-format
          libboost-dev libpugixml-dev libsqlite3-dev libspdlog-dev nlohmann-json3-dev
          libcli11-dev libssl-dev libgtest-dev libgmock-dev sqlite3 libjemalloc-dev
          libhowardhinnant-date-dev tzdata   # time zones (engine/time/zone.h)
          clang-14 libfuzzer-14-dev   # the fuzz and tsan presets (docs/fuzzing.md)
          clang-tidy-14)              # the lint test (.clang-tidy)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# bpmn-moddle (the parser of bpmn.io and Camunda Modeler) for tests/bpmn_check.
here="$(cd "$(dirname "$0")" && pwd)"
if [ ! -d "$here/bpmn-check/node_modules/bpmn-moddle" ]; then
  (cd "$here/bpmn-check" && npm ci --no-audit --no-fund --loglevel=error) ||
    echo "warning: npm ci failed; the bpmn-moddle check will be skipped" >&2
fi
