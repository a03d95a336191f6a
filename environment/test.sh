#!/usr/bin/env bash
# The test command: set up what is missing, run every test project in Release, and print as the last line
# "N passed, M failed" (skipped tests are counted on the line before, with their reasons in the log).
set -u
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash environment/setup.sh

results="$root/TestResults"
rm -rf "$results"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build MotionWorkbench.sln -c Release -nologo -v q -clp:ErrorsOnly
build_rc=$?
if [ $build_rc -ne 0 ]; then
  echo "build failed (exit $build_rc)"
  echo "0 passed, 1 failed"
  exit 1
fi
dotnet test MotionWorkbench.sln -c Release --no-build -nologo -v q \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" "$@" \
  | grep -E '^\s*(Failed|Skipped) |^\s*(Error Message|Passed!|Failed!)|^\s+at |\[xUnit.net' | grep -v -E "Discover|VSTest Adapter|Starting: |Finished: " | head -400
test_rc=${PIPESTATUS[0]}

passed=0; failed=0; skipped=0; total=0
shopt -s nullglob
for trx in "$results"/*.trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed)))
  total=$((total + $(get total)))
done
skipped=$((total - passed - failed))
if [ $test_rc -ne 0 ] && [ $failed -eq 0 ]; then
  echo "dotnet test exited with $test_rc without a failed test (a crashed test host?)"
  failed=1
fi
echo "skipped: $skipped"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
