import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openJsonlFile, readFinished, resumeKey } from '../../../src/cli/batch/jsonl-output';

describe('batch JSONL output', () => {
  let dir: string;
  let out: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lens-jsonl-'));
    out = join(dir, 'out.jsonl');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const line = (value: object): string => `${JSON.stringify(value)}\n`;

  it('finishes results and input errors, retries engine failures and unread files', async () => {
    writeFileSync(
      out,
      line({ path: 'a.txt', sha256: 'aa', label: 'x' }) +
        line({ path: 'b.txt', sha256: 'bb', error: { code: 'BAD_DOCUMENT', message: 'b.txt is empty.' } }) +
        line({ path: 'c.txt', sha256: 'cc', error: { code: 'RUNTIME_FAILED', message: 'crashed' } }) +
        line({ path: 'd.txt', error: { code: 'NOT_FOUND', message: 'd.txt: no such file.' } }) +
        'not json\n' +
        '{"path":"e.txt","sha2',
    );
    const finished = await readFinished(out);
    assert.deepEqual([...finished].sort(), [resumeKey('a.txt', 'aa'), resumeKey('b.txt', 'bb')].sort());
    assert.ok(!finished.has(resumeKey('a.txt', 'changed')), 'a changed file is not finished');
  });

  it('cuts a torn last line before appending, and keeps a complete one', () => {
    writeFileSync(out, `${line({ path: 'a.txt', sha256: 'aa' })}{"path":"b.txt","sha`);
    const sink = openJsonlFile(out);
    sink.write({ path: 'c.txt', sha256: 'cc' });
    sink.close();
    assert.equal(readFileSync(out, 'utf8'), line({ path: 'a.txt', sha256: 'aa' }) + line({ path: 'c.txt', sha256: 'cc' }));

    writeFileSync(out, JSON.stringify({ path: 'a.txt', sha256: 'aa' }));
    const again = openJsonlFile(out);
    again.write({ path: 'c.txt', sha256: 'cc' });
    again.close();
    assert.equal(readFileSync(out, 'utf8'), line({ path: 'a.txt', sha256: 'aa' }) + line({ path: 'c.txt', sha256: 'cc' }));
  });

  it('finds the torn line even when it is longer than the read block', () => {
    const long = `{"path":"x","v":[${'1,'.repeat(70_000)}`;
    writeFileSync(out, line({ path: 'a.txt', sha256: 'aa' }) + long);
    openJsonlFile(out).close();
    assert.equal(readFileSync(out, 'utf8'), line({ path: 'a.txt', sha256: 'aa' }));
  });
});
