// onnxruntime's own log lines stay out of a user's terminal: a model that makes onnxruntime warn ("Removing
// initializer ... not used by any node") opens silently, and LONGFORMER_LENS_DEBUG brings its lines back.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphBuilder } from '../../../src/core/graph/builder';
import { serializeModel } from '../../../src/core/graph/serialize';
import { floatTensor } from '../../../src/core/graph/tensor-data';
import { onnxruntimeLogSeverity } from '../../../src/core/runtime/providers';

describe('onnxruntime log lines', function () {
  this.timeout(60_000);
  let dir = '';
  let model = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'lens-ort-log-'));
    const b = new GraphBuilder('noisy');
    const x = b.input('x', 'float32', [2]);
    b.initializer('unused', floatTensor([1], [3]));
    b.output(x, 'y', 'float32', [2]);
    model = join(dir, 'noisy.onnx');
    writeFileSync(model, serializeModel(b.build()));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const open = (env: NodeJS.ProcessEnv): { stdout: string; stderr: string } => {
    const script = join(__dirname, 'support', 'open-session.ts');
    const result = spawnSync(process.execPath, ['--require', 'tsx/cjs', script, model], { encoding: 'utf8', env });
    assert.equal(result.status, 0, result.stderr);
    return { stdout: result.stdout, stderr: result.stderr };
  };

  it('keeps onnxruntime warnings off stderr', () => {
    const env = { ...process.env };
    delete env['LONGFORMER_LENS_DEBUG'];
    const { stdout, stderr } = open(env);
    assert.equal(stdout, 'opened\n');
    assert.doesNotMatch(stderr, /onnxruntime/);
  });

  it('shows them (and its info lines) with LONGFORMER_LENS_DEBUG=1', () => {
    const { stderr } = open({ ...process.env, LONGFORMER_LENS_DEBUG: '1' });
    assert.match(stderr, /Removing initializer 'unused'/);
    assert.equal(onnxruntimeLogSeverity({ LONGFORMER_LENS_DEBUG: '0' }), 3);
  });
});
