// Every failure a user can cause or meet is a LensError: a stable code for programs, a sentence that says what is
// wrong, and (where there is one) the next step. Front ends print `message`; they never parse it.

export type LensErrorCode =
  | 'BAD_ARGUMENT' // a caller passed something invalid (CLI flag, request field)
  | 'BAD_CONFIG' // config.json is missing or invalid
  | 'BAD_CHECKPOINT' // weight files are malformed, truncated or hostile
  | 'UNSAFE_PICKLE' // a pickle asked for something outside the state-dict whitelist
  | 'WEIGHTS_MISMATCH' // tensors missing, unexpected or of the wrong shape
  | 'BAD_TOKENIZER' // tokenizer files missing or invalid
  | 'BAD_DOCUMENT' // empty, binary or oversized document
  | 'WRONG_HEAD' // the model's head does not fit the task
  | 'INPUT_TOO_LONG' // more tokens than the model takes
  | 'RUNTIME_FAILED' // onnxruntime failed to create a session or run
  | 'CANCELLED' // the caller cancelled
  | 'HUB_ERROR' // the model hub refused or failed
  | 'NOT_FOUND' // a file or model that is not there
  | 'OFFLINE'; // needed the network while offline

export class LensError extends Error {
  override readonly name = 'LensError';

  constructor(
    readonly code: LensErrorCode,
    message: string,
    /** The next step for the user, when there is one ("convert it with ..."). */
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** One line for a terminal or a notification. */
  describe(): string {
    return this.hint === undefined ? this.message : `${this.message} ${this.hint}`;
  }
}

export function isLensError(error: unknown): error is LensError {
  return error instanceof LensError;
}

/** Thrown between units of work (chunks, files) when the caller's signal is aborted. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new LensError('CANCELLED', 'Cancelled.');
}
