import assert from 'node:assert/strict';
import { LensError } from '../../../src/core/errors';
import { selectInferenceFiles, shardsOfIndex } from '../../../src/core/hub/select-files';

describe('hub file selection', () => {
  it('takes config, tokenizer files and safetensors over PyTorch', () => {
    const files = [
      '.gitattributes',
      'README.md',
      'config.json',
      'merges.txt',
      'vocab.json',
      'tokenizer.json',
      'special_tokens_map.json',
      'pytorch_model.bin',
      'model.safetensors',
      'tf_model.h5',
    ];
    const chosen = selectInferenceFiles('a/b', files);
    assert.equal(chosen.config, 'config.json');
    assert.deepEqual(chosen.tokenizer, ['tokenizer.json', 'vocab.json', 'merges.txt', 'special_tokens_map.json']);
    assert.deepEqual(chosen.weights, { kind: 'single', path: 'model.safetensors' });
  });

  it('prefers a sharded safetensors index to a single PyTorch file, and falls back to PyTorch', () => {
    assert.deepEqual(selectInferenceFiles('a/b', ['config.json', 'pytorch_model.bin', 'model.safetensors.index.json']).weights, {
      kind: 'sharded',
      indexPath: 'model.safetensors.index.json',
    });
    assert.deepEqual(selectInferenceFiles('a/b', ['config.json', 'pytorch_model.bin']).weights, {
      kind: 'single',
      path: 'pytorch_model.bin',
    });
    assert.deepEqual(selectInferenceFiles('a/b', ['config.json', 'pytorch_model.bin.index.json']).weights, {
      kind: 'sharded',
      indexPath: 'pytorch_model.bin.index.json',
    });
  });

  it('says what is missing', () => {
    assert.throws(
      () => selectInferenceFiles('a/b', ['model.safetensors']),
      (error: unknown) => error instanceof LensError && /no config\.json/.test(error.message),
    );
    assert.throws(
      () => selectInferenceFiles('a/b', ['config.json', 'tf_model.h5']),
      (error: unknown) => error instanceof LensError && error.code === 'NOT_FOUND' && /only has tf_model\.h5/.test(error.message),
    );
  });

  it('lists each shard of an index once and refuses paths that climb out', () => {
    const index = JSON.stringify({ weight_map: { a: 'model-1.safetensors', b: 'model-2.safetensors', c: 'model-1.safetensors' } });
    assert.deepEqual(shardsOfIndex('model.safetensors.index.json', index), ['model-1.safetensors', 'model-2.safetensors']);
    assert.throws(() => shardsOfIndex('i.json', JSON.stringify({ weight_map: { a: '../../etc/passwd' } })), LensError);
    assert.throws(() => shardsOfIndex('i.json', '{"weight_map": {}}'), LensError);
    assert.throws(() => shardsOfIndex('i.json', 'nope'), LensError);
  });
});
