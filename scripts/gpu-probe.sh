#!/usr/bin/env bash
# The webgpu engine on a headless NVIDIA machine, in one short run (< 2 minutes, no network):
# what the machine offers (nvidia-smi, NVIDIA_DRIVER_CAPABILITIES, Vulkan ICD files, the
# libvulkan / GLX_nvidia / EGL_nvidia libraries), Dawn's adapters on each backend, and — when a
# hardware adapter appears — the cpu equivalence check, what an iteration issues, and the DCGAN's
# speed at batch 64 and 256 with a per-kernel profile (scripts/gpu/bench.ts).
#
# Needs the kit in .gpuprobe/ (scripts/gpu/build-kit.sh builds it here; it carries Node.js,
# dawn.node, the bundled benchmark and the Vulkan/EGL loaders, ~31 MiB). On the machine:
#   bash scripts/gpu-probe.sh            (output also in $OUT/gpu-probe.log when $OUT is set)
# Every step has a time limit and the script never stops at a failed step: it always says what
# was missing. Loader packages are unpacked into / only on an NVIDIA machine that lacks libvulkan.so.1.
set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KIT="$ROOT/.gpuprobe"
if [ -z "${GPU_PROBE_INNER:-}" ] && [ -n "${OUT:-}" ] && [ -d "${OUT:-}" ]; then
  GPU_PROBE_INNER=1 bash "$0" "$@" 2>&1 | tee "$OUT/gpu-probe.log"
  exit "${PIPESTATUS[0]}"
fi
exec 2>&1
T0=$(date +%s)
step() { echo; echo "===== [$(($(date +%s) - T0))s] $*"; }
run() { # run <seconds> <command...>: never fails the script, says how it ended
  local s=$1; shift
  timeout -k 5 "$s" "$@"; local rc=$?
  [ $rc -eq 0 ] || echo "   -> exit $rc$([ $rc -eq 124 ] && echo ' (timed out)')"
  return 0
}
unxz_to() { # xz if present, else python3's lzma
  if command -v xz >/dev/null; then xz -dc "$1" > "$2"
  else python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2],"wb"))' "$1" "$2"; fi
}
[ -d "$KIT" ] || { echo "no kit in $KIT: run scripts/gpu/build-kit.sh first and carry .gpuprobe"; exit 2; }

step "machine"
uname -a; grep -E '^PRETTY_NAME=' /etc/os-release 2>/dev/null; echo "cores: $(nproc)"; ldd --version 2>/dev/null | head -1
step "nvidia-smi"
run 20 nvidia-smi
step "container environment"
echo "NVIDIA_DRIVER_CAPABILITIES=${NVIDIA_DRIVER_CAPABILITIES-<unset>}"
echo "NVIDIA_VISIBLE_DEVICES=${NVIDIA_VISIBLE_DEVICES-<unset>}"
env | grep -E '^(LD_LIBRARY_PATH|VK_|EGL_|__EGL|__GLX|DISPLAY|WAYLAND)' | sort
ls -l /dev/nvidia* /dev/dri 2>&1 | head -12

