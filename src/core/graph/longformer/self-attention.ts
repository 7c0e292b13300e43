// LongformerSelfAttention: sliding-window attention for every token plus global attention for marked tokens
// (modeling_longformer.py#L510-L700, `LongformerSelfAttention.forward`).
import type { LongformerConfig } from '../../checkpoint/config';
import { maxInputLength } from '../../checkpoint/model-rules';
import type { GraphBuilder, Value } from '../builder';
import { globalAttention } from './global-attention';
import { SLICE_TO_END, type SequenceInfo } from './sequence';
import { slidingWindowAttention, type SlidingWindowResult } from './sliding-window';
import { globalTokenScores, type LayerTokenScores, type WindowTokenScores } from './token-scores';
import { applyLinear, type GraphWeights } from './weights';

export interface SelfAttentionResult {
  /** (B, P, E) attention output before attention.output.dense. */
  readonly output: Value;
  /** When asked: (B, H, P, x + 2w + 1) local attentions and (B, H, P, x) global attentions. */
  readonly attentions?: Value;
  readonly globalAttentions?: Value;
  /** When asked (a query position given): token-scores.ts's per-token sums, padded length P. */
  readonly tokenScores?: LayerTokenScores;
}

/**
 * How many heads one group may hold, times the longest (padded) input the model takes: 6 heads at 4,096 tokens. A
 * group's score tensors are (B, d, heads, nb, w, x + 3w), 76 MB per copy at this size for base. One group of all 12
 * heads at 4,096 tokens (151 MB per copy) ran as fast with malloc on huge pages, but 8.97-12.18 s instead of
 * 7.15-7.63 s for two groups without them (macOS and Windows have none), bench/README.md "Sixth session".
 */
export const GROUP_HEAD_POSITIONS = 6 * 4096;

/**
 * The fewest heads a group holds when the heads divide so (3): groups of 3 heads keep one base layer at 16,384 tokens
 * to 1,869 MB peak, and single heads gained nothing in speed while every group costs graph nodes (bench/README.md,
 * "heads in groups of 3" and "heads one at a time").
 */
export const MIN_GROUP_HEADS = 3;

/**
 * The number of head groups for a model whose inputs are padded to at most `longestPadded` tokens: the fewest
 * groups of equal size within GROUP_HEAD_POSITIONS, but groups of at least MIN_GROUP_HEADS heads. Every group repeats
 * the sliding-window chain (about 47 graph nodes per layer), and onnxruntime's session build grows with the node
 * count: the base graph has 3,859 nodes in groups of 3 (a 16,384-token model) and 2,275 in 2 groups (4,096 tokens,
 * the published checkpoints); its saved form opened in 1.41-1.99 s against 0.96-1.20 s (bench/README.md, "Sixth
 * session").
 */
export function headGroups(heads: number, longestPadded: number): number {
  const mostHeads = Math.max(MIN_GROUP_HEADS, Math.floor(GROUP_HEAD_POSITIONS / Math.max(1, longestPadded)));
  for (let groups = 1; groups < heads; groups += 1) if (heads % groups === 0 && heads / groups <= mostHeads) return groups;
  return heads;
}

/** One mask-bias cache per sequence, so that every layer of a graph adds the same bias tensor (sliding-window.ts). */
const scoreBiasCaches = new WeakMap<SequenceInfo, Map<string, Value>>();
function scoreBiasCacheOf(seq: SequenceInfo): Map<string, Value> {
  let cache = scoreBiasCaches.get(seq);
  if (cache === undefined) {
    cache = new Map();
    scoreBiasCaches.set(seq, cache);
  }
  return cache;
}

