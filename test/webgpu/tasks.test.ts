// Classification and question answering end to end on WebGPU, against the same tasks on the CPU: the document is cut
// into several chunks, so every chunk's run on the GPU counts. Runs only in `npm run test:webgpu`.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEngine, type OpenedEngine } from '../../src/core/runtime/open';
import { answer } from '../../src/core/tasks/answer';
import { classify } from '../../src/core/tasks/classify';
import { loadTokenizer } from '../../src/core/tokenizer';
import type { RobertaTokenizer } from '../../src/core/tokenizer/tokenizer';
import { writeTaskCheckpoint } from '../integration/support-checkpoint';
import { syntheticDocument } from '../unit/tasks/helpers';

/** Probabilities and answer scores: fp32 on both providers, summed in another order on the GPU. */
const TOLERANCE = 1e-4;

describe('document tasks on WebGPU agree with the CPU', function () {
  let dir: string;
  let tokenizer: RobertaTokenizer;
  const engines: OpenedEngine[] = [];
  const text = `${syntheticDocument(120, 31)}\n\nThe zebra crossing is near the station.\n\n${syntheticDocument(120, 32)}`;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lens-webgpu-tasks-'));
    await writeTaskCheckpoint(join(dir, 'cls'), 'sequence-classification', 41, {
      maxPositionEmbeddings: 130,
      attentionWindow: 16,
      labels: ['a', 'b', 'c'],
    });
    await writeTaskCheckpoint(join(dir, 'qa'), 'question-answering', 42, { maxPositionEmbeddings: 130, attentionWindow: 16 });
    tokenizer = loadTokenizer(join(dir, 'cls'));
  });

  after(async () => {
    for (const engine of engines) await engine.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const open = async (model: string, provider: 'cpu' | 'webgpu'): Promise<OpenedEngine> => {
    const engine = await openEngine(join(dir, model), { provider, cacheDir: join(dir, 'cache') });
    engines.push(engine);
    assert.equal(engine.provider, provider, engine.providerNote);
    return engine;
  };

  it('classify: the same label and probabilities, per chunk too', async () => {
    const spans = [{ start: text.indexOf('zebra'), end: text.indexOf('zebra') + 5 }];
    const cpu = await classify(await open('cls', 'cpu'), tokenizer, text, { spans });
    const gpu = await classify(await open('cls', 'webgpu'), tokenizer, text, { spans });
    assert.equal(gpu.provider, 'webgpu');
    assert.ok(gpu.chunks.length >= 3, `only ${gpu.chunks.length} chunks`);
    assert.equal(gpu.label, cpu.label);
    gpu.chunks.forEach((chunk, c) =>
      chunk.probabilities.forEach((p, i) => {
        const diff = Math.abs(p - cpu.chunks[c]!.probabilities[i]!);
        assert.ok(diff <= TOLERANCE, `chunk ${c} label ${i}: |diff| ${diff}`);
      }),
    );
  });

  it('ask: the same answers with the same scores', async () => {
    const question = 'Where is the zebra crossing?';
    const cpu = await answer(await open('qa', 'cpu'), tokenizer, question, text, { topK: 5 });
    const gpu = await answer(await open('qa', 'webgpu'), tokenizer, question, text, { topK: 5 });
    assert.equal(gpu.provider, 'webgpu');
    assert.equal(gpu.answers.length, cpu.answers.length);
    gpu.answers.forEach((a, i) => {
      const b = cpu.answers[i]!;
      assert.deepEqual([a.start, a.end, a.chunk], [b.start, b.end, b.chunk], `answer ${i}`);
      assert.ok(Math.abs(a.score - b.score) <= TOLERANCE, `answer ${i}: |diff| ${Math.abs(a.score - b.score)}`);
    });
  });
});
