// Maps the tensor names found in a weight file to the canonical names the engine uses (see shapes.ts): the
// encoder without the `longformer.` prefix that task models add, and LayerNorm parameters under their current
// names (checkpoints converted from TensorFlow-era code call them gamma/beta).

/** Buffers that PyTorch saves with the weights but that hold no learned values; dropped without a word. */
const IGNORED_BUFFERS: ReadonlySet<string> = new Set(['embeddings.position_ids', 'embeddings.token_type_ids']);

export function canonicalName(stored: string): string {
  let name = stored.startsWith('longformer.') ? stored.slice('longformer.'.length) : stored;
  if (name.endsWith('LayerNorm.gamma')) name = `${name.slice(0, -'gamma'.length)}weight`;
  else if (name.endsWith('LayerNorm.beta')) name = `${name.slice(0, -'beta'.length)}bias`;
  return name;
}

/** True for a canonical name that is a buffer rather than a weight. */
export function isIgnoredBuffer(canonical: string): boolean {
  return IGNORED_BUFFERS.has(canonical);
}

// The task heads' own tensors, by canonical name prefix (modeling_longformer.py's attribute names).
const HEAD_PREFIXES: ReadonlyArray<[string, string]> = [
  ['lm_head.', 'masked-LM'],
  ['qa_outputs.', 'question-answering'],
  ['classifier.', 'classification'],
];

/** The head a canonical name belongs to ("masked-LM" for lm_head.*), or undefined for encoder tensors. */
export function otherHeadOf(canonical: string): string | undefined {
  return HEAD_PREFIXES.find(([prefix]) => canonical.startsWith(prefix))?.[1];
}
