#!/usr/bin/env bash
# Runs every test: the OpenFX bridge and its test host (CTest), then the engine and `deid` tests (xunit),
# against the shared models and media. DEID_MODELS / DEID_MEDIA default to the `shared` folder beside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export DEID_MODELS="${DEID_MODELS:-$(cd .. && pwd)/shared/models}"
export DEID_MEDIA="${DEID_MEDIA:-$(cd .. && pwd)/shared/media}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Analyses the tests make stay out of the user's cache.
export DEID_CACHE_DIR="${DEID_CACHE_DIR:-$(mktemp -d)/deid-cache}"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0

# The `deid` the plugin starts as its server, then the plugin, the test host and their tests.
dotnet publish src/PluginHost -c Release -o out/deid --nologo -v quiet
cmake -S . -B build/bridge -DCMAKE_BUILD_TYPE=Release -DDEID_EXECUTABLE="$root/out/deid/deid" -DDEID_MEDIA="$DEID_MEDIA" >/dev/null
cmake --build build/bridge -j"$(nproc)"
(cd build/bridge && ctest --output-on-failure) 2>&1 | tee "$log" || status=$?
if grep -qE "tests did not run|\*\*\*Skipped|Not Run" "$log"; then
  echo "some bridge tests did not run: that is a failure here" >&2
  status=1
fi
ctest_passed=$({ grep -oE '[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$log" || true; } | awk '{print $NF - $4}')
ctest_failed=$({ grep -oE '[0-9]+ tests failed out of' "$log" || true; } | awk '{print $1}')

dotnet test DeidPlugin.sln -c Release --logger "console;verbosity=normal" 2>&1 | tee "$log" || status=$?

# One closing line over all test runs.
count() { { grep -oE "^ +$1: +[0-9]+" "$log" || true; } | awk '{s+=$2} END {print s+0}'; }
passed=$(( $(count Passed) + ${ctest_passed:-0} ))
failed=$(( $(count Failed) + ${ctest_failed:-0} ))
skipped=$(count Skipped)
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -eq 0 ] && [ "$skipped" -ne 0 ]; then
  echo "skipped tests are not allowed" >&2
  status=1
fi
exit "$status"
