// Checks a batch before it reaches onnxruntime, so a bad id or mask becomes a sentence instead of a native error.
import type { LongformerConfig } from '../checkpoint/config';
import { maxInputLength } from '../checkpoint/model-rules';

// The rule lives in checkpoint/model-rules.ts; re-exported for the callers that check inputs here.
export { maxInputLength };
import { LensError } from '../errors';
import type { ModelInputs } from './engine';

export function validateModelInputs(config: LongformerConfig, inputs: ModelInputs): void {
  const { batchSize, seqLen } = inputs;
  if (!Number.isInteger(batchSize) || batchSize < 1 || !Number.isInteger(seqLen) || seqLen < 1) {
    throw new LensError('BAD_ARGUMENT', `A batch needs at least one row of at least one token (got ${batchSize} × ${seqLen}).`);
  }
  if (seqLen > maxInputLength(config)) {
    throw new LensError(
      'INPUT_TOO_LONG',
      `Rows of ${seqLen} tokens are longer than the model takes (${maxInputLength(config)}).`,
      'Split the document into chunks.',
    );
  }
  const count = batchSize * seqLen;
  for (const [name, array] of [
    ['input_ids', inputs.inputIds],
    ['attention_mask', inputs.attentionMask],
    ['global_attention_mask', inputs.globalAttentionMask],
  ] as const) {
    if (array.length !== count) {
      throw new LensError('BAD_ARGUMENT', `${name} has ${array.length} values; a ${batchSize} × ${seqLen} batch needs ${count}.`);
    }
  }
  const vocab = BigInt(config.vocabSize);
  for (let i = 0; i < count; i += 1) {
    const id = inputs.inputIds[i] ?? 0n;
    if (id < 0n || id >= vocab) {
      throw new LensError(
        'BAD_ARGUMENT',
        `input_ids[${Math.floor(i / seqLen)}][${i % seqLen}] = ${id} is outside the vocabulary (0..${config.vocabSize - 1}).`,
      );
    }
    for (const [name, array] of [
      ['attention_mask', inputs.attentionMask],
      ['global_attention_mask', inputs.globalAttentionMask],
    ] as const) {
      const flag = array[i] ?? 0n;
      if (flag !== 0n && flag !== 1n) {
        throw new LensError('BAD_ARGUMENT', `${name}[${Math.floor(i / seqLen)}][${i % seqLen}] = ${flag}; masks hold 0 or 1.`);
      }
    }
  }
}

/** HuggingFace's x: the most global tokens (attention mask 1 and global mask 1) any row of the batch has. */
export function mostGlobalTokens(inputs: ModelInputs): number {
  let most = 0;
  for (let row = 0; row < inputs.batchSize; row += 1) {
    let count = 0;
    for (let i = row * inputs.seqLen; i < (row + 1) * inputs.seqLen; i += 1) {
      if (inputs.attentionMask[i] !== 0n && inputs.globalAttentionMask[i] !== 0n) count += 1;
    }
    most = Math.max(most, count);
  }
  return most;
}
