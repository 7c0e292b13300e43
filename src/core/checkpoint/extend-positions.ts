// `--extend-positions N`: a document of up to N tokens runs as one window on a checkpoint trained with fewer
// positions. As the Longformer paper made its 4,096-position models from RoBERTa's 512 (section 5, "Position
// Embeddings"), the learned position embeddings are copied over and over to fill N positions. The copy is made for
// the built graph only; the checkpoint's files never change. It is an approximation: the model never saw those
// positions, and results say so.
import { LensError } from '../errors';
import type { LongformerConfig } from './config';
import { maxInputLength } from './model-rules';
import type { StateDict, Tensor } from './tensor';

/** The longest extension offered: one 16,384-token window. */
export const MAX_EXTENDED_TOKENS = 16384;

const TABLE = 'embeddings.position_embeddings.weight';

/** Checks N against the model: more than it takes already, at most MAX_EXTENDED_TOKENS. */
export function checkExtendPositions(config: LongformerConfig, tokens: number): void {
  const current = maxInputLength(config);
  if (!Number.isInteger(tokens) || tokens <= current || tokens > MAX_EXTENDED_TOKENS) {
    throw new LensError(
      'BAD_ARGUMENT',
      `--extend-positions ${tokens}: expected a number of tokens above the model's ${current} and at most ${MAX_EXTENDED_TOKENS}.`,
    );
  }
}

/** The config of the extended graph: a position table for N tokens (N + pad_token_id + 1 rows). */
export function withExtendedPositions(config: LongformerConfig, tokens: number | undefined): LongformerConfig {
  if (tokens === undefined) return config;
  checkExtendPositions(config, tokens);
  return { ...config, maxPositionEmbeddings: tokens + config.padTokenId + 1 };
}

/**
 * The plain words results carry when positions are extended (RunInfo.approximation: `"approximation"` in JSON); text
 * output prints it after `approximation: `.
 */
export function extendedPositionsNote(config: LongformerConfig, tokens: number): string {
  return (
    `position embeddings extended from ${maxInputLength(config)} to ${tokens} tokens by copying the ` +
    'learned ones (the checkpoint never saw the positions beyond); results past the original length are less reliable'
  );
}

/**
 * The weights with a position table of N + pad_token_id + 1 rows: rows up to pad_token_id (never used by real tokens)
 * as they are, then the learned rows pad_token_id + 1 ... repeated in order. Every other tensor is the same array.
 */
export function extendPositionTable(config: LongformerConfig, weights: StateDict, tokens: number): StateDict {
  checkExtendPositions(config, tokens);
  const table = weights.get(TABLE);
  if (table === undefined || table.dtype !== 'float32') throw new LensError('BAD_CHECKPOINT', `the checkpoint has no ${TABLE}.`);
  const hidden = config.hiddenSize;
  const first = config.padTokenId + 1;
  const learned = config.maxPositionEmbeddings - first;
  const rows = tokens + first;
  const data = new Float32Array(rows * hidden);
  data.set(table.data.subarray(0, first * hidden));
  for (let row = first; row < rows; row += 1) {
    const source = first + ((row - first) % learned);
    data.set(table.data.subarray(source * hidden, (source + 1) * hidden), row * hidden);
  }
  const extended: Tensor = { dtype: 'float32', shape: [rows, hidden], data };
  return new Map([...weights].map(([name, tensor]) => [name, name === TABLE ? extended : tensor]));
}
