// Runs the CLI's main() in this process and captures what it writes to stdout and stderr, so a test sees the exit
// code and both streams as a shell would, without starting a process for each call.
import { strict as assert } from 'node:assert';
import { main } from '../../src/cli/main';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A batch run's flags in the tests: lines into `jsonl`, one engine worker process, on the CPU. */
export function oneWorkerBatch(jsonl: string): string[] {
  return ['--jsonl', jsonl, '--workers', '1', '--provider', 'cpu'];
}

export async function runCli(...args: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = (chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  };
  process.stderr.write = (chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  };
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

/** Bad input as the CLI reports it: exit code 2 and one line on stderr that matches. */
export function expectBadInput(run: CliRun, pattern: RegExp): void {
  assert.equal(run.code, 2, run.stderr);
  assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  assert.match(run.stderr, pattern);
}

/** The `run` verb on one CPU thread: a request file in, a response file out, graphs cached in cacheDir. */
export function runRequest(
  files: { readonly model: string; readonly request: string; readonly out: string; readonly cacheDir: string },
  ...extra: string[]
): Promise<CliRun> {
  const { model, request, out, cacheDir } = files;
  return runCli(
    'run',
    '--model',
    model,
    '--provider',
    'cpu',
    '--threads',
    '1',
    '--cache-dir',
    cacheDir,
    '--request',
    request,
    '--out',
    out,
    ...extra,
  );
}
