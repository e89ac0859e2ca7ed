#!/usr/bin/env bash
# Runs every test of the solution against the shared models and media.
# DEID_MODELS / DEID_MEDIA default to the `shared` folder beside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEID_MODELS="${DEID_MODELS:-$(cd .. && pwd)/shared/models}"
export DEID_MEDIA="${DEID_MEDIA:-$(cd .. && pwd)/shared/media}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test DeidPlugin.sln -c Release --logger "console;verbosity=normal" 2>&1 | tee "$log" || status=$?

# One closing line over all test assemblies.
count() { { grep -oE "^ +$1: +[0-9]+" "$log" || true; } | awk '{s+=$2} END {print s+0}'; }
passed=$(count Passed)
failed=$(count Failed)
skipped=$(count Skipped)
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -eq 0 ] && [ "$skipped" -ne 0 ]; then
  echo "skipped tests are not allowed" >&2
  status=1
fi
exit "$status"
