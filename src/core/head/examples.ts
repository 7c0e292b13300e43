// The training examples of train-head: a folder with one subfolder per label, each holding text files. Files that
// are not usable text (binary, empty, not UTF-8, too large) are skipped and reported, never fatal; a label left
// without a usable file, or fewer than two labels, is an error that names the folder.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isLensError, LensError } from '../errors';
import { decodeDocument, MAX_DOCUMENT_BYTES } from '../tasks/document';

export interface Example {
  readonly path: string;
  readonly label: number;
  readonly text: string;
  /** SHA-256 of the file's bytes: the embedding cache key. */
  readonly sha256: string;
}

export interface SkippedFile {
  readonly path: string;
  readonly reason: string;
}

export interface Examples {
  readonly labels: readonly string[];
  /** Sorted by label, then by file name. */
  readonly examples: readonly Example[];
  readonly skipped: readonly SkippedFile[];
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export async function readExamples(dir: string): Promise<Examples> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new LensError('NOT_FOUND', `${dir}: no such folder.`, 'Give a folder with one subfolder of text files per label.', {
      cause: error,
    });
  }
  // Hidden entries (.git, .DS_Store) are not examples.
  const visible = entries.filter((entry) => !entry.name.startsWith('.')).sort((a, b) => byName(a.name, b.name));
  const labels = visible.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  const skipped: SkippedFile[] = visible
    .filter((entry) => !entry.isDirectory())
    .map((entry) => ({ path: join(dir, entry.name), reason: 'not inside a label folder' }));
  if (labels.length === 0) {
    throw new LensError(
      'BAD_ARGUMENT',
      `${dir} has no label folders.`,
      'Put the examples of each label in a subfolder named after the label.',
    );
  }
  if (labels.length === 1) {
    throw new LensError(
      'BAD_ARGUMENT',
      `${dir} has only one label folder ("${labels[0]}"); a classifier needs at least two labels.`,
      'Add a subfolder of examples for every other label.',
    );
  }
  const examples: Example[] = [];
  const empty: string[] = [];
  for (const [label, name] of labels.entries()) {
    const folder = join(dir, name);
    const files = (await readdir(folder, { withFileTypes: true }))
      .filter((entry) => !entry.name.startsWith('.'))
      .sort((a, b) => byName(a.name, b.name));
    let usable = 0;
    for (const file of files) {
      const path = join(folder, file.name);
      if (!file.isFile()) {
        skipped.push({ path, reason: file.isDirectory() ? 'a folder inside a label folder' : 'not a regular file' });
        continue;
      }
      const read = await readExample(path);
      if ('reason' in read) {
        skipped.push({ path, reason: read.reason });
        continue;
      }
      examples.push({ path, label, text: read.text, sha256: read.sha256 });
      usable += 1;
    }
    if (usable === 0) empty.push(folder);
  }
  if (empty.length > 0) {
    throw new LensError(
      'BAD_ARGUMENT',
      `label folder${empty.length === 1 ? '' : 's'} ${empty.join(', ')} ${empty.length === 1 ? 'has' : 'have'} no usable text files.`,
      'Add text files to it, or remove the folder to drop the label.',
    );
  }
  return { labels, examples, skipped };
}

async function readExample(path: string): Promise<{ text: string; sha256: string } | { reason: string }> {
  const size = (await stat(path)).size;
  if (size > MAX_DOCUMENT_BYTES) return { reason: `larger than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MiB` };
  const bytes = await readFile(path);
  try {
    const text = decodeDocument(bytes, path);
    return { text, sha256: createHash('sha256').update(bytes).digest('hex') };
  } catch (error) {
    if (!isLensError(error) || error.code !== 'BAD_DOCUMENT') throw error;
    return {
      reason: error.message.startsWith(path) ? error.message.slice(path.length).replace(/^ /, '').replace(/\.$/, '') : error.message,
    };
  }
}
