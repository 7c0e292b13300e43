import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LensError } from '../../../src/core/errors';
import { checkDocumentText, decodeDocument, lineColumn, MAX_DOCUMENT_BYTES, readDocument, snippet } from '../../../src/core/tasks/document';

const code = (c: string) => (error: unknown) => error instanceof LensError && error.code === c;

describe('documents', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'lens-doc-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads UTF-8 text and drops a byte-order mark', async () => {
    const path = join(dir, 'ok.txt');
    writeFileSync(path, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('héllo 😀\n')]));
    assert.equal(await readDocument(path), 'héllo 😀\n');
  });

  it('refuses empty, whitespace-only, binary, invalid UTF-8 and oversized documents', async () => {
    assert.throws(() => decodeDocument(new Uint8Array(0), 'x'), /x is empty/);
    assert.throws(() => decodeDocument(Buffer.from(' \n\t '), 'x'), /only whitespace/);
    assert.throws(() => decodeDocument(Buffer.from('ab\0cd'), 'x'), /binary/);
    assert.throws(() => decodeDocument(Buffer.from([0x61, 0xc3, 0x28]), 'x'), /not valid UTF-8/);
    assert.throws(
      () => decodeDocument(new Uint8Array(MAX_DOCUMENT_BYTES + 1).fill(0x61), 'x'),
      /is 20,971,521 bytes; documents are limited to 20 MiB \(20,971,520 bytes\)/,
    );
    assert.throws(() => checkDocumentText('é'.repeat(MAX_DOCUMENT_BYTES / 2 + 1), 'buffer'), code('BAD_DOCUMENT'));
    checkDocumentText('é'.repeat(MAX_DOCUMENT_BYTES / 2), 'buffer');
    const big = join(dir, 'big.txt');
    writeFileSync(big, Buffer.alloc(MAX_DOCUMENT_BYTES + 10, 0x61));
    await assert.rejects(readDocument(big), /bytes; documents are limited to 20 MiB/);
    await assert.rejects(readDocument(join(dir, 'missing.txt')), code('NOT_FOUND'));
  });

  it('gives line:column and a one-line snippet', () => {
    const text = 'first line\r\nsecond line\nthird';
    assert.deepEqual(lineColumn(text, 0), { line: 1, column: 1 });
    assert.deepEqual(lineColumn(text, 12), { line: 2, column: 1 });
    assert.deepEqual(lineColumn(text, 26), { line: 3, column: 3 });
    assert.equal(snippet(text, 12, 18, 4), '…ne [second] lin…');
  });
});
