// What a layer or head switch costs in the extension once a mode's cube is there, on a base-size model (random
// weights, longformer-base-4096 shapes) and a ~31,000-token document (six license texts from /usr/share/common-licenses,
// as the e2e suite uses): the real engine worker computes the received-attention cube once (dist/worker.js, through
// the extension's WorkerClient), then the extension's AttentionStore derives one selection after another from it
// with no worker request. The webview's drawing (about 15 ms at this length, printed by the e2e suite) comes on top.
//
//   npm run build && node --require tsx/cjs bench/attention-switch.ts
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FULL_SIZE_OPTIONS, syntheticConfig, writeSyntheticCheckpoint } from '../src/core/checkpoint/synthetic';
import { WorkerClient } from '../src/extension/worker-client';
import { AttentionStore } from '../src/extension/overlay/attention-store';
import type { OverlaySelection } from '../src/extension/overlay/messages';

const LICENSES = ['GPL-3', 'GPL-2', 'LGPL-2.1', 'Apache-2.0', 'MPL-2.0', 'GFDL-1.3'];
const TOKENIZER_FILES = ['vocab.json', 'merges.txt', 'special_tokens_map.json', 'tokenizer_config.json'];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lens-attention-switch-'));
  const client = new WorkerClient({ workerPath: join(__dirname, '..', 'dist', 'worker.js') });
  try {
    const modelDir = join(dir, 'model');
    await writeSyntheticCheckpoint(modelDir, syntheticConfig({ ...FULL_SIZE_OPTIONS, head: 'base' }), 1);
    for (const file of TOKENIZER_FILES) copyFileSync(join(__dirname, '..', 'test', 'fixtures', 'roberta-bpe', file), join(modelDir, file));
    process.env['XDG_CACHE_HOME'] = join(dir, 'cache');
    const text = LICENSES.map((name) => readFileSync(join('/usr/share/common-licenses', name), 'utf8')).join('');
    const started = performance.now();
    const cube = await client.request('attentionCube', { modelDir, provider: 'cpu', text, spans: [], mode: 'received' });
    const computed = performance.now() - started;
    process.stdout.write(
      `cube: ${cube.layers} layers x ${cube.heads} heads x ${cube.tokens} tokens (${(cube.scores.byteLength / 2 ** 20).toFixed(1)} MiB), ` +
        `computed in ${(computed / 1000).toFixed(1)} s (graph build, model load and every chunk) on ${cube.provider}\n`,
    );
    const store = new AttentionStore();
    const uri = 'file:///licenses.txt';
    // The cube is recorded with a selection that is not measured below (the store keeps the map it derives then).
    const first: OverlaySelection = { mode: 'received', layer: 5, head: 5 };
    store.putCube(uri, 1, first, cube);
    const steps: (number | 'mean')[][] = [
      [0, 0],
      [0, 'mean'],
      [11, 'mean'],
      [11, 5],
      ['mean', 5],
      ['mean', 'mean'],
      [3, 7],
    ];
    const requestsBefore = JSON.stringify(client.requestCounts());
    for (const [layer, head] of steps) {
      const selection: OverlaySelection = { mode: 'received', layer: layer!, head: head! };
      const t0 = performance.now();
      const map = store.get(uri, 1, selection);
      const ms = performance.now() - t0;
      if (map === undefined) throw new Error('the store had no cube');
      process.stdout.write(`layer ${String(layer)}, head ${String(head)}: derived in ${ms.toFixed(1)} ms\n`);
    }
    process.stdout.write(`worker requests: ${requestsBefore} before the switches, ${JSON.stringify(client.requestCounts())} after\n`);
  } finally {
    client.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
