// Everything about the (padded) sequence that every layer shares: the merged mask, internal padding, and where the
// global tokens are. Computed once per run inside the graph, so batch size and length stay dynamic.
import type { GraphBuilder, Value } from '../builder';

/** The largest int64 used as an open Slice end. */
export const SLICE_TO_END = 2 ** 62;

export interface SequenceInfo {
  /** (batch, padded) int64 token ids, internal padding included. */
  readonly inputIds: Value;
  /** int64 [1] values: batch size, given length, padded length. */
  readonly batch: Value;
  readonly length: Value;
  readonly padded: Value;
  /** int64 [1]: the most global tokens any row has (HuggingFace's x, 0 when no row has one). */
  readonly mostGlobals: Value;
  /**
   * int64 [1]: x, the number of global slots every row gets: mostGlobals, but at least 1. With no global token the
   * one slot is a filler (globalSlotValid false) whose keys are masked like any filler slot, so the global path runs
   * on a slot that changes nothing instead of on zero-size tensors, which GPU kernels reject (WebGPU dispatches
   * 0 workgroups and fails). Outputs drop the filler column again (self-attention.ts, open.ts). Cost: one
   * global query over the sequence per layer, well under 1 % of a layer at any length.
   */
  readonly numGlobal: Value;
  /** (batch, padded) bool masks from the merged mask: 0 padding, 1 local, 2 global. */
  readonly isPadding: Value;
  readonly isLocal: Value;
  readonly isGlobal: Value;
  /** (batch, x) int64: flat index (row * padded + position) of each row's j-th global token, positions ascending. */
  readonly globalFlatIndex: Value;
  /** (batch, x) int64: the position of each row's j-th global token (of filler slots: some position, see globalSlotValid). */
  readonly globalPositions: Value;
  /** (batch, x) bool: slot j of a row holds a real global token (rows with fewer globals have filler slots). */
  readonly globalSlotValid: Value;
  /**
   * (batch, padded) int64: for a global token, the flat index (row * x + j) of its slot; for other tokens
   * batch * x, one past the end, where callers put a row of zeros.
   */
  readonly globalSlotOfPosition: Value;
}

/**
 * Merges the masks as `attention_mask * (global_attention_mask + 1)` (modeling_longformer.py#L1568-L1574) and pads
 * every row with `<pad>` (mask 0) to a multiple of `paddingMultiple` (= max(attention_window),
 * `_pad_to_window_size`, modeling_longformer.py#L1530-L1566).
 */
export function sequenceInfo(
  b: GraphBuilder,
  inputs: { inputIds: Value; attentionMask: Value; globalAttentionMask: Value },
  padTokenId: number,
  paddingMultiple: number,
): SequenceInfo {
  return b.scoped('sequence', () => {
    const merged = b.mul(inputs.attentionMask, b.add(inputs.globalAttentionMask, b.scalarInt64(1))); // (batch, len)
    const batch = b.dim(inputs.inputIds, 0);
    const length = b.dim(inputs.inputIds, 1);
    const multiple = b.constInt64([paddingMultiple]);
    const padded = b.mul(b.div(b.add(length, b.constInt64([paddingMultiple - 1])), multiple), multiple);
    const pads = b.concat([b.constInt64([0, 0, 0]), b.sub(padded, length)], 0); // [0, 0, 0, padded - len]
    const inputIds = b.pad(inputs.inputIds, pads, b.scalarInt64(padTokenId)); // (batch, padded)
    const mask = b.pad(merged, pads, b.scalarInt64(0)); // (batch, padded)

    const isPadding = b.equal(mask, b.scalarInt64(0));
    const isLocal = b.equal(mask, b.scalarInt64(1));
    const isGlobal = b.greater(mask, b.scalarInt64(1));
    const isGlobalInt = b.cast(isGlobal, 'int64');

    const globalsPerRow = b.reduceSum(isGlobalInt, [1], true); // (batch, 1)
    const mostGlobals = b.reshape(b.reduceMax(globalsPerRow, [0], false), [1]); // [1]
    const numGlobal = b.max(mostGlobals, b.constInt64([1])); // [1]

    // The j-th global token of each row: TopK over a key that puts globals first, earliest position first.
    const positions = b.range(b.scalarInt64(0), b.reshape(padded, []), b.scalarInt64(1)); // (padded)
    const positionsFloat = b.cast(positions, 'float32');
    const paddedFloat = b.cast(padded, 'float32');
    const sortKey = b.sub(b.mul(b.cast(isGlobal, 'float32'), b.add(paddedFloat, b.scalarFloat(1))), positionsFloat);
    const [, globalPositions] = b.topK(sortKey, numGlobal, 1); // (batch, x)
    const rowIndex = b.unsqueeze(b.range(b.scalarInt64(0), b.reshape(batch, []), b.scalarInt64(1)), [1]); // (batch, 1)
    const globalFlatIndex = b.add(b.mul(rowIndex, padded), globalPositions);

    const slots = b.range(b.scalarInt64(0), b.reshape(numGlobal, []), b.scalarInt64(1)); // (x)
    const globalSlotValid = b.less(slots, globalsPerRow); // (batch, x)

    const rank = b.sub(b.cumSum(isGlobalInt, b.scalarInt64(1)), b.scalarInt64(1)); // (batch, padded)
    const slotFlat = b.add(b.mul(rowIndex, numGlobal), rank);
    const globalSlotOfPosition = b.where(isGlobal, slotFlat, b.mul(batch, numGlobal));

    return {
      inputIds,
      batch,
      length,
      padded,
      mostGlobals,
      numGlobal,
      isPadding,
      isLocal,
      isGlobal,
      globalFlatIndex,
      globalPositions,
      globalSlotValid,
      globalSlotOfPosition,
    };
  });
}
