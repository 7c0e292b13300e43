import assert from 'node:assert/strict';
import { workerLogLines } from '../../../src/extension/worker-log';

describe('engine log lines', () => {
  it('removes terminal colour codes', () => {
    assert.deepEqual(workerLogLines('\x1b[1;31mfailed\x1b[m to open\x1b[K\n'), [{ level: 'info', text: 'failed to open' }]);
  });

  it("puts onnxruntime's native warnings at debug level and keeps the engine's own lines at info", () => {
    const chunk =
      '\x1b[0;93m2026-11-30 21:54:46.123 [W:onnxruntime:, session_state.cc:1280 VerifyEachNodeIsAssignedToAnEp] Some nodes were not assigned\x1b[m\n' +
      'unloaded /models/a (least recently used)\r\n\n';
    assert.deepEqual(workerLogLines(chunk), [
      {
        level: 'debug',
        text: '2026-11-30 21:54:46.123 [W:onnxruntime:, session_state.cc:1280 VerifyEachNodeIsAssignedToAnEp] Some nodes were not assigned',
      },
      { level: 'info', text: 'unloaded /models/a (least recently used)' },
    ]);
  });
});
