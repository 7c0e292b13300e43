#!/usr/bin/env bash
# The command line as people install it: `npm pack`, then `npm install -g` of the tarball into a temporary prefix,
# then `info` and `classify` run from a folder outside the checkout, with no network where `unshare -n` is allowed.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/lens-cli-install.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$ROOT"
npm pack --silent --pack-destination "$WORK" >/dev/null
TGZ=$(ls "$WORK"/longformer-lens-*.tgz)
echo "[cli-install] $(basename "$TGZ"): $(tar tzf "$TGZ" | tr '\n' ' ')"
# --prefer-offline: the tarballs come from npm's cache (npm ci filled it); npm asks the registry only for version
# lists it has not cached. ONNXRUNTIME_NODE_INSTALL=skip: onnxruntime-node's postinstall would otherwise download
# the CUDA provider on linux-x64.
(cd "$WORK" && ONNXRUNTIME_NODE_INSTALL=skip npm install -g --prefix "$WORK/prefix" --prefer-offline --no-audit \
  --no-fund "$TGZ" >/dev/null 2>&1)
INSTALLED="$WORK/prefix/lib/node_modules/longformer-lens"
DEPS=$(ls "$INSTALLED/node_modules" | tr '\n' ' ')
echo "[cli-install] installed dependencies: $DEPS"
for dev in commander typescript mocha esbuild undici; do
  if [ -e "$INSTALLED/node_modules/$dev" ]; then echo "[cli-install] $dev is bundled into dist/cli.js and must not be installed"; exit 1; fi
done

mkdir -p "$WORK/elsewhere" "$WORK/home"
cp examples/field-report.txt "$WORK/elsewhere/report.txt"
cp -r test/fixtures/roberta-bpe "$WORK/elsewhere/tokenizer"
NET=()
if unshare -n true 2>/dev/null; then NET=(unshare -n); fi
lens() {
  (cd "$WORK/elsewhere" && env -i PATH="$WORK/prefix/bin:$(dirname "$(command -v node)"):/usr/bin:/bin" HOME="$WORK/home" \
    HF_HUB_OFFLINE=1 "${NET[@]}" longformer-lens "$@")
}
expect() {
  local pattern=$1; shift
  local out
  out=$(lens "$@" 2>&1) || { echo "[cli-install] longformer-lens $* failed:"; echo "$out"; exit 1; }
  grep -qE "$pattern" <<<"$out" || { echo "[cli-install] longformer-lens $* did not print /$pattern/:"; echo "$out"; exit 1; }
}
VERSION=$(node -p 'require("./package.json").version')
expect "^$VERSION\$" --version
expect 'model$' synthesize --out model --tokenizer tokenizer --labels negative,neutral,positive
expect 'LongformerForSequenceClassification' info --model model
expect '(negative|neutral|positive)' classify --model model report.txt
# The WebAssembly runtime the tarball carries for platforms without an onnxruntime-node binding (darwin-x64).
expect 'provider wasm' classify --model model --provider wasm report.txt
echo "[cli-install] the tarball installs and runs outside the checkout${NET:+ without network} (${SECONDS}s)"
