// Starts the engine worker as a child process and talks to it through the protocol file. Inference never runs in
// the extension host: a blocking session.run() or a native crash there would take every extension down with it.
// This file does not import `vscode`, so it is tested in plain Node against the real worker bundle.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { withHugePages } from '../core/runtime/huge-pages';
import {
  isResultOf,
  type EngineInfo,
  type FromWorker,
  type MethodName,
  type ResultMessage,
  type SerializedError,
  type ToWorker,
  type WorkerErrorCode,
  type WorkerMethods,
} from '../worker/protocol';

export class WorkerError extends Error {
  override readonly name = 'WorkerError';
  constructor(readonly serialized: SerializedError) {
    super(serialized.message);
  }
  get code(): WorkerErrorCode {
    return this.serialized.code;
  }
}

export interface Progress {
  readonly done: number;
  readonly total: number;
  readonly message: string;
}

export interface RequestOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
  /** Called once the task's model is open, with the provider it runs on. */
  readonly onEngine?: (engine: EngineInfo) => void;
}

interface Pending {
  settle(message: ResultMessage): void;
  reject(error: Error): void;
  onProgress?: ((progress: Progress) => void) | undefined;
  onEngine?: ((engine: EngineInfo) => void) | undefined;
}

export interface WorkerClientOptions {
  /** Path of the bundled worker (dist/worker.js). */
  readonly workerPath: string;
  /** Lines the worker prints on stderr (logs, native warnings) go here. */
  readonly log?: (line: string) => void;
}

export class WorkerClient {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private disposed = false;
  private readonly sent = new Map<MethodName, number>();

  constructor(private readonly options: WorkerClientOptions) {}

  /** How many requests of each method were sent (the e2e suite checks that a layer switch sends none). */
  requestCounts(): Readonly<Partial<Record<MethodName, number>>> {
    return Object.fromEntries(this.sent);
  }

  /** Sends one request; a worker that died is started again on the next request. */
  request<M extends MethodName>(
    method: M,
    params: WorkerMethods[M]['params'],
    options: RequestOptions = {},
  ): Promise<WorkerMethods[M]['result']> {
    if (this.disposed) return Promise.reject(new WorkerError({ code: 'CANCELLED', message: 'The engine has been shut down.' }));
    if (options.signal?.aborted === true) return Promise.reject(new WorkerError({ code: 'CANCELLED', message: 'Cancelled.' }));
    if (this.child === undefined && !existsSync(this.options.workerPath)) {
      return Promise.reject(
        new WorkerError({
          code: 'RUNTIME_FAILED',
          message: `The engine bundle ${this.options.workerPath} is missing.`,
          hint: 'Reinstall the extension.',
        }),
      );
    }
    const child = this.ensureStarted();
    const id = this.nextId++;
    this.sent.set(method, (this.sent.get(method) ?? 0) + 1);
    return new Promise<WorkerMethods[M]['result']>((resolve, reject) => {
      const settle = (message: ResultMessage): void => {
        if (isResultOf(message, method)) resolve(message.result);
        else
          reject(
            new WorkerError({ code: 'INTERNAL', message: `The engine answered a ${method} request with a ${message.method} result.` }),
          );
      };
      this.pending.set(id, { settle, reject, onProgress: options.onProgress, onEngine: options.onEngine });
      options.signal?.addEventListener('abort', () => this.send(child, { kind: 'cancel', id }), { once: true });
      this.send(child, { kind: 'request', id, method, params });
    });
  }

  /** The worker's process id, while one runs (for diagnostics and tests). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  dispose(): void {
    this.disposed = true;
    this.child?.kill();
    this.child = undefined;
    this.failAll({ code: 'CANCELLED', message: 'The engine has been shut down.' });
  }

  private ensureStarted(): ChildProcess {
    if (this.child !== undefined) return this.child;
    // ELECTRON_RUN_AS_NODE lets desktop VS Code's Electron binary act as plain Node; it is ignored by Node itself.
    const child = fork(this.options.workerPath, [], {
      // Malloc on transparent huge pages where glibc offers it: the engine starts and runs faster (huge-pages.ts).
      env: { ...(withHugePages(process.env) ?? process.env), ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
      execArgv: [],
    });
    child.stdout?.on('data', (chunk: Buffer) => this.options.log?.(chunk.toString('utf8').trimEnd()));
    child.stderr?.on('data', (chunk: Buffer) => this.options.log?.(chunk.toString('utf8').trimEnd()));
    child.on('message', (message: FromWorker) => this.receive(message));
    // A worker that cannot start (missing bundle, no permission) emits 'error'; unhandled, it would throw in the host.
    child.on('error', (error) => {
      if (this.child === child) this.child = undefined;
      this.options.log?.(`engine worker failed: ${error.message}`);
      this.failAll({
        code: 'RUNTIME_FAILED',
        message: `The engine process could not start: ${error.message}.`,
        hint: 'Reinstall the extension.',
      });
    });
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      const how = signal === null ? `exit code ${String(code)}` : `signal ${signal}`;
      this.options.log?.(`engine worker stopped (${how})`);
      this.failAll({
        code: 'WORKER_DIED',
        message: `The engine process stopped unexpectedly (${how}), probably out of memory or a native crash.`,
        hint: 'It restarts on the next request; try a shorter document or the CPU provider.',
      });
    });
    this.child = child;
    return child;
  }

  private send(child: ChildProcess, message: ToWorker): void {
    if (child.connected) child.send(message);
  }

  private receive(message: FromWorker): void {
    const pending = this.pending.get(message.id);
    if (pending === undefined) return;
    switch (message.kind) {
      case 'progress':
        pending.onProgress?.({ done: message.done, total: message.total, message: message.message });
        return;
      case 'engine':
        pending.onEngine?.(message.engine);
        return;
      case 'result':
        this.pending.delete(message.id);
        pending.settle(message);
        return;
      case 'error':
        this.pending.delete(message.id);
        pending.reject(new WorkerError(message.error));
        return;
    }
  }

  private failAll(error: SerializedError): void {
    for (const pending of this.pending.values()) pending.reject(new WorkerError(error));
    this.pending.clear();
  }
}
