#!/usr/bin/env bash
# Runs every notebook in notebooks/ headless at a preset (default Smoke) and writes the HTML reports, the executed
# notebooks and index.html to reports/ (results: runs/notebooks/<notebook>-<preset>/). Exit code 1 when any cell failed.
#   environment/notebooks.sh [Smoke|Laptop|Paper] [extra mw notebook run-all options, e.g. --cell-timeout 600]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
preset="${1:-Smoke}"
shift || true
# The notebooks #r the Experiments library's Release output (it holds every workbench dll).
dotnet build "$root/lib/MotionWorkbench.Experiments/MotionWorkbench.Experiments.csproj" -c Release -nologo -v q -clp:"ErrorsOnly;NoSummary" >&2
start=$(date +%s)
status=0
"$root/environment/mw" notebook run-all "$root/notebooks" --param "preset=$preset" --html "$root/reports" "$@" || status=$?
echo "notebooks at $preset: $(( $(date +%s) - start )) s; reports in $root/reports/index.html" >&2
exit $status
