// Checks the tensors read from a checkpoint against what the config says the model needs (STYLE.md 6): every
// expected tensor present, every shape right, nothing unexplained left over. All problems are reported together,
// because fixing a converted checkpoint one error per run is slow. What HuggingFace's from_pretrained leaves out
// without complaint is left out here too, and listed with the reason: buffers (position_ids), the bare model's
// pooler under a task head, and another head's weights (lm_head.* of a masked-LM checkpoint opened for its encoder).
import { LensError } from '../errors';
import type { LongformerConfig } from './config';
import type { SourceDType } from './dtype';
import { canonicalName, isIgnoredBuffer, otherHeadOf } from './names';
import type { LoadedTensor } from './safetensors';
import { expectedTensorShapes, POOLER_NAMES } from './shapes';
import { formatShape, type StateDict, type Tensor } from './tensor';

export interface MatchedWeights {
  /** Canonical name → tensor, in the order of expectedTensorShapes. */
  readonly weights: StateDict;
  /** The stored element types of the kept tensors. */
  readonly sourceDtypes: ReadonlySet<SourceDType>;
  /** Tensors of the files that the model does not use, by their stored names, with the reason. */
  readonly ignored: readonly IgnoredTensor[];
}

export interface IgnoredTensor {
  readonly name: string;
  readonly reason: string;
}

// Long lists are cut: the first few names say what kind of mismatch it is (wrong model, wrong prefix).
const LISTED = 8;

/** `stored` holds tensors under the names found in the files; `source` names the files in errors. */
export function matchWeights(stored: ReadonlyMap<string, LoadedTensor>, config: LongformerConfig, source: string): MatchedWeights {
  const { found, storedAs, ignored } = canonicalize(stored, source);
  const expected = expectedTensorShapes(config);
  tieMaskedLmWeights(found, config);
  const leaveOut = (name: string, reason: string): void => {
    if (found.delete(name)) ignored.push({ name: storedAs.get(name) ?? name, reason });
  };
  if (config.head !== 'base') {
    // Task models saved by older transformers versions carry the bare model's pooler, which their heads never
    // read (HuggingFace drops it with a warning); it is not a sign of a wrong checkpoint.
    for (const name of POOLER_NAMES) leaveOut(name, `the bare model's pooler, which ${config.architecture} does not have`);
  } else if (POOLER_NAMES.every((name) => !found.has(name))) {
    // A bare model saved with add_pooling_layer=False has no pooler at all; a half-present pooler stays an error.
    for (const name of POOLER_NAMES) expected.delete(name);
  }
  // Another head's weights: from_pretrained loads the encoder and leaves them unused (a masked-LM checkpoint such
  // as allenai/longformer-base-4096 opened as LongformerModel, or a QA checkpoint opened for its encoder).
  for (const name of [...found.keys()]) {
    const head = otherHeadOf(name);
    if (head !== undefined && !expected.has(name)) leaveOut(name, `the ${head} head's weights, which ${config.architecture} does not use`);
  }

  const missing: string[] = [];
  const wrongShape: string[] = [];
  const weights: StateDict = new Map<string, Tensor>();
  const sourceDtypes = new Set<SourceDType>();
  for (const [name, shape] of expected) {
    const loaded = found.get(name);
    if (loaded === undefined) {
      missing.push(`${name} ${formatShape(shape)}`);
    } else if (!sameShape(loaded.tensor.shape, shape)) {
      wrongShape.push(`${name} is ${formatShape(loaded.tensor.shape)}, expected ${formatShape(shape)}`);
    } else if (loaded.tensor.dtype !== 'float32') {
      wrongShape.push(`${name} holds ${loaded.sourceDtype} integers, expected floating-point weights`);
    } else {
      weights.set(name, loaded.tensor);
      sourceDtypes.add(loaded.sourceDtype);
    }
  }
  const unexpected = [...found.keys()].filter((name) => !expected.has(name));

  const problems: string[] = [];
  if (missing.length > 0) problems.push(`missing ${missing.length} tensor(s): ${list(missing)}`);
  if (wrongShape.length > 0) problems.push(`wrong shape: ${list(wrongShape)}`);
  if (unexpected.length > 0) problems.push(`unexpected ${unexpected.length} tensor(s): ${list(unexpected)}`);
  if (problems.length > 0) {
    throw new LensError(
      'WEIGHTS_MISMATCH',
      `${source} does not fit ${config.architecture} as config.json describes it: ${problems.join('; ')}.`,
      config.autoClass === undefined
        ? 'Check that config.json and the weight files come from the same checkpoint.'
        : // No class named: the task chose the head (config.ts AUTO_CLASSES), and these weights do not hold it.
          `config.json names no architectures, so this task reads the checkpoint as ${config.architecture}, as transformers' ${config.autoClass} would (which starts a missing head from random weights); \`info\` lists the heads the weights hold.`,
    );
  }
  return { weights, sourceDtypes, ignored };
}

function canonicalize(
  stored: ReadonlyMap<string, LoadedTensor>,
  source: string,
): { found: Map<string, LoadedTensor>; storedAs: Map<string, string>; ignored: IgnoredTensor[] } {
  const found = new Map<string, LoadedTensor>();
  const storedAs = new Map<string, string>();
  const ignored: IgnoredTensor[] = [];
  for (const [storedName, loaded] of stored) {
    const name = canonicalName(storedName);
    if (isIgnoredBuffer(name)) {
      ignored.push({ name: storedName, reason: 'a buffer that the model computes itself, not a weight' });
      continue;
    }
    const earlier = storedAs.get(name);
    if (earlier !== undefined) {
      throw new LensError('WEIGHTS_MISMATCH', `${source} holds both "${earlier}" and "${storedName}", which are the same tensor ${name}.`);
    }
    storedAs.set(name, storedName);
    found.set(name, loaded);
  }
  return { found, storedAs, ignored };
}

/**
 * HuggingFace ties the masked-LM decoder to the word embeddings and its bias to lm_head.bias; safetensors stores
 * a tied tensor once, so the other name is filled in from its twin (the same array, not a copy).
 */
function tieMaskedLmWeights(found: Map<string, LoadedTensor>, config: LongformerConfig): void {
  if (config.head !== 'masked-lm') return;
  const ties: Array<[string, string]> = [
    ['lm_head.decoder.weight', 'embeddings.word_embeddings.weight'],
    ['lm_head.decoder.bias', 'lm_head.bias'],
    ['lm_head.bias', 'lm_head.decoder.bias'],
  ];
  for (const [name, twin] of ties) {
    const twinTensor = found.get(twin);
    if (!found.has(name) && twinTensor !== undefined) found.set(name, twinTensor);
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dim, index) => dim === b[index]);
}

function list(items: readonly string[]): string {
  const shown = items.slice(0, LISTED).join(', ');
  return items.length > LISTED ? `${shown}, and ${items.length - LISTED} more` : shown;
}
