#!/usr/bin/env bash
# Optional: build a native TensorFlow backend for tfjs (training ~20x faster than wasm) without network access
# to TensorFlow's own download host. tfjs-node's install script downloads libtensorflow from storage.googleapis.com,
# which is unreachable here, so instead:
#   1. install @tensorflow/tfjs-node@4.22.0 with its install script disabled into .tfjs-native/ (git-ignored;
#      a separate prefix so package.json / package-lock.json stay untouched and `npm ci` cannot wipe it);
#   2. fetch the tensorflow-cpu wheel with pip (local wheel index here, PyPI elsewhere);
#   3. unpack its TensorFlow C library and headers into tfjs-node's deps/;
#   4. compile tfjs-node's N-API addon with npm's bundled node-gyp;
#   5. verify that tf.getBackend() is "tensorflow".
# lib/train/backend.ts loads tfjs-node from .tfjs-native/ when it is there. Idempotent: a verified build is kept.
# Never fatal: on any failure it prints why and exits 0 (training then runs on the wasm backend).
set -uo pipefail

TFJS_NODE_VERSION="4.22.0"
TF_WHEEL_VERSION="2.21.0"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX="$ROOT/.tfjs-native"
PKG="$PREFIX/node_modules/@tensorflow/tfjs-node"
STAMP="$PREFIX/BUILT"
WANT_STAMP="tfjs-node $TFJS_NODE_VERSION + tensorflow-cpu $TF_WHEEL_VERSION"

log() { echo "[setup-native-tfjs] $*"; }
unavailable() {
  log "native backend unavailable ($1); wasm will be used for training (slower, still correct)."
  exit 0
}
step_start() { STEP_T0=$(date +%s); log "$1 ..."; }
step_end() { log "  done in $(( $(date +%s) - STEP_T0 )) s"; }

verify() {
  (cd "$PREFIX" && TF_CPP_MIN_LOG_LEVEL=2 node -e '
    const tf = require("@tensorflow/tfjs-node");
    const b = tf.getBackend();
    const s = tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).sum().dataSync()[0];
    if (b !== "tensorflow" || s !== 12) { console.error(`backend=${b} check=${s}`); process.exit(1); }
    console.log(`tf.getBackend() = ${b}, tfjs ${tf.version.tfjs}`);
  ' 2>&1 | tail -1)
}

if [[ "$(uname -s)" != "Linux" || "$(uname -m)" != "x86_64" ]]; then
  unavailable "this recipe covers Linux x86_64 only, found $(uname -s) $(uname -m)"
fi

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$WANT_STAMP" ]] && out=$(verify); then
  log "already built: $out"
  exit 0
fi

T0=$(date +%s)
command -v npm >/dev/null || unavailable "npm not found"
PY=$(command -v python3 || command -v python) || unavailable "python3 not found (needed for pip and node-gyp)"
NPM_DIR="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
NODE_GYP="$NPM_DIR/node_modules/node-gyp/bin/node-gyp.js"
[[ -f "$NODE_GYP" ]] || unavailable "npm's bundled node-gyp not found at $NODE_GYP"
command -v g++ >/dev/null || unavailable "no C++ compiler (g++) found"
NODEDIR="$(npm config get nodedir 2>/dev/null)"
if [[ -z "$NODEDIR" || "$NODEDIR" == "undefined" || ! -f "$NODEDIR/include/node/node_api.h" ]]; then
  # Without local headers node-gyp would try to download them.
  NODEDIR="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
  [[ -f "$NODEDIR/include/node/node_api.h" ]] || unavailable "Node headers not found (looked for include/node/node_api.h under $NODEDIR)"
fi

mkdir -p "$PREFIX"
# A private package.json makes the prefix a project of its own: npm never walks up to the repo's package.json.
[[ -f "$PREFIX/package.json" ]] || echo '{ "name": "steersynth-tfjs-native", "private": true }' > "$PREFIX/package.json"

