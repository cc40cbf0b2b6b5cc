#!/usr/bin/env bash
# Assembles what scripts/gpu-probe.sh needs on a GPU machine that has no Node.js and no network,
# into .gpuprobe/ at the repository root (git-ignored; ~31 MiB, inside the 64 MiB a device run
# carries): the probe's parts, scripts/gpu/bench.ts bundled with the project's code and tfjs into
# one file (the `webgpu` package stays outside), Dawn's dawn.node and this machine's node binary
# (both xz-compressed), and the Vulkan/EGL loader packages from Debian.
#   scripts/gpu/build-kit.sh && then run `bash scripts/gpu-probe.sh` there, carrying .gpuprobe
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
KIT="$ROOT/.gpuprobe"
mkdir -p "$KIT/gl" "$KIT/node_modules/webgpu/dist/linux-x64"
cp "$ROOT/scripts/gpu/diag.py" "$ROOT/scripts/gpu/list-adapters.mjs" "$KIT/"
(cd "$ROOT" && npx esbuild scripts/gpu/bench.ts --bundle --platform=node --format=esm --target=node20 \
  --external:webgpu --minify-whitespace --minify-syntax --legal-comments=none --log-level=warning \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" \
  --outfile="$KIT/bench.mjs")
W="$ROOT/node_modules/webgpu"
cp "$W/package.json" "$W/index.js" "$KIT/node_modules/webgpu/"
[ -f "$KIT/node_modules/webgpu/dist/linux-x64/dawn.node.xz" ] ||
  xz -T1 -9 -c "$W/dist/linux-x64/dawn.node" > "$KIT/node_modules/webgpu/dist/linux-x64/dawn.node.xz"
[ -f "$KIT/node.xz" ] || xz -T1 -9 -c "$(readlink -f "$(command -v node)")" > "$KIT/node.xz"
if ! ls "$KIT"/gl/*.deb >/dev/null 2>&1; then
  # The loaders as Debian packages, unpacked there only if the machine lacks them.
  (cd "$KIT/gl" && apt-get download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
fi
echo "kit: $KIT, $(du -sb "$KIT" | cut -f1) bytes"
