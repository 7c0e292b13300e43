// The worker's request loop: runs each request's handler, forwards progress, honours cancellation, and turns
// every failure into a typed error reply so the extension never has to guess.
import { isLensError } from '../core/errors';
import type { FromWorker, MethodName, SerializedError, ToWorker, WorkerMethods } from './protocol';

export interface HandlerContext {
  readonly signal: AbortSignal;
  progress(done: number, total: number, message: string): void;
}

export type Handlers = {
  [M in MethodName]: (params: WorkerMethods[M]['params'], context: HandlerContext) => Promise<WorkerMethods[M]['result']>;
};

export function serializeError(error: unknown): SerializedError {
  if (isLensError(error)) {
    return error.hint === undefined
      ? { code: error.code, message: error.message }
      : { code: error.code, message: error.message, hint: error.hint };
  }
  const message = error instanceof Error ? error.message : String(error);
  const detail = error instanceof Error ? (error.stack ?? message) : message;
  return { code: 'INTERNAL', message: `Internal error in the engine: ${message}`, detail };
}

/** Serves requests from `receive` and answers through `send` until the channel closes. */
export function serve(
  handlers: Handlers,
  send: (message: FromWorker) => void,
  onMessage: (listener: (message: ToWorker) => void) => void,
): void {
  const running = new Map<number, AbortController>();
  onMessage((message) => {
    if (message.kind === 'cancel') {
      running.get(message.id)?.abort();
      return;
    }
    const controller = new AbortController();
    running.set(message.id, controller);
    const context: HandlerContext = {
      signal: controller.signal,
      progress: (done, total, text) => send({ kind: 'progress', id: message.id, done, total, message: text }),
    };
    const handler = handlers[message.method] as (params: unknown, context: HandlerContext) => Promise<unknown>;
    handler(message.params, context)
      .then((result) => send({ kind: 'result', id: message.id, result }))
      .catch((error: unknown) => send({ kind: 'error', id: message.id, error: serializeError(error) }))
      .finally(() => running.delete(message.id));
  });
}
