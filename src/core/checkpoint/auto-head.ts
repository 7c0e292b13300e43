// Checkpoints whose config.json names no architectures (the 2020 uploads, such as allenai/longformer-base-4096):
// transformers' Auto classes never read that field, each task's class builds its own head (config.ts AUTO_CLASSES),
// and so does each verb here. What `info` says about such a checkpoint: the head it was read with, and which verb
// reads the other heads whose weights the files hold.
import { architectureOf, AUTO_CLASSES, type HeadKind, type LongformerConfig } from './config';
import { canonicalName } from './names';

/** The verb that reads a checkpoint with each head when config.json names no architectures. */
const VERB_OF_HEAD: Readonly<Record<HeadKind, string>> = {
  base: '`embed`, `attend`, `info` and `run`',
  'sequence-classification': '`classify`',
  'question-answering': '`ask`',
  'masked-lm': '`classify --labels` (zero-shot)',
  'token-classification': '`run --head token-classification`',
};

/** The head a tensor belongs to, by its name; undefined for the encoder's own tensors. */
export function headOfTensor(stored: string): HeadKind | undefined {
  const name = canonicalName(stored);
  if (name.startsWith('lm_head.')) return 'masked-lm';
  if (name.startsWith('qa_outputs.')) return 'question-answering';
  // LongformerClassificationHead has dense and out_proj; token classification is one Linear named classifier.
  if (name.startsWith('classifier.dense.') || name.startsWith('classifier.out_proj.')) return 'sequence-classification';
  if (name === 'classifier.weight' || name === 'classifier.bias') return 'token-classification';
  return undefined;
}

/**
 * `info`'s notes for a config without architectures: which class the checkpoint was read as and why, and for each
 * other head whose weights the files hold (left out, `ignored`), the verb that reads it and its Auto class.
 */
export function unnamedArchitectureNotes(config: LongformerConfig, ignored: ReadonlyArray<{ readonly name: string }>): string[] {
  const notes = [
    `config.json names no architectures, so the checkpoint is read as ${config.architecture}, as transformers' ${config.autoClass ?? AUTO_CLASSES[config.head]} reads it`,
  ];
  const heads = new Set(ignored.map(({ name }) => headOfTensor(name)).filter((head): head is HeadKind => head !== undefined));
  for (const head of heads) {
    if (head === config.head) continue;
    notes.push(
      `the weights also hold a ${head} head: ${VERB_OF_HEAD[head]} reads the checkpoint as ${architectureOf(head)}, as ${AUTO_CLASSES[head]} does`,
    );
  }
  return notes;
}