export function selfAttention(
  b: GraphBuilder,
  weights: GraphWeights,
  config: LongformerConfig,
  layer: number,
  hidden: Value,
  seq: SequenceInfo,
  probs: boolean,
  scoresQuery?: Value,
): SelfAttentionResult {
  const prefix = `encoder.layer.${layer}.attention.self`;
  const E = config.hiddenSize;
  const H = config.numAttentionHeads;
  const dh = E / H;
  const window = config.attentionWindow[layer] ?? 0;
  const dilation = config.attentionDilation[layer] ?? 1;
  const { batch: B, numGlobal: x } = seq;

  // HuggingFace divides the query by sqrt(head_dim) after the bias (modeling_longformer.py#L548); folded into the
  // weights here. One MatMul makes query, key and value (int8 quantizes it where its scheme says, weights.ts).
  const qkv = weights.denseLinear(
    'qkv',
    layer,
    [{ prefix: `${prefix}.query`, scale: 1 / Math.sqrt(dh) }, { prefix: `${prefix}.key` }, { prefix: `${prefix}.value` }],
    E,
    E,
  );
  // Without attention outputs, a model that takes long inputs runs its heads in groups, one after the other: each
  // group's (B, d, heads, nb, w, x + 3w) score tensors are freed before the next group's exist, so memory at long
  // inputs is a fraction of the whole layer's (605 MB per copy for the base model at 16,384 tokens; headGroups).
  // The attention-output variants keep one group; the token scores are small sums made per group, so that variant
  // keeps the groups.
  const paddingMultiple = Math.max(...config.attentionWindow);
  const longestPadded = Math.ceil(maxInputLength(config) / paddingMultiple) * paddingMultiple; // sequence.ts
  const groups = probs ? 1 : headGroups(H, longestPadded);
  const Hg = H / groups;
  const Eg = E / groups;
  const parts = b.split(applyLinear(b, hidden, qkv), new Array<number>(3 * groups).fill(Eg), 2); // 3·groups × (B, P, E / groups)
  const toHeads = (t: Value): Value => b.transpose(b.reshape(t, [0, 0, Hg, dh]), [0, 2, 1, 3]); // (B, P, Hg, dh) → (B, Hg, P, dh)
  // The global tokens' keys and values from the normal projections, attended by every token in front of its window
  // (`_get_global_attn_indices` / `_concat_with_global_key_attn_probs`, modeling_longformer.py#L870-L927).
  const globalsToHeads = (t: Value): Value =>
    b.transpose(b.reshapeExact(b.gather(b.reshape(t, [-1, Eg]), seq.globalFlatIndex), [B, x, Hg, dh]), [0, 2, 1, 3]); // (B, x, Hg, dh) → (B, Hg, x, dh)
  const keyInWindow = b.cast(seq.isLocal, 'float32');

  let local: SlidingWindowResult | undefined;
  const groupOutputs: Value[] = [];
  const groupScores: WindowTokenScores[] = [];
  for (let g = 0; g < groups; g += 1) {
    const query = parts[g];
    const key = parts[groups + g];
    const value = parts[2 * groups + g];
    if (query === undefined || key === undefined || value === undefined) throw new Error('unreachable: split into 3·groups');
    local = slidingWindowAttention(
      b,
      {
        query: toHeads(query),
        key: toHeads(key),
        value: toHeads(value),
        keyInWindow,
        globalKey: globalsToHeads(key),
        globalValue: globalsToHeads(value),
        globalSlotValid: seq.globalSlotValid,
        batch: B,
        padded: seq.padded,
        numGlobal: x,
        scoreBiasCache: scoreBiasCacheOf(seq),
      },
      {
        heads: Hg,
        headDim: dh,
        oneSided: window / 2,
        dilation,
        // The sequence is padded to a multiple of the largest window (sequence.ts); the block layout needs d·w.
        paddedIsMultipleOfBlock: paddingMultiple % ((dilation * window) / 2) === 0,
        ...(probs ? { probs } : {}),
        ...(scoresQuery === undefined ? {} : { tokenScores: { rowIsLocal: keyInWindow, query: scoresQuery } }),
      },
    );
    if (local.tokenScores !== undefined) groupScores.push(local.tokenScores);
    groupOutputs.push(b.reshape(b.transpose(local.context, [0, 2, 1, 3]), [0, 0, Eg])); // (B, Hg, P, dh) → (B, P, E / groups)
  }
  if (local === undefined) throw new Error('unreachable: at least one head group');
  const localOutput = groups === 1 ? (groupOutputs[0] ?? local.context) : b.concat(groupOutputs, 2); // (B, P, E)

  const global = b.scoped('global', () => globalAttention(b, weights, prefix, hidden, seq, { hidden: E, heads: H }));

  // Padding rows attend to nothing (their probabilities are zeroed, modeling_longformer.py#L600); global rows take
  // the global result (modeling_longformer.py#L640-L660).
  const isGlobal = b.unsqueeze(seq.isGlobal, [2]); // (B, P, 1)
  const isPadding = b.unsqueeze(seq.isPadding, [2]); // (B, P, 1)
  const output = b.where(isGlobal, global.output, b.where(isPadding, b.scalarFloat(0), localOutput));
  if (scoresQuery !== undefined) {
    const heads = (part: keyof WindowTokenScores): Value => {
      const values = groupScores.map((scores) => scores[part]);
      return values.length === 1 ? values[0]! : b.concat(values, 1); // groups' heads in order along axis 1
    };
    const fromGlobals = globalTokenScores(b, global.probs, seq, scoresQuery);
    const tokenScores = {
      ...fromGlobals,
      localReceived: heads('localReceived'),
      localToGlobals: heads('localToGlobals'),
      queryLocal: heads('queryLocal'),
    };
    return { output, tokenScores };
  }
  if (!probs || local.globalProbs === undefined || local.windowProbs === undefined) return { output };

  // HF layout of `attentions`: the global columns then the 2w + 1 offsets; rows of global and padding tokens are 0.
  // Only the mostGlobals real columns are kept: without global tokens the one filler slot's column goes (sequence.ts).
  const rowIsLocal = b.unsqueeze(b.cast(seq.isLocal, 'float32'), [1, 3]); // (B, 1, P, 1)
  const slotsAndWindow = b.mul(b.concat([local.globalProbs, local.windowProbs], 3), rowIsLocal); // (B, H, P, x + 2w + 1)
  const attentions = b.slice(slotsAndWindow, b.sub(x, seq.mostGlobals), b.constInt64([SLICE_TO_END]), [3]); // (B, H, P, mostGlobals + 2w + 1)
  return { output, attentions, globalAttentions: global.probs };
}
