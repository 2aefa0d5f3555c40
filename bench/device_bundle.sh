#!/bin/bash
# Packs apical for a machine without its libraries (the 16-core device machine,
# which has no Debian packages and no network): an x86-64-v4 (AVX-512) build,
# every shared library it loads, the loader itself, and a wrapper that starts
# it with them. Writes .devrun/ (ignored by git); then, on that machine, from
# the repository root: bash bench/device_scaling.sh
#
#     bash bench/device_bundle.sh [BUILD_DIR]      # default /tmp/build_v4
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-/tmp/build_v4}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DAPICAL_NATIVE=OFF -DAPICAL_TESTS=OFF \
  -DAPICAL_PYTHON=OFF -DCMAKE_CXX_FLAGS=-march=x86-64-v4 > /dev/null
cmake --build "$build" -j2 --target apical
rm -rf .devrun && mkdir -p .devrun/lib
cp "$build/apical" .devrun/apical_v4 && strip .devrun/apical_v4
for f in $(ldd .devrun/apical_v4 | awk '/=>/ {print $3} /ld-linux/ {print $1}'); do cp -L "$f" .devrun/lib/; done
cat > .devrun/apical <<'WRAP'
#!/bin/sh
# apical with its own loader and libraries; the x86-64-v4 build, or the build
# named by APICAL_VARIANT (a file beside this one)
d=$(dirname "$(readlink -f "$0")")
grep -q avx512f /proc/cpuinfo || { echo "no AVX-512 on this CPU: the bundled build needs it" >&2; exit 3; }
exec "$d/lib/ld-linux-x86-64.so.2" --library-path "$d/lib" "$d/${APICAL_VARIANT:-apical_v4}" "$@"
WRAP
chmod +x .devrun/apical
du -sh .devrun
