// Done-when of the legacy format: every reference case of every fixture, with the checkpoint rewritten as a legacy
// torch.save file (shared storages, a transposed weight, view_metadata, a position_ids buffer), gives the same
// numbers through `longformer-lens run` as the original checkpoint, and those numbers match HuggingFace's.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSafetensors } from '../../src/core/checkpoint/safetensors';
import { flatten, type JsonTensor, type PlainOutputName, readReference } from '../support/reference';
import { runRequest } from '../support/run-cli';
import { encodeLegacyShared, FIXTURE_CASES, FIXTURES, type RawTensor } from '../unit/checkpoint/support/checkpoint-files';

const OUTPUTS: Record<(typeof FIXTURE_CASES)[number], string[]> = {
  'base-tiny': ['last_hidden_state', 'attentions', 'global_attentions'],
  'cls-tiny': ['logits', 'attentions', 'global_attentions'],
  'qa-tiny': ['start_logits', 'end_logits', 'attentions', 'global_attentions'],
};

describe('legacy torch.save checkpoints through `run`', function () {
  this.timeout(600_000);
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lens-legacy-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const name of FIXTURE_CASES) {
    it(`${name}: every reference case gives the original checkpoint's numbers`, async () => {
      const legacy = join(dir, name);
      await mkdir(legacy);
      await copyFile(join(FIXTURES, name, 'config.json'), join(legacy, 'config.json'));
      const stored = readSafetensors(readFileSync(join(FIXTURES, name, 'model.safetensors')), name);
      const raw = new Map<string, RawTensor>(
        [...stored].map(([key, { tensor }]) => [
          key,
          { dtype: 'F32', shape: tensor.shape, bytes: new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength) },
        ]),
      );
      await writeFile(join(legacy, 'pytorch_model.bin'), encodeLegacyShared(raw, 64));

      const reference = readReference(name);
      for (const input of reference.inputs) {
        const request = join(dir, `${name}-${input.name}.json`);
        await writeFile(
          request,
          JSON.stringify({
            input_ids: input.input_ids,
            attention_mask: input.attention_mask,
            ...(input.global_attention_mask_omitted ? {} : { global_attention_mask: input.global_attention_mask }),
            outputs: OUTPUTS[name],
          }),
        );
        const answers: Record<string, unknown>[] = [];
        for (const [label, model] of [
          ['original', join(FIXTURES, name)],
          ['legacy', legacy],
        ] as const) {
          const out = join(dir, `${name}-${input.name}-${label}.out.json`);
          // Separate graph caches, so the legacy checkpoint's graph is built from its own weights.
          const run = await runRequest({ model, request, out, cacheDir: join(dir, `cache-${label}`) });
          assert.equal(run.code, 0, run.stderr);
          answers.push(JSON.parse(await readFile(out, 'utf8')) as Record<string, unknown>);
        }
        assert.deepEqual(answers[1], answers[0], `${name} ${input.name}: the legacy checkpoint's outputs differ`);
        // And they are HuggingFace's numbers, not merely the same wrong ones.
        const first = OUTPUTS[name][0] as PlainOutputName;
        const ours = flatten((answers[1]![first] as JsonTensor).data);
        const theirs = flatten(input.outputs[first]?.data);
        assert.equal(ours.length, theirs.length);
        const worst = Math.max(...ours.map((value, index) => Math.abs(value - theirs[index]!)));
        assert.ok(worst <= 1e-4, `${name} ${input.name}: ${first} differs from HuggingFace by ${worst}`);
      }
    });
  }
});
