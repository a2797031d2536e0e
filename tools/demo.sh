#!/usr/bin/env bash
# The main job: install what is missing, build (release), then open an SE period of D02.03:
# generate a sample jurisdiction, start one instance per school, and print where they stand and
# what each role has to do next.
#
#   ./tools/demo.sh                     300 schools of Antioquia, seed 2026, period 2026
#   SCHOOLS=40 SEED=7 ETC=Boyacá PERIOD=2026-1 ./tools/demo.sh
#   PMIFLOW_DB=se.db ./tools/demo.sh    keep the database (default: a temporary one)
#   ./tools/demo.sh --school [DANE]     the one-school walk-through, from start to end
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
./tools/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target pmiflow
pmiflow="$root/build/release/tools/pmiflow"

if [[ "${1:-}" == "--school" ]]; then
  shift
  exec "$pmiflow" demo ${1:+--school "$1"}
fi

schools="${SCHOOLS:-300}"
seed="${SEED:-2026}"
etc="${ETC:-Antioquia}"
period="${PERIOD:-2026}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export PMIFLOW_DB="${PMIFLOW_DB:-$work/pmiflow.db}"
csv="$work/jurisdiccion.csv"

echo "== D02.03 Apoyar la gestión de los PMI: the SE opens period $period =="
echo
echo "\$ pmiflow sample-jurisdiction --schools $schools --seed $seed --etc $etc --out jurisdiccion.csv"
"$pmiflow" sample-jurisdiction --schools "$schools" --seed "$seed" --etc "$etc" --out "$csv"
echo
echo "\$ pmiflow deploy process-definitions/d02_03_apoyar_gestion_pmi.bpmn"
"$pmiflow" deploy process-definitions/d02_03_apoyar_gestion_pmi.bpmn
echo
echo "\$ pmiflow start --process D02_03_ApoyarGestionPMI --from-csv jurisdiccion.csv --period $period"
"$pmiflow" start --process D02_03_ApoyarGestionPMI --from-csv "$csv" --period "$period"
echo
echo "\$ pmiflow summary --period $period"
"$pmiflow" summary --period "$period"
echo
echo "database: $PMIFLOW_DB$([[ "$PMIFLOW_DB" == "$work/"* ]] && echo ' (temporary)')"
echo "next: pmiflow tasks --role profesional_mejoramiento; pmiflow complete TASK --as ROLE ...;"
echo "      ./tools/demo.sh --school walks one school from start to end"
