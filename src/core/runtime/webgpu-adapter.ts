// Which adapter WebGPU would run on, so that `auto` never picks a software renderer (Mesa's llvmpipe/lavapipe,
// SwiftShader, WARP, Microsoft Basic Render Driver): on one the base model runs many times slower than on the CPU
// provider, which is what a Linux VM, WSL or a server without a GPU would get.
//
// onnxruntime-node cannot say which adapter its WebGPU provider took: it has no adapter-info API, and its verbose log
// names only the WGPUInstance/WGPUDevice pointers. On Linux Dawn reaches every adapter through the Vulkan loader, and
// the loader names the device it creates when VK_LOADER_DEBUG=driver is set (`Using "llvmpipe (LLVM 15.0.6, 256
// bits)" with driver: "libvulkan_lvp.so"`). So the identity is read there: a child process (the loader logs to the
// process's stderr) opens a WebGPU session on a one-node model and its stderr is searched for that line. The verdict
// is cached on disk, keyed by onnxruntime's version, the installed Vulkan driver manifests and the loader's
// environment, so the child (about a second) runs once per machine setup, not per start.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GraphBuilder } from '../graph/builder';
import { serializeModel } from '../graph/serialize';

export interface WebGpuAdapter {
  /** The device name the Vulkan loader reported, when it did. */
  readonly name?: string;
  /** The Vulkan driver library behind it. */
  readonly driver?: string;
}

const SOFTWARE_NAMES = /llvmpipe|lavapipe|swiftshader|\bwarp\b|microsoft basic render driver/i;
const SOFTWARE_DRIVERS = /libvulkan_lvp|vk_swiftshader/i;

/** Whether an adapter identity names a software renderer. */
export function isSoftwareAdapter(adapter: WebGpuAdapter): boolean {
  return SOFTWARE_NAMES.test(adapter.name ?? '') || SOFTWARE_DRIVERS.test(adapter.driver ?? '');
}

/** The loader's report of the device Dawn created (the last one, if a process created several). */
export function parseLoaderReport(stderr: string): WebGpuAdapter | undefined {
  const matches = [...stderr.matchAll(/Using "([^"\n]+)" with driver: "([^"\n]+)"/g)];
  const last = matches.at(-1);
  return last === undefined ? undefined : { name: last[1] ?? '', driver: last[2] ?? '' };
}

/**
 * Why `auto` should pass over WebGPU on this machine: a software adapter, or one that cannot be identified (then a
 * GPU is not known to be there). Undefined: a hardware adapter was named.
 */
export async function webGpuPassOverReason(cacheDir: string): Promise<string | undefined> {
  const adapter = await identifyWebGpuAdapter(cacheDir);
  if (adapter?.name === undefined) {
    return 'its adapter could not be identified, so it may be a software renderer; use --provider webgpu to run on it anyway';
  }
  if (isSoftwareAdapter(adapter)) {
    return `its adapter "${adapter.name}" is a software renderer, slower than the CPU provider; use --provider webgpu to run on it anyway`;
  }
  return undefined;
}

const memo = new Map<string, Promise<WebGpuAdapter | undefined>>();

/** The adapter WebGPU runs on here; undefined when no WebGPU session could be created or the loader named none. */
export function identifyWebGpuAdapter(cacheDir: string): Promise<WebGpuAdapter | undefined> {
  const key = setupFingerprint();
  const known = memo.get(key);
  if (known !== undefined) return known;
  const found = cachedOrProbe(join(cacheDir, 'webgpu-adapter'), key);
  memo.set(key, found);
  return found;
}

async function cachedOrProbe(dir: string, key: string): Promise<WebGpuAdapter | undefined> {
  const record = join(dir, `${key}.json`);
  try {
    const json = JSON.parse(await readFile(record, 'utf8')) as { adapter?: WebGpuAdapter | null };
    if (json.adapter !== undefined) return json.adapter ?? undefined;
  } catch {
    // no verdict yet
  }
  const adapter = await probe(dir);
  await mkdir(dir, { recursive: true });
  const staging = `${record}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await writeFile(staging, JSON.stringify({ adapter: adapter ?? null }));
  await rename(staging, record);
  return adapter;
}

/** Everything that changes which Vulkan device Dawn gets: onnxruntime's version, the driver manifests, the loader's environment. */
function setupFingerprint(): string {
  const hash = createHash('sha256');
  hash.update(onnxruntimeVersion());
  for (const folder of ['/etc/vulkan/icd.d', '/usr/share/vulkan/icd.d', '/usr/local/share/vulkan/icd.d']) {
    if (!existsSync(folder)) continue;
    for (const file of readdirSync(folder).sort()) hash.update(`\n${folder}/${file}\t${statSync(join(folder, file)).mtimeMs}`);
  }
  for (const name of [
    'VK_ICD_FILENAMES',
    'VK_DRIVER_FILES',
    'VK_ADD_DRIVER_FILES',
    'VK_LOADER_DRIVERS_SELECT',
    'VK_LOADER_DRIVERS_DISABLE',
    'LD_LIBRARY_PATH',
  ]) {
    hash.update(`\n${name}=${process.env[name] ?? ''}`);
  }
  return hash.digest('hex').slice(0, 24);
}

function onnxruntimeVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(require.resolve('onnxruntime-node/package.json'), 'utf8')) as { version?: unknown };
    return `onnxruntime-node ${String(manifest.version)}`;
  } catch {
    return 'onnxruntime-node (unknown version)';
  }
}

// Runs as `node -e` (or Electron as Node) with the paths in the environment; exits 0 when the session was created.
const PROBE_SCRIPT = `
const ort = require(process.env.LENS_PROBE_ORT);
ort.InferenceSession.create(process.env.LENS_PROBE_MODEL, { executionProviders: ['webgpu'] })
  .then((session) => session.release())
  .then(() => process.exit(0), () => process.exit(3));
`;

async function probe(dir: string): Promise<WebGpuAdapter | undefined> {
  let ortPath: string;
  try {
    ortPath = require.resolve('onnxruntime-node');
  } catch {
    return undefined;
  }
  // One file per process: two windows starting at once must not read each other's half-written model.
  const model = join(dir, `probe-${process.pid}-${randomBytes(4).toString('hex')}.onnx`);
  await mkdir(dirname(model), { recursive: true });
  await writeFile(model, serializeModel(probeGraph()));
  const env = {
    ...process.env,
    ELECTRON_RUN_AS_NODE: '1',
    VK_LOADER_DEBUG: 'driver',
    LENS_PROBE_ORT: ortPath,
    LENS_PROBE_MODEL: model,
  };
  const stderr = await new Promise<string>((resolve) => {
    execFile(process.execPath, ['-e', PROBE_SCRIPT], { env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, _stdout, err) =>
      resolve(error === null ? err : ''),
    );
  }).finally(() => rm(model, { force: true }));
  return parseLoaderReport(stderr);
}

/** y = softmax(x): one node WebGPU runs. */
function probeGraph(): ReturnType<GraphBuilder['build']> {
  const b = new GraphBuilder('webgpu-adapter-probe');
  const x = b.input('x', 'float32', [1, 4]);
  b.output(b.softmax(x), 'y', 'float32', [1, 4]);
  return b.build();
}
