#!/usr/bin/env bash
# The main job: install what is missing, build (release), then open an SE period of D02.03:
# generate a sample jurisdiction, start one instance per school, and print where they stand and
# what each role has to do next. Then the period passes month by month on a simulated clock
# (`pmiflow run --clock simulated --autopilot`): the autopilot answers the open tasks, the
# follow-ups come each month, the end of the period and the SE's deadline pass, and the summary
# is printed at each month; schools that never evaluate still reach activity 10.
#
#   ./tools/demo.sh                     300 schools of Antioquia, seed 2026, next year's period
#   SCHOOLS=40 SEED=7 ETC=Boyacá PERIOD=2027-1 ./tools/demo.sh
#   MONTHS=0 ./tools/demo.sh            only open the period
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
# The next period: its calendar lies ahead of the instances' start (today).
period="${PERIOD:-$(($(date +%Y) + 1))}"
months="${MONTHS:-12}"
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

# The period month by month: from its opening (February, or July for YYYY-2) to after the
# SE's deadline.
year="${period:0:4}"
if [[ "$period" == *-2 ]]; then opening="$year-07-15"; else opening="$year-02-01"; fi
from="${opening}T08:00:00"
for ((month = 1; month <= months; month++)); do
  until="$(date -d "$opening +$month month" +%Y-%m-%d)T08:00:00"
  echo
  echo "\$ pmiflow run --clock simulated --from $from --until $until --autopilot"
  "$pmiflow" run --clock simulated --from "$from" --until "$until" --autopilot
  echo
  echo "\$ pmiflow summary --period $period"
  "$pmiflow" summary --period "$period"
  from="$until"
done
echo
echo "database: $PMIFLOW_DB$([[ "$PMIFLOW_DB" == "$work/"* ]] && echo ' (temporary)')"
echo "next: pmiflow tasks --role profesional_mejoramiento; pmiflow complete TASK --as ROLE ...;"
echo "      pmiflow report evaluacion --period $period; ./tools/demo.sh --school walks one school"
