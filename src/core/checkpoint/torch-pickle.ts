// What a PyTorch state dict's pickle may name, and what each name means here. torch.save pickles a state dict as
// an OrderedDict of tensors; each tensor is `_rebuild_tensor_v2(storage, offset, size, stride, ...)` (wrapped in
// `_rebuild_parameter` for nn.Parameters), and each storage is a persistent id
// ('storage', <type>, key, location, numel[, view_metadata]) that names a member of the zip (or, in the legacy
// format, a storage after the pickles). Nothing outside this list is ever needed to read weights, so anything
// else — os.system, builtins.eval, any class — is refused by name.
// Reference: torch/serialization.py (_save, _load, _legacy_load) and torch/_utils.py (_rebuild_tensor_v2/v3).
import { LensError } from '../errors';
import type { SourceDType } from './dtype';
import { PickleDict, PickleGlobal, PickleObject, PickleTuple, type PickleHooks, type PickleValue } from './pickle';

/**
 * A storage named by the pickle: `numel` elements of `dtype` under `key` ('untyped': torch.UntypedStorage, whose
 * numel counts bytes and whose tensors carry their own dtype). Legacy files may point into a part of the storage
 * (`view`, in elements), which tensor offsets then count from.
 */
export class StorageRef extends PickleObject {
  constructor(
    readonly key: string,
    readonly dtype: SourceDType | 'untyped',
    readonly numel: number,
    readonly view?: { readonly offset: number; readonly numel: number },
  ) {
    super();
  }
}

/** A tensor as the pickle describes it: a strided view of `dtype` elements into a storage. */
export class TensorRef extends PickleObject {
  constructor(
    readonly storage: StorageRef,
    readonly dtype: SourceDType,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
  ) {
    super();
  }
}

// torch.<Name>Storage → element type. Short, Char and Byte never appear in a Longformer state dict; they are
// listed so that the error names the real problem (an unsupported dtype) rather than an unsafe global.
const STORAGE_TYPES: ReadonlyMap<string, SourceDType | 'untyped' | undefined> = new Map<string, SourceDType | 'untyped' | undefined>([
  ['FloatStorage', 'F32'],
  ['HalfStorage', 'F16'],
  ['BFloat16Storage', 'BF16'],
  ['DoubleStorage', 'F64'],
  ['LongStorage', 'I64'],
  ['IntStorage', 'I32'],
  ['BoolStorage', 'BOOL'],
  ['UntypedStorage', 'untyped'],
  ['ShortStorage', undefined],
  ['CharStorage', undefined],
  ['ByteStorage', undefined],
]);

// torch.<dtype> globals, as _rebuild_tensor_v3 names the element type of a tensor over an UntypedStorage.
const DTYPES: ReadonlyMap<string, SourceDType> = new Map<string, SourceDType>([
  ['float32', 'F32'],
  ['float16', 'F16'],
  ['bfloat16', 'BF16'],
  ['float64', 'F64'],
  ['int64', 'I64'],
  ['int32', 'I32'],
  ['bool', 'BOOL'],
]);

/** The hooks that let unpickle() read a state dict and nothing else. */
export function stateDictHooks(source: string): PickleHooks {
  const globals = new Map<string, PickleGlobal>();
  const define = (module: string, name: string, call?: (args: readonly PickleValue[]) => PickleValue): void => {
    globals.set(`${module}.${name}`, new PickleGlobal(module, name, call));
  };

  // OrderedDict() — a state dict is one; its items arrive through SETITEMS, its `_metadata` through BUILD.
  define('collections', 'OrderedDict', (args) => {
    if (args.length !== 0) throw bad(source, 'collections.OrderedDict is called with arguments');
    return new PickleDict();
  });
  // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]), and
  // _rebuild_tensor(storage, storage_offset, size, stride) of files older than PyTorch 1.0.
  define('torch._utils', '_rebuild_tensor_v2', (args) => rebuildTensor(args, 6, undefined, source));
  define('torch._utils', '_rebuild_tensor', (args) => rebuildTensor(args, 4, undefined, source));
  // _rebuild_tensor_v3(untyped_storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype[, metadata])
  define('torch._utils', '_rebuild_tensor_v3', (args) => rebuildTensor(args, 7, dtypeOf(args[6], source), source));
  // _rebuild_parameter(data, requires_grad, backward_hooks) and _rebuild_parameter_with_state(..., state): a
  // Parameter is its tensor for our purposes.
  const parameter = (args: readonly PickleValue[]): PickleValue => {
    const tensor = args[0];
    if (!(tensor instanceof TensorRef)) throw bad(source, '_rebuild_parameter is not given a tensor');
    return tensor;
  };
  define('torch._utils', '_rebuild_parameter', parameter);
  define('torch._utils', '_rebuild_parameter_with_state', parameter);
  for (const name of STORAGE_TYPES.keys()) define('torch', name);
  for (const name of DTYPES.keys()) define('torch', name);

  return {
    resolveGlobal(module, name) {
      const known = globals.get(`${module}.${name}`);
      if (known === undefined) throw unsafeGlobal(source, module, name);
      return known;
    },
    persistentLoad(id) {
      return loadStorage(id, source);
    },
  };
}

