import assert from 'node:assert/strict';
import { LensError, isLensError, throwIfCancelled } from '../../src/core/errors';

describe('LensError', () => {
  it('joins the message and the hint into one line', () => {
    const error = new LensError('BAD_CONFIG', 'config.json: attention_window must be even, got 7.', 'Fix the config.');
    assert.equal(error.describe(), 'config.json: attention_window must be even, got 7. Fix the config.');
    assert.equal(error.code, 'BAD_CONFIG');
    assert.ok(isLensError(error));
    assert.ok(!isLensError(new Error('plain')));
  });

  it('throws CANCELLED only once the signal is aborted', () => {
    const controller = new AbortController();
    throwIfCancelled(controller.signal);
    controller.abort();
    assert.throws(
      () => throwIfCancelled(controller.signal),
      (e: unknown) => isLensError(e) && e.code === 'CANCELLED',
    );
  });
});
