#!/usr/bin/env bash
# Fresh machine to de-identified video in one command: installs what is missing (Debian/Ubuntu), builds `deid`,
# and renders the shared Hamilton clip (or the file given as $1) to out/<name>_deid.mp4, its redaction report beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v ffmpeg >/dev/null || ! ldconfig -p | grep -q libgtk-3.so.0; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg libgtk-3-0 >/dev/null
fi
export DEID_MODELS="${DEID_MODELS:-$(cd .. && pwd)/shared/models}"
input="${1:-$(cd .. && pwd)/shared/media/video/short_hamilton_clip.mp4}"
shift || true
name=$(basename "${input%.*}")
mkdir -p out
dotnet publish src/PluginHost -c Release -o out/deid --nologo -v quiet
# The redaction report goes beside the video unless the options name one.
report=(--report "out/${name}_deid.html")
for option in "$@"; do [ "$option" = "--report" ] && report=(); done
dotnet out/deid/deid.dll render "$input" -o "out/${name}_deid.mp4" "${report[@]}" "$@"
