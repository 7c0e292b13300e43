// Turns a recorded Graph into ONNX ModelProto bytes. Large initializers can go to an external data file (ONNX's
// external-data convention: location/offset/length entries, resolved by onnxruntime relative to the model file),
// which keeps the protobuf far below its 2 GB limit for any checkpoint size (longformer-large is 1.7 GB of float32).
import { endianness } from 'node:os';
import type { AttributeValue, Graph, GraphIO } from './builder';
import { ModelProtoType, OnnxAttributeType, OnnxDataLocation } from './onnx-schema';
import { ONNX_TYPE_OF, tensorBytes, type GraphTensor } from './tensor-data';

/** ONNX IR version 8 is the one that goes with opset 17 (onnx 1.12). */
const IR_VERSION = 8;

/** Where external initializer bytes go: returns the byte range the tensor occupies in `location`. */
export interface ExternalDataSink {
  /** File name relative to the model file. */
  readonly location: string;
  place(name: string, bytes: Uint8Array): { offset: number; length: number };
}

export interface SerializeOptions {
  readonly producerVersion?: string;
  /** When given, initializers of at least `externalThresholdBytes` (default 1 KiB) are stored externally. */
  readonly external?: ExternalDataSink;
  readonly externalThresholdBytes?: number;
  /** Free-form key/values stored in the model's metadata_props. */
  readonly metadata?: Readonly<Record<string, string>>;
}

export function serializeModel(graph: Graph, options: SerializeOptions = {}): Uint8Array {
  // raw_data is little-endian by the ONNX spec, and the typed arrays are written as they lie in memory.
  if (endianness() !== 'LE') throw new Error('ONNX serialization needs a little-endian host');
  const threshold = options.externalThresholdBytes ?? 1024;
  const initializer = [...graph.initializers].map(([name, tensor]) => {
    const bytes = tensorBytes(tensor);
    if (options.external !== undefined && bytes.byteLength >= threshold) {
      const { offset, length } = options.external.place(name, bytes);
      return {
        name,
        dims: tensor.dims,
        dataType: ONNX_TYPE_OF[tensor.dtype],
        dataLocation: OnnxDataLocation.EXTERNAL,
        externalData: [
          { key: 'location', value: options.external.location },
          { key: 'offset', value: String(offset) },
          { key: 'length', value: String(length) },
        ],
      };
    }
    return tensorMessage(name, tensor);
  });
  const message = {
    irVersion: IR_VERSION,
    producerName: 'longformer-lens',
    producerVersion: options.producerVersion ?? '0',
    graph: { ...graphMessage(graph), initializer },
    opsetImport: [{ domain: '', version: graph.opset }, ...[...(graph.domains ?? [])].map(([domain, version]) => ({ domain, version }))],
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
  };
  const error = ModelProtoType.verify(message);
  if (error !== null) throw new Error(`internal: the ONNX model message is invalid: ${error}`);
  return ModelProtoType.encode(ModelProtoType.fromObject(message)).finish();
}

/** Nodes and graph inputs/outputs (a subgraph's initializers live in the main graph). */
function graphMessage(graph: Graph): Record<string, unknown> {
  return {
    name: graph.name,
    node: graph.nodes.map((node) => ({
      name: node.name,
      opType: node.opType,
      input: node.inputs,
      output: node.outputs,
      attribute: [...node.attributes].map(([name, value]) => attributeMessage(name, value)),
      ...(node.domain === undefined ? {} : { domain: node.domain }),
    })),
    input: graph.inputs.map(valueInfoMessage),
    output: graph.outputs.map(valueInfoMessage),
  };
}

function tensorMessage(name: string, tensor: GraphTensor): Record<string, unknown> {
  return { name, dims: tensor.dims, dataType: ONNX_TYPE_OF[tensor.dtype], rawData: tensorBytes(tensor) };
}

function attributeMessage(name: string, value: AttributeValue): Record<string, unknown> {
  switch (value.kind) {
    case 'int':
      return { name, type: OnnxAttributeType.INT, i: value.value };
    case 'float':
      return { name, type: OnnxAttributeType.FLOAT, f: value.value };
    case 'string':
      return { name, type: OnnxAttributeType.STRING, s: new TextEncoder().encode(value.value) };
    case 'ints':
      return { name, type: OnnxAttributeType.INTS, ints: value.value };
    case 'floats':
      return { name, type: OnnxAttributeType.FLOATS, floats: value.value };
    case 'tensor':
      return { name, type: OnnxAttributeType.TENSOR, t: tensorMessage(name, value.value) };
    case 'graph':
      return { name, type: OnnxAttributeType.GRAPH, g: graphMessage(value.value) };
  }
}

function valueInfoMessage(io: GraphIO): Record<string, unknown> {
  return {
    name: io.name,
    type: {
      tensorType: {
        elemType: ONNX_TYPE_OF[io.dtype],
        ...(io.dims === undefined
          ? {}
          : { shape: { dim: io.dims.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })) } }),
      },
    },
  };
}
