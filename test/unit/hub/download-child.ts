// Run as a separate process by the concurrency test: one downloadModel call, result as JSON on stdout.
import { downloadModel } from '../../../src/core/hub';

const [endpoint, cacheDir, repo] = process.argv.slice(2);
if (endpoint === undefined || cacheDir === undefined || repo === undefined)
  throw new Error('usage: download-child <endpoint> <cache> <repo>');
downloadModel(repo, { endpoint, cacheDir, env: {}, token: null }).then(
  (result) => process.stdout.write(JSON.stringify(result)),
  (error: unknown) => {
    process.stderr.write(String(error));
    process.exitCode = 3;
  },
);
