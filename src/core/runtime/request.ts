// A run request as the CLI (and any other JSON front end) takes it: token ids, optional masks and the outputs to
// return. Validation and HuggingFace's default global attention live here, not in the front end.
import type { LongformerConfig } from '../checkpoint/config';
import { huggingFaceGlobalAttention } from '../checkpoint/model-rules';
import type { FloatTensor } from '../checkpoint/tensor';
import { LensError } from '../errors';
import { OUTPUT_NAMES, type ModelInputs, type ModelOutputs, type OutputName } from './engine';
import { validateModelInputs } from './model-inputs';

export interface RunRequest {
  readonly inputs: ModelInputs;
  readonly outputs: readonly OutputName[];
  /** The global attention mask the model gets: the given one, or the head's default. */
  readonly globalAttentionMask: number[][];
}

const REQUEST_KEYS = new Set(['input_ids', 'attention_mask', 'global_attention_mask', 'outputs']);

/**
 * Parses and checks a request against the model: rows of equal length, ids in the vocabulary, 0/1 masks, a length
 * the position table covers, output names this head has. `available` is the engine's list of outputs.
 */
export function parseRunRequest(json: unknown, config: LongformerConfig, available: readonly OutputName[]): RunRequest {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new LensError('BAD_ARGUMENT', 'The request must be a JSON object with "input_ids" and "outputs".');
  }
  const fields = json as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!REQUEST_KEYS.has(key))
      throw new LensError('BAD_ARGUMENT', `The request has an unknown field "${key}"; known fields: ${[...REQUEST_KEYS].join(', ')}.`);
  }
  const inputIds = intMatrix(fields['input_ids'], 'input_ids');
  if (inputIds === undefined) throw new LensError('BAD_ARGUMENT', 'The request needs "input_ids": a list of rows of token ids.');
  const batchSize = inputIds.length;
  const seqLen = inputIds[0]?.length ?? 0;
  const attentionMask =
    intMatrix(fields['attention_mask'], 'attention_mask', [batchSize, seqLen]) ?? inputIds.map((row) => row.map(() => 1));
  const globalAttentionMask =
    intMatrix(fields['global_attention_mask'], 'global_attention_mask', [batchSize, seqLen]) ??
    defaultGlobalAttentionMask(config, inputIds);

  const outputs = outputList(fields['outputs'], available);
  const toBig = (rows: number[][]): BigInt64Array => BigInt64Array.from(rows.flat(), (value) => BigInt(value));
  const inputs: ModelInputs = {
    batchSize,
    seqLen,
    inputIds: toBig(inputIds),
    attentionMask: toBig(attentionMask),
    globalAttentionMask: toBig(globalAttentionMask),
  };
  validateModelInputs(config, inputs);
  return { inputs, outputs, globalAttentionMask };
}

/** HuggingFace's default global attention for each row (the rule and its sources: checkpoint/model-rules.ts). */
export function defaultGlobalAttentionMask(config: LongformerConfig, inputIds: readonly (readonly number[])[]): number[][] {
  return inputIds.map((row, index) => [...huggingFaceGlobalAttention(config, row, index)]);
}

function intMatrix(value: unknown, name: string, shape?: readonly [number, number]): number[][] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) throw new LensError('BAD_ARGUMENT', `"${name}" must be a non-empty list of rows.`);
  const rows = value.map((row: unknown, index): number[] => {
    if (!Array.isArray(row) || row.length === 0)
      throw new LensError('BAD_ARGUMENT', `"${name}" row ${index} must be a non-empty list of integers.`);
    return row.map((item: unknown, position): number => {
      if (typeof item !== 'number' || !Number.isSafeInteger(item)) {
        throw new LensError('BAD_ARGUMENT', `"${name}"[${index}][${position}] is ${JSON.stringify(item)}, not an integer.`);
      }
      return item;
    });
  });
  const width = rows[0]?.length ?? 0;
  rows.forEach((row, index) => {
    if (row.length !== width) {
      throw new LensError(
        'BAD_ARGUMENT',
        `"${name}" is ragged: row 0 has ${width} values, row ${index} has ${row.length}.`,
        'Pad shorter rows with <pad> and attention_mask 0.',
      );
    }
  });
  if (shape !== undefined && (rows.length !== shape[0] || width !== shape[1])) {
    throw new LensError('BAD_ARGUMENT', `"${name}" is ${rows.length} × ${width}, but input_ids is ${shape[0]} × ${shape[1]}.`);
  }
  return rows;
}

function outputList(value: unknown, available: readonly OutputName[]): OutputName[] {
  if (value === undefined) return available.filter((name) => name !== 'attentions' && name !== 'global_attentions');
  if (!Array.isArray(value) || value.length === 0)
    throw new LensError('BAD_ARGUMENT', '"outputs" must be a non-empty list of output names.');
  const names: OutputName[] = [];
  for (const item of value) {
    if (typeof item !== 'string' || !(OUTPUT_NAMES as readonly string[]).includes(item)) {
      throw new LensError('BAD_ARGUMENT', `Unknown output ${JSON.stringify(item)}; outputs are ${OUTPUT_NAMES.join(', ')}.`);
    }
    const name = item as OutputName;
    if (!available.includes(name))
      throw new LensError('WRONG_HEAD', `This model has no output "${name}"; it offers ${available.join(', ')}.`);
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

export interface JsonTensor {
  readonly shape: readonly number[];
  readonly data: unknown;
}

/** The response: each requested output as {shape, data} (attentions per layer), the provider, the precision and the global mask used. */
export function runResponse(request: RunRequest, result: ModelOutputs): Record<string, unknown> {
  const response: Record<string, unknown> = {};
  for (const name of request.outputs) {
    if (name === 'attentions') response[name] = (result.attentions ?? []).map(jsonTensor);
    else if (name === 'global_attentions')
      response[name] = result.globalAttentions === undefined ? null : result.globalAttentions.map(jsonTensor);
    else {
      const tensor = result.tensors.get(name);
      if (tensor === undefined) throw new Error(`internal: the engine did not return ${name}`);
      response[name] = jsonTensor(tensor);
    }
  }
  response['provider'] = result.provider;
  response['precision'] = result.precision;
  if (result.providerNote !== undefined) response['provider_note'] = result.providerNote;
  if (result.precisionNote !== undefined) response['precision_note'] = result.precisionNote;
  // The numbers come from positions the checkpoint never learned (--extend-positions): said beside them.
  if (result.approximation !== undefined) response['approximation'] = result.approximation;
  response['global_attention_mask'] = request.globalAttentionMask;
  return response;
}

export function jsonTensor(tensor: FloatTensor): JsonTensor {
  return { shape: tensor.shape, data: nest(tensor.data, tensor.shape, 0, 0) };
}

/** Row-major data as nested arrays of the given shape. */
function nest(data: Float32Array, shape: readonly number[], axis: number, offset: number): unknown {
  const size = shape[axis];
  if (size === undefined) return data[offset];
  const stride = shape.slice(axis + 1).reduce((product, dim) => product * dim, 1);
  return Array.from({ length: size }, (_, index) => nest(data, shape, axis + 1, offset + index * stride));
}
