#!/usr/bin/env bash
# End-to-end tests in a real VS Code extension host: code-server (installed offline into .vscode-host/), the
# extension loaded with extensionDevelopmentPath, and the mocha suite in test/e2e run inside that host.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HOST="$ROOT/.vscode-host"
bash "$ROOT/scripts/e2e/install-code-server.sh" "$HOST" >/dev/null
cd "$ROOT"
node scripts/build.mjs
npx esbuild test/e2e/suite/index.ts test/e2e/suite/extension.test.ts --bundle --platform=node --target=node20 --format=cjs \
  --outdir=out/e2e --external:vscode --external:mocha --log-level=warning

WORK=$(mktemp -d /tmp/lens-e2e.XXXXXX)
STATE="$WORK/state"
trap 'bash "$ROOT/scripts/e2e/stop-code-server.sh" "$STATE"; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/workspace"
cp examples/field-report.txt "$WORK/workspace/"
node bin/longformer-lens.js synthesize --out "$WORK/models/cls" --tokenizer test/fixtures/roberta-bpe --labels negative,neutral,positive >/dev/null
node bin/longformer-lens.js synthesize --out "$WORK/models/qa" --head question-answering --tokenizer test/fixtures/roberta-bpe >/dev/null
node bin/longformer-lens.js synthesize --out "$WORK/models/no-tokenizer" >/dev/null

export LENS_E2E_CLS="$WORK/models/cls" LENS_E2E_QA="$WORK/models/qa" LENS_E2E_NO_TOKENIZER="$WORK/models/no-tokenizer"
export LENS_E2E_DOC="$WORK/workspace/field-report.txt" XDG_CACHE_HOME="$WORK/cache"
PORT=${LENS_E2E_PORT:-18093}
bash scripts/e2e/start-code-server.sh "$HOST" "$STATE" "$PORT" "$WORK/workspace"
PLAYWRIGHT_CORE="$HOST/node_modules/playwright-core" node scripts/e2e/run-ext-tests.js \
  --server "http://127.0.0.1:$PORT" --dev "$ROOT" --tests "$ROOT/out/e2e/index.js" --folder "$WORK/workspace"
