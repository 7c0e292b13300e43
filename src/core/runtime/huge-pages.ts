// glibc's malloc can back its large blocks with transparent huge pages (the tunable glibc.malloc.hugetlb=1, glibc
// 2.35 and later), which it reads only when a process starts. onnxruntime's buffers and arena then take about half the
// page faults: on the 2-core development machine a warm `classify` of 1,000 tokens with the base model took 3.44 s
// instead of 3.60 s through the command line, its relaunch included, and 4,096-token runs were faster in both
// alternating pairs (bench/README.md "Huge pages"). So every process that runs the engine starts with it: the
// extension's engine worker (worker-client.ts) and the command line (cli/launch.ts). Elsewhere (not Linux), or where
// GLIBC_TUNABLES already says something about it (the user's choice), nothing changes.

const TUNABLES = 'GLIBC_TUNABLES';
const HUGE_PAGES = 'glibc.malloc.hugetlb';

/** `env` with malloc on transparent huge pages, or undefined when it should be left as it is. */
export function withHugePages(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): NodeJS.ProcessEnv | undefined {
  if (platform !== 'linux') return undefined;
  const current = env[TUNABLES] ?? '';
  if (current.split(':').some((entry) => entry.startsWith(`${HUGE_PAGES}=`))) return undefined;
  return { ...env, [TUNABLES]: current === '' ? `${HUGE_PAGES}=1` : `${current}:${HUGE_PAGES}=1` };
}
