// What a PyTorch state dict's data.pkl may name, and what each name means here. torch.save pickles a state dict
// as an OrderedDict of tensors; each tensor is `_rebuild_tensor_v2(storage, offset, size, stride, ...)` (wrapped in
// `_rebuild_parameter` for nn.Parameters), and each storage is a persistent id ('storage', <type>, key, device,
// numel) that names a member of the zip. Nothing outside this list is ever needed to read weights, so anything
// else — os.system, builtins.eval, any class — is refused by name.
// Reference: torch/serialization.py (_save, _load) and torch/_utils.py (_rebuild_tensor_v2).
import { LensError } from '../errors';
import type { SourceDType } from './dtype';
import { PickleDict, PickleGlobal, PickleObject, PickleTuple, type PickleHooks, type PickleValue } from './pickle';

/** A storage named by the pickle: a member `data/<key>` holding `numel` elements of `dtype`. */
export class StorageRef extends PickleObject {
  constructor(
    readonly key: string,
    readonly dtype: SourceDType,
    readonly numel: number,
  ) {
    super();
  }
}

/** A tensor as the pickle describes it: a strided view into a storage. */
export class TensorRef extends PickleObject {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
  ) {
    super();
  }
}

// torch.<Name>Storage → element type. Integer types other than Long never appear in a Longformer state dict;
// they are listed so that the error names the real problem (an unsupported dtype) rather than an unsafe global.
const STORAGE_TYPES: ReadonlyMap<string, SourceDType | undefined> = new Map<string, SourceDType | undefined>([
  ['FloatStorage', 'F32'],
  ['HalfStorage', 'F16'],
  ['BFloat16Storage', 'BF16'],
  ['LongStorage', 'I64'],
  ['DoubleStorage', undefined],
  ['IntStorage', undefined],
  ['ShortStorage', undefined],
  ['CharStorage', undefined],
  ['ByteStorage', undefined],
  ['BoolStorage', undefined],
]);

/** The hooks that let unpickle() read a state dict and nothing else. */
export function stateDictHooks(source: string): PickleHooks {
  const globals = new Map<string, PickleGlobal>();
  const define = (module: string, name: string, call?: (args: readonly PickleValue[]) => PickleValue): void => {
    globals.set(`${module}.${name}`, new PickleGlobal(module, name, call));
  };

  // OrderedDict() — a state dict is one; any items arrive later through SETITEMS.
  define('collections', 'OrderedDict', (args) => {
    if (args.length !== 0) throw bad(source, 'collections.OrderedDict is called with arguments');
    return new PickleDict();
  });
  // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
  define('torch._utils', '_rebuild_tensor_v2', (args) => rebuildTensor(args, source));
  // _rebuild_parameter(data, requires_grad, backward_hooks): a Parameter is its tensor for our purposes.
  define('torch._utils', '_rebuild_parameter', (args) => {
    const tensor = args[0];
    if (!(tensor instanceof TensorRef)) throw bad(source, '_rebuild_parameter is not given a tensor');
    return tensor;
  });
  for (const name of STORAGE_TYPES.keys()) define('torch', name);

  return {
    resolveGlobal(module, name) {
      const known = globals.get(`${module}.${name}`);
      if (known === undefined) {
        throw new LensError(
          'UNSAFE_PICKLE',
          `${source}: pickle references ${module}.${name}, which a state dict never needs; refusing to load.`,
          'Only load weights you trust; ask for the checkpoint as model.safetensors.',
        );
      }
      return known;
    },
    persistentLoad(id) {
      return loadStorage(id, source);
    },
  };
}

/** ('storage', torch.<Type>Storage, key, location, numel) → a StorageRef; the bytes are checked later. */
function loadStorage(id: PickleValue, source: string): StorageRef {
  if (!(id instanceof PickleTuple) || id.items.length !== 5 || id.items[0] !== 'storage') {
    throw bad(source, "a persistent id is not a ('storage', type, key, location, size) tuple");
  }
  const [, type, key, , numel] = id.items;
  if (!(type instanceof PickleGlobal) || type.module !== 'torch' || !STORAGE_TYPES.has(type.name)) {
    throw bad(source, 'a storage has no storage type');
  }
  const dtype = STORAGE_TYPES.get(type.name);
  if (dtype === undefined) {
    throw new LensError(
      'BAD_CHECKPOINT',
      `${source}: a storage is torch.${type.name}; only float32, float16, bfloat16 and int64 storages are supported.`,
    );
  }
  if (typeof key !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(key)) throw bad(source, `storage key ${describeValue(key)} is not a plain name`);
  return new StorageRef(key, dtype, integer(numel, 'storage size', source));
}

function rebuildTensor(args: readonly PickleValue[], source: string): TensorRef {
  const [storage, offset, size, stride] = args;
  if (args.length < 6 || !(storage instanceof StorageRef)) throw bad(source, '_rebuild_tensor_v2 is not given a storage');
  const shape = integers(size, 'tensor size', source);
  const strides = integers(stride, 'tensor stride', source);
  if (shape.length !== strides.length) throw bad(source, `a tensor has ${shape.length} sizes but ${strides.length} strides`);
  return new TensorRef(storage, integer(offset, 'storage offset', source), shape, strides);
}

function integers(value: PickleValue | undefined, what: string, source: string): number[] {
  if (!(value instanceof PickleTuple)) throw bad(source, `${what} is not a tuple`);
  return value.items.map((item) => integer(item, what, source));
}

/** Sizes, strides and offsets must be non-negative and exactly representable. */
function integer(value: PickleValue | undefined, what: string, source: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw bad(source, `${what} ${describeValue(value)} is not a non-negative integer`);
  }
  return value;
}

function bad(source: string, what: string): LensError {
  return new LensError('BAD_CHECKPOINT', `${source}: malformed state dict pickle: ${what}.`);
}

/** A pickled value for an error message: primitives as they are, objects by their kind (never "[object Object]"). */
function describeValue(value: PickleValue | undefined): string {
  if (typeof value === 'object' && value !== null) return `(a ${value.constructor.name})`;
  return typeof value === 'bigint' ? `${value}n` : String(value);
}
