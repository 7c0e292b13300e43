// Which files a batch run reads: explicit files as given, folders walked recursively (hidden files and whatever the
// folders' .gitignore files exclude are skipped), and glob patterns expanded from the working directory. Matching is
// fast-glob's (globs) and ignore's (gitignore rules, the same semantics as git itself), not hand-written.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { glob, isDynamicPattern } from 'fast-glob';

export interface CollectOptions {
  /** Which files inside folders to read, as a glob relative to each folder; default every file. */
  readonly glob?: string;
}

/**
 * The documents to read, in a stable order (each input's files sorted), each once. A path that does not exist stays
 * in the list, so the run reports it as an error line rather than dropping it unseen.
 */
export async function collectDocuments(inputs: readonly string[], options: CollectOptions = {}): Promise<string[]> {
  const seen = new Set<string>();
  const documents: string[] = [];
  const add = (path: string): void => {
    const key = resolve(path);
    if (seen.has(key)) return;
    seen.add(key);
    documents.push(path);
  };
  for (const input of inputs) {
    const kind = pathKind(input);
    if (kind === 'directory') (await walkFolder(input, options.glob ?? '**/*')).forEach(add);
    else if (kind === 'missing' && isDynamicPattern(input)) (await glob(input, { onlyFiles: true })).sort().forEach(add);
    else add(input);
  }
  return documents;
}

function pathKind(path: string): 'file' | 'directory' | 'missing' {
  try {
    return statSync(path).isDirectory() ? 'directory' : 'file';
  } catch {
    return 'missing';
  }
}

async function walkFolder(folder: string, pattern: string): Promise<string[]> {
  const files = await glob(pattern, { cwd: folder, onlyFiles: true, dot: false, followSymbolicLinks: false });
  const rules = await gitignoreRules(folder);
  return files
    .filter((file) => !isIgnored(rules, file))
    .sort()
    .map((file) => join(folder, file));
}

interface GitignoreRules {
  /** Folder of the .gitignore, relative to the walked folder ('' for the folder itself), with a trailing '/'. */
  readonly base: string;
  readonly rules: Ignore;
}

/** Every .gitignore in the folder, each applying below its own directory as in git. */
async function gitignoreRules(folder: string): Promise<GitignoreRules[]> {
  const files = await glob('**/.gitignore', { cwd: folder, dot: true, followSymbolicLinks: false });
  if (existsSync(join(folder, '.gitignore')) && !files.includes('.gitignore')) files.push('.gitignore');
  return files.map((file) => {
    const base = dirname(file) === '.' ? '' : `${dirname(file).split(sep).join('/')}/`;
    return { base, rules: ignore().add(readFileSync(join(folder, file), 'utf8')) };
  });
}

/**
 * As in git, the deepest .gitignore with a rule for the path decides (so `!keep.log` in a subfolder re-includes what a
 * parent's `*.log` excluded); the `ignore` library applies one file's rules, parent folders included.
 */
function isIgnored(rules: readonly GitignoreRules[], file: string): boolean {
  const path = file.split(sep).join('/');
  const applying = rules.filter(({ base }) => path.startsWith(base)).sort((a, b) => b.base.length - a.base.length);
  for (const { base, rules: ig } of applying) {
    const verdict = ig.test(path.slice(base.length));
    if (verdict.ignored) return true;
    if (verdict.unignored) return false;
  }
  return false;
}
