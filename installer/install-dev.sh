#!/usr/bin/env bash
# Builds the Deid OpenFX bundle and installs it for development, with a published `deid` and the models inside:
#
#   installer/install-dev.sh [PREFIX]
#
# PREFIX defaults to the standard OFX folder (/usr/OFX/Plugins on Linux). Afterwards OFX_PLUGIN_PATH=PREFIX makes
# any host find Deid.ofx.bundle. Models are copied from $DEID_MODELS (default ../shared/models) and verified by
# `deid models` from inside the bundle.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
prefix="${1:-/usr/OFX/Plugins}"
models="${DEID_MODELS:-$(cd "$root/.." && pwd)/shared/models}"
build="$root/build/install"

case "$(uname -s)" in
  Linux) arch=Linux-x86-64; rid=linux-x64 ;;
  Darwin) arch=MacOS; rid=osx-x64 ;;
  *) arch=Win64; rid=win-x64 ;;
esac

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target DeidOfx -j"$(nproc 2>/dev/null || echo 2)"

bundle="$prefix/Deid.ofx.bundle"
mkdir -p "$bundle/Contents/$arch" "$bundle/Contents/Resources"
cp "$build/Deid.ofx.bundle/Contents/$arch/Deid.ofx" "$bundle/Contents/$arch/Deid.ofx"

# The server the plugin starts: Contents/Resources/deid/deid, with its models beside it.
dotnet publish "$root/src/PluginHost" -c Release -r "$rid" --self-contained false -o "$bundle/Contents/Resources/deid" --nologo -v quiet
mkdir -p "$bundle/Contents/Resources/deid/models"
for model in yunet_dynamic.onnx face_recognition_resnet128_u8.onnx face_landmark68.onnx; do
  cp "$models/$model" "$bundle/Contents/Resources/deid/models/$model"
done
DEID_MODELS= "$bundle/Contents/Resources/deid/deid" models >/dev/null

echo "installed $bundle"
echo "hosts find it with: export OFX_PLUGIN_PATH=$prefix"
