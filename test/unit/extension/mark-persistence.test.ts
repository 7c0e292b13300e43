import assert from 'node:assert/strict';
import { readSavedMarks, restoreMarks, saveMarks } from '../../../src/extension/mark-persistence';

describe('saved global-attention marks', () => {
  const text = 'The crew replanted 14 hectares of wetland after the reed canary grass was cut back.';
  const reed = { start: text.indexOf('reed canary grass'), end: text.indexOf('reed canary grass') + 17 };
  const crew = { start: 4, end: 8 };

  it('come back onto the same text', () => {
    const saved = saveMarks(text, [crew, reed]);
    assert.deepEqual(restoreMarks(text, saved), { kept: [crew, reed], dropped: 0 });
  });

  it('are dropped, and counted, when their text changed', () => {
    const saved = saveMarks(text, [crew, reed]);
    const edited = text.replace('reed canary grass', 'reed  canary grass');
    assert.deepEqual(restoreMarks(edited, saved), { kept: [crew], dropped: 1 });
  });

  it('are dropped when the document got shorter than the mark', () => {
    const saved = saveMarks(text, [reed]);
    assert.deepEqual(restoreMarks(text.slice(0, 20), saved), { kept: [], dropped: 1 });
  });

  it('read from the workspace state without trusting its shape', () => {
    const saved = saveMarks(text, [crew]);
    assert.deepEqual(readSavedMarks({ 'file:///a.txt': saved, 'file:///b.txt': 'junk', 'file:///c.txt': [{ start: 1 }] }), {
      'file:///a.txt': saved,
      'file:///c.txt': [],
    });
    assert.deepEqual(readSavedMarks(undefined), {});
  });
});
