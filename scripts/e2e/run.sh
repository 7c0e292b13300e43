#!/usr/bin/env bash
# End-to-end tests in a real VS Code extension host: the extension is packaged as this platform's VSIX
# (scripts/package.mjs), installed into code-server (installed offline into .vscode-host/) with
# --install-extension, and the mocha suite in test/e2e runs inside that host against the installed copy.
# The same suite also runs through @vscode/test-electron when LENS_E2E_VSCODE names a VS Code executable or
# LENS_E2E_VSCODE_DOWNLOAD=1 allows downloading one (scripts/e2e/run-electron.js).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HOST="$ROOT/.vscode-host"
bash "$ROOT/scripts/e2e/install-code-server.sh" "$HOST" >/dev/null
cd "$ROOT"
TARGET=$(node -p 'process.platform + "-" + process.arch')
node scripts/package.mjs --target "$TARGET"
VSIX="$ROOT/release/longformer-lens-$(node -p 'require("./package.json").version')-$TARGET.vsix"
npx esbuild test/e2e/suite/index.ts test/e2e/suite/extension.test.ts test/e2e/suite/editor.test.ts test/e2e/suite/overlay.test.ts test/e2e/suite/first-run.test.ts --bundle --platform=node --target=node20 --format=cjs \
  --outdir=out/e2e --external:vscode --external:mocha --log-level=warning

WORK=$(mktemp -d /tmp/lens-e2e.XXXXXX)
STATE="$WORK/state"
trap 'bash "$ROOT/scripts/e2e/stop-code-server.sh" "$STATE"; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/workspace"
cp examples/field-report.txt "$WORK/workspace/"
# A long document nobody here wrote (about 31,000 tokens): six license texts that every Debian system ships.
cat /usr/share/common-licenses/{GPL-3,GPL-2,LGPL-2.1,Apache-2.0,MPL-2.0,GFDL-1.3} > "$WORK/workspace/licenses.txt"
node bin/longformer-lens.js synthesize --out "$WORK/models/cls" --tokenizer test/fixtures/roberta-bpe --labels negative,neutral,positive >/dev/null
node bin/longformer-lens.js synthesize --out "$WORK/models/qa" --head question-answering --tokenizer test/fixtures/roberta-bpe >/dev/null
node bin/longformer-lens.js synthesize --out "$WORK/models/no-tokenizer" >/dev/null
node bin/longformer-lens.js synthesize --out "$WORK/models/mlm" --head masked-lm --tokenizer test/fixtures/roberta-bpe >/dev/null

export LENS_E2E_CLS="$WORK/models/cls" LENS_E2E_QA="$WORK/models/qa" LENS_E2E_NO_TOKENIZER="$WORK/models/no-tokenizer"
export LENS_E2E_MLM="$WORK/models/mlm" LENS_E2E_EXAMPLES="$ROOT/test/fixtures/text-families/train"
export LENS_E2E_DOC="$WORK/workspace/field-report.txt" LENS_E2E_LONG_DOC="$WORK/workspace/licenses.txt" XDG_CACHE_HOME="$WORK/cache"
# The suite checks that the extension it drives is the installed one, from this folder.
export LENS_E2E_EXTENSIONS_DIR="$STATE/extensions"

if [ -n "${LENS_E2E_VSCODE:-}" ] || [ "${LENS_E2E_VSCODE_DOWNLOAD:-}" = 1 ]; then
  node scripts/e2e/run-electron.js --vsix "$VSIX" --tests "$ROOT/out/e2e/index.js" --folder "$WORK/workspace" --state "$WORK/electron"
else
  echo "[e2e] @vscode/test-electron: skipped. It needs a desktop VS Code build: set LENS_E2E_VSCODE to its executable," \
    "or LENS_E2E_VSCODE_DOWNLOAD=1 to let it download one (this machine reaches only npm and apt). code-server runs the suite."
fi

PORT=${LENS_E2E_PORT:-18093}
bash scripts/e2e/start-code-server.sh "$HOST" "$STATE" "$PORT" "$WORK/workspace"
"$HOST/node_modules/.bin/code-server" --config "$STATE/config.yaml" --user-data-dir "$STATE/user-data" \
  --extensions-dir "$STATE/extensions" --install-extension "$VSIX"
PLAYWRIGHT_CORE="$HOST/node_modules/playwright-core" node scripts/e2e/run-ext-tests.js \
  --server "http://127.0.0.1:$PORT" --dev "$ROOT/out/e2e" --tests "$ROOT/out/e2e/index.js" --folder "$WORK/workspace" \
  --screenshots "${LENS_E2E_SCREENSHOTS:-$ROOT/out/e2e/screenshots}" --timeout 600000
# The overlay as a person sees it (the installed VSIX), in a light and a dark theme; screenshots in out/e2e-screenshots/.
PLAYWRIGHT_CORE="$HOST/node_modules/playwright-core" node scripts/e2e/drive-overlay.js --server "http://127.0.0.1:$PORT" \
  --folder "$WORK/workspace" --file licenses.txt --model "$LENS_E2E_CLS" \
  --settings "$STATE/user-data/User/settings.json" --out "$ROOT/out/e2e-screenshots"
# The editor as a person sees it (the installed VSIX), in a light and a dark theme: a mark, the results view and a
# click on a chunk, and a reload of the window that must bring the mark back; screenshots in out/e2e-screenshots/editor/.
PLAYWRIGHT_CORE="$HOST/node_modules/playwright-core" node scripts/e2e/drive-editor.js --server "http://127.0.0.1:$PORT" \
  --folder "$WORK/workspace" --file licenses.txt --model "$LENS_E2E_CLS" \
  --settings "$STATE/user-data/User/settings.json" --out "$ROOT/out/e2e-screenshots/editor"
# The walkthrough's pictures, taken in the workbench with the installed VSIX in a light and a dark theme, each in a
# fresh browser profile; they stay in out/e2e-screenshots/walkthrough/{light,dark}/.
PLAYWRIGHT_CORE="$HOST/node_modules/playwright-core" node scripts/e2e/drive-walkthrough.js --server "http://127.0.0.1:$PORT" \
  --folder "$WORK/workspace" --file field-report.txt --cls "$LENS_E2E_CLS" --qa "$LENS_E2E_QA" \
  --settings "$STATE/user-data/User/settings.json" --out "$ROOT/out/e2e-screenshots/walkthrough"