step "Vulkan ICD and EGL vendor files"
for d in /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/share/vulkan/icd.d /usr/local/nvidia/share/vulkan/icd.d \
  /usr/share/glvnd/egl_vendor.d /etc/glvnd/egl_vendor.d /usr/local/nvidia/share/glvnd/egl_vendor.d; do
  if [ -d "$d" ]; then
    echo "-- $d"
    for f in "$d"/*.json; do [ -f "$f" ] && { echo "   $f: $(tr -d '\n' < "$f" | tr -s ' ' | cut -c1-240)"; }; done
  else echo "-- $d: absent"; fi
done

step "driver and loader libraries"
ldconfig -p | grep -E 'libvulkan|libEGL|libGLX|libnvidia-(gl|egl)|libcuda\.so' | sed 's/^/   /'
for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/x86_64-linux-gnu; do
  [ -d "$d" ] && ls "$d" 2>/dev/null | grep -E '^lib(GLX_nvidia|EGL_nvidia|nvidia-glcore|nvidia-eglcore|vulkan|EGL)\.so' |
    sed "s|^|   $d/|"
done

step "loaders: the carried Debian packages, unpacked only if libvulkan.so.1 is missing"
if ldconfig -p | grep -q 'libvulkan.so.1'; then echo "libvulkan.so.1 present"
elif ! ls /dev/nvidia[0-9]* >/dev/null 2>&1; then echo "no NVIDIA device here: not unpacking anything into /"
else
  for f in "$KIT"/gl/*.deb; do echo "dpkg -x $(basename "$f") /"; run 30 dpkg -x "$f" /; done
  run 30 ldconfig
fi
# Dawn's OpenGL ES backend opens the unversioned libEGL.so (a -dev symlink): make one.
mkdir -p /tmp/gllink
egl1=$(ldconfig -p | awk '/libEGL.so.1 /{print $NF; exit}')
[ -n "$egl1" ] && ln -sf "$egl1" /tmp/gllink/libEGL.so
export LD_LIBRARY_PATH="/tmp/gllink${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do
  [ -d "$d" ] && ! ldconfig -p | grep -q libGLX_nvidia && export LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$d"
done
# Point the loaders at NVIDIA's manifests when the standard folders have none.
if ! ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json >/dev/null 2>&1 &&
  [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  export VK_ICD_FILENAMES=$VK_DRIVER_FILES
fi
if ! ls /usr/share/glvnd/egl_vendor.d/*nvidia*.json /etc/glvnd/egl_vendor.d/*nvidia*.json >/dev/null 2>&1 &&
  [ -f /usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json ]; then
  export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
fi
env | grep -E '^(LD_LIBRARY_PATH|VK_DRIVER_FILES|__EGL_VENDOR_LIBRARY_FILENAMES)=' | sed 's/^/   /'

step "Vulkan and EGL through the C loaders (python3 ctypes)"
run 30 python3 "$KIT/diag.py"

step "Node.js and dawn.node"
if ! command -v node >/dev/null; then
  mkdir -p /tmp/node/bin && unxz_to "$KIT/node.xz" /tmp/node/bin/node && chmod +x /tmp/node/bin/node
  export PATH="/tmp/node/bin:$PATH"
fi
run 10 node -e 'console.log(process.version, process.arch)'
DN="$KIT/node_modules/webgpu/dist/linux-x64/dawn.node"
[ -f "$DN" ] || unxz_to "$DN.xz" "$DN"
ldd "$DN" | grep -v '=> /' | sed 's/^/   /'

step "Dawn's adapters on each backend (one process each)"
cd "$KIT" || exit 1
run 40 node list-adapters.mjs vulkan
for platform in surfaceless device; do EGL_PLATFORM=$platform run 40 node list-adapters.mjs opengles; done

step "equivalence with the cpu engine, what an iteration issues, DCGAN speed at batch 64 and 256, profile (hardware adapters only)"
# Timestamp queries let tfjs time each kernel on the GPU while profiling.
export GAN_WEBGPU_FLAGS="enable-dawn-features=allow_unsafe_apis"
run 150 node bench.mjs --ab
step "tfjs's webgpu flags: a longer command batch before each submit; no small ops forwarded to the CPU"
run 60 node bench.mjs --no-equivalence --no-counts --batches 64 --models dcgan --tfjs-flags WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=128
run 60 node bench.mjs --no-equivalence --no-counts --batches 64 --models dcgan --tfjs-flags WEBGPU_CPU_FORWARD=false
step "where the JavaScript time goes: a CPU profile of 40 iterations at batch 64"
if [ -n "${OUT:-}" ]; then
  run 60 node --cpu-prof --cpu-prof-dir="$OUT/cpuprofile" bench.mjs --no-equivalence --no-counts --batches 64 --models dcgan --reps 40
  ls -l "$OUT/cpuprofile"
fi
step "done in $(($(date +%s) - T0))s"