step_start "1/5 npm install @tensorflow/tfjs-node@$TFJS_NODE_VERSION (install script disabled) into .tfjs-native/"
(cd "$PREFIX" && npm install --ignore-scripts --no-audit --no-fund --no-save --no-package-lock \
  "@tensorflow/tfjs-node@$TFJS_NODE_VERSION" >"$PREFIX/npm-install.log" 2>&1) \
  || unavailable "npm install failed, see .tfjs-native/npm-install.log"
step_end

WHEEL_DIR="$PREFIX/wheel"
step_start "2/5 pip download tensorflow-cpu==$TF_WHEEL_VERSION (~250 MB)"
WHEEL=$(ls "$WHEEL_DIR"/tensorflow_cpu-"$TF_WHEEL_VERSION"-*.whl 2>/dev/null | head -1)
if [[ -z "$WHEEL" ]]; then
  "$PY" -m pip download --no-deps --retries 0 --only-binary=:all: "tensorflow-cpu==$TF_WHEEL_VERSION" -d "$WHEEL_DIR" >"$PREFIX/pip-download.log" 2>&1 \
    || unavailable "pip download failed, see .tfjs-native/pip-download.log"
  WHEEL=$(ls "$WHEEL_DIR"/tensorflow_cpu-"$TF_WHEEL_VERSION"-*.whl 2>/dev/null | head -1)
  [[ -n "$WHEEL" ]] || unavailable "pip reported success but no tensorflow_cpu wheel is in $WHEEL_DIR"
fi
step_end

step_start "3/5 unpack libtensorflow and headers into tfjs-node/deps"
rm -rf "$PKG/deps" && mkdir -p "$PKG/deps/lib" "$PKG/deps/include"
"$PY" - "$WHEEL" "$PKG/deps" <<'EOF' || unavailable "unpacking the wheel failed"
import sys, zipfile, os, shutil
wheel, deps = sys.argv[1], sys.argv[2]
libs = {"tensorflow/libtensorflow_cc.so.2", "tensorflow/libtensorflow_framework.so.2"}
with zipfile.ZipFile(wheel) as z:
    found = set()
    for info in z.infolist():
        n = info.filename
        if n in libs:
            dst = os.path.join(deps, "lib", os.path.basename(n)); found.add(n)
        elif n.startswith("tensorflow/include/") and not n.endswith("/"):
            dst = os.path.join(deps, "include", n[len("tensorflow/include/"):])
        else:
            continue
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with z.open(info) as src, open(dst, "wb") as out:
            shutil.copyfileobj(src, out)
    missing = libs - found
    if missing: sys.exit(f"wheel lacks {sorted(missing)}")
EOF
# The C and eager C APIs (TF_*, TFE_Execute) are exported by libtensorflow_cc.so.2.
ln -sf libtensorflow_cc.so.2 "$PKG/deps/lib/libtensorflow.so"
ln -sf libtensorflow_framework.so.2 "$PKG/deps/lib/libtensorflow_framework.so"
# Keep only the ~850 MB of libraries; the wheel can be fetched again.
rm -rf "$WHEEL_DIR"
step_end

step_start "4/5 compile the N-API addon with npm's node-gyp (nodedir=$NODEDIR)"
(cd "$PKG" && node "$NODE_GYP" rebuild --nodedir="$NODEDIR" --module_name=tfjs_binding \
  --module_path=./lib/napi-v8 --napi_build_version=8 >"$PREFIX/node-gyp.log" 2>&1) \
  || unavailable "node-gyp build failed, see .tfjs-native/node-gyp.log"
rm -rf "$PKG/lib/napi-v8" && mkdir -p "$PKG/lib" && cp -r "$PKG/build/lib/napi-v8" "$PKG/lib/napi-v8" \
  || unavailable "the build did not produce build/lib/napi-v8"
step_end

step_start "5/5 verify"
out=$(verify) || unavailable "verification failed: $out"
# Headers are needed only to compile (287 MB); a rebuild unpacks them again.
rm -rf "$PKG/deps/include" "$PKG/build/Release/obj.target"
echo "$WANT_STAMP" > "$STAMP"
step_end
log "$out"
log "native backend ready in $(( $(date +%s) - T0 )) s ($(du -sh "$PREFIX" | cut -f1) in .tfjs-native/)"
