// What bin/longformer-lens.js runs first, before the CLI bundle loads: on Linux the command line starts itself again
// once with malloc on transparent huge pages (core/runtime/huge-pages.ts), which glibc reads only at process start.
// The first process only waits: the terminal's Ctrl-C reaches both (one process group), so SIGINT is left to the
// second one, whose own handlers finish a batch or a download cleanly; SIGTERM and SIGHUP, which are sent to one
// process, are passed on. Its exit code, or the signal that ended it, becomes this process's.
import { spawn } from 'node:child_process';
import { withHugePages } from '../core/runtime/huge-pages';

const PASSED_ON: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGHUP'];

/**
 * Starts `script` with `args` again in a process with malloc on huge pages and returns true, or returns false when
 * this process should run the command itself (not Linux, already set, under a debugger, or it could not be started).
 */
export function relaunchWithHugePages(script: string, args: readonly string[]): boolean {
  const env = withHugePages(process.env);
  // Under a debugger the process being debugged must be the one that runs the command.
  if (env === undefined || process.execArgv.some((flag) => flag.startsWith('--inspect'))) return false;
  let child;
  try {
    child = spawn(process.execPath, [...process.execArgv, script, ...args], { stdio: 'inherit', env });
  } catch {
    return false;
  }
  const ignoreInterrupt = (): void => undefined;
  process.on('SIGINT', ignoreInterrupt);
  const passOn = PASSED_ON.map((signal) => {
    const handler = (): void => {
      child.kill(signal);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  child.on('exit', (code, signal) => {
    process.removeListener('SIGINT', ignoreInterrupt);
    for (const [name, handler] of passOn) process.removeListener(name, handler);
    if (signal !== null) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
  child.on('error', (error) => {
    process.stderr.write(`longformer-lens: could not start: ${error.message}\n`);
    process.exit(1);
  });
  return true;
}
