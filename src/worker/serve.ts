// The worker's request loop: runs each request's handler, forwards progress, honours cancellation, and turns
// every failure into a typed error reply so the extension never has to guess.
import { isLensError } from '../core/errors';
import type { EngineInfo, FromWorker, MethodName, RequestMessage, SerializedError, ToWorker, WorkerMethods } from './protocol';

export interface HandlerContext {
  readonly signal: AbortSignal;
  progress(done: number, total: number, message: string): void;
  /** Says which provider the request's model runs on, once it is open. */
  engine(info: EngineInfo): void;
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
      engine: (engine) => send({ kind: 'engine', id: message.id, engine }),
    };
    void dispatch(handlers, message, context, send).finally(() => running.delete(message.id));
  });
}

/** Runs one request's handler and sends its typed result, or its error. */
async function dispatch<M extends MethodName>(
  handlers: Handlers,
  request: RequestMessage<M>,
  context: HandlerContext,
  send: (message: FromWorker) => void,
): Promise<void> {
  const handler: Handlers[M] = handlers[request.method];
  try {
    const result = await handler(request.params, context);
    send({ kind: 'result', id: request.id, method: request.method, result });
  } catch (error) {
    send({ kind: 'error', id: request.id, error: serializeError(error) });
  }
}
