// A predicate for assert.throws / assert.rejects: the error is a LensError with this code and a matching message.
import assert from 'node:assert/strict';
import { isLensError, type LensErrorCode } from '../../src/core/errors';

export function lensError(code: LensErrorCode, pattern: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(isLensError(error), `expected a LensError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return true;
  };
}