/** Hooks for pickles that hold plain data only (the legacy format's magic number, version, sys_info, key list). */
export function plainDataHooks(source: string): PickleHooks {
  return {
    resolveGlobal(module, name) {
      throw unsafeGlobal(source, module, name);
    },
    persistentLoad() {
      throw bad(source, 'a persistent id appears where only plain data may be');
    },
  };
}

function unsafeGlobal(source: string, module: string, name: string): LensError {
  return new LensError(
    'UNSAFE_PICKLE',
    `${source}: pickle references ${module}.${name}, which a state dict never needs; refusing to load.`,
    'Only load weights you trust; ask for the checkpoint as model.safetensors.',
  );
}

/** ('storage', torch.<Type>Storage, key, location, numel[, view_metadata]) → a StorageRef; bytes are checked later. */
function loadStorage(id: PickleValue, source: string): StorageRef {
  if (!(id instanceof PickleTuple) || (id.items.length !== 5 && id.items.length !== 6) || id.items[0] !== 'storage') {
    throw bad(source, "a persistent id is not a ('storage', type, key, location, size) tuple");
  }
  const [, type, key, , numel, viewMetadata] = id.items;
  if (!(type instanceof PickleGlobal) || type.module !== 'torch' || !STORAGE_TYPES.has(type.name)) {
    throw bad(source, 'a storage has no storage type');
  }
  const dtype = STORAGE_TYPES.get(type.name);
  if (dtype === undefined) {
    throw new LensError(
      'BAD_CHECKPOINT',
      `${source}: a storage is torch.${type.name}; only float32, float16, bfloat16, float64, int64, int32 and bool storages are supported.`,
    );
  }
  const rootKey = storageKey(key, source);
  const size = integer(numel, 'storage size', source);
  if (viewMetadata === undefined || viewMetadata === null) return new StorageRef(rootKey, dtype, size);
  // Storages that are views into another (PyTorch < 0.4): (view_key, offset, view_size), in elements.
  if (!(viewMetadata instanceof PickleTuple) || viewMetadata.items.length !== 3) {
    throw bad(source, 'view metadata is not a (key, offset, size) tuple');
  }
  const [viewKey, offset, viewSize] = viewMetadata.items;
  storageKey(viewKey, source);
  const view = { offset: integer(offset, 'storage view offset', source), numel: integer(viewSize, 'storage view size', source) };
  if (view.offset + view.numel > size) {
    throw bad(source, `a view of ${view.numel} elements at offset ${view.offset} does not fit storage ${rootKey} of ${size}`);
  }
  return new StorageRef(rootKey, dtype, size, view);
}

function storageKey(key: PickleValue | undefined, source: string): string {
  if (typeof key !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(key)) throw bad(source, `storage key ${describeValue(key)} is not a plain name`);
  return key;
}

function dtypeOf(value: PickleValue | undefined, source: string): SourceDType {
  const dtype = value instanceof PickleGlobal && value.module === 'torch' ? DTYPES.get(value.name) : undefined;
  if (dtype === undefined) throw bad(source, '_rebuild_tensor_v3 is not given a torch dtype');
  return dtype;
}

function rebuildTensor(args: readonly PickleValue[], minArgs: number, dtype: SourceDType | undefined, source: string): TensorRef {
  const [storage, offset, size, stride] = args;
  if (args.length < minArgs || !(storage instanceof StorageRef)) throw bad(source, 'a tensor is not given a storage');
  if (storage.dtype === 'untyped' && dtype === undefined) throw bad(source, 'a tensor over an untyped storage has no dtype');
  if (storage.dtype !== 'untyped' && dtype !== undefined && storage.dtype !== dtype) {
    throw bad(source, `a ${dtype} tensor is over a ${storage.dtype} storage`);
  }
  const shape = integers(size, 'tensor size', source);
  const strides = integers(stride, 'tensor stride', source);
  if (shape.length !== strides.length) throw bad(source, `a tensor has ${shape.length} sizes but ${strides.length} strides`);
  const elementType = dtype ?? (storage.dtype as SourceDType);
  return new TensorRef(storage, elementType, integer(offset, 'storage offset', source), shape, strides);
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
