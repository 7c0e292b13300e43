// Entry point of the engine worker process (dist/worker.js), started by the extension with an IPC channel.
import { handlers } from './handlers';
import type { FromWorker, ToWorker } from './protocol';
import { serve } from './serve';

const send = process.send?.bind(process);
if (send === undefined) {
  process.stderr.write('longformer-lens worker: start me as a child process with an IPC channel (child_process.fork).\n');
  process.exit(2);
}
serve(
  handlers,
  (message: FromWorker) => send(message),
  (listener) => process.on('message', (message) => listener(message as ToWorker)),
);
// The extension went away (window closed, host crashed): nothing is left to answer to.
process.on('disconnect', () => process.exit(0));
