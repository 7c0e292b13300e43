// Execution providers: which ones to try for a requested choice, and session creation that falls back to the CPU
// with the reason recorded. onnxruntime-node bundles CPU everywhere, DirectML on Windows, CoreML on macOS and WebGPU
// on Linux x64; CUDA on Linux x64 needs separately installed libraries. A provider that cannot start makes
// InferenceSession.create reject (it does not crash the process), which is what the fallback relies on. Where
// onnxruntime-node has no binding (darwin/x64), every choice runs on onnxruntime-web's WebAssembly build
// (ort-runtime.ts), the provider "wasm".
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InferenceSession } from 'onnxruntime-common';
import { LensError } from '../errors';
import { WEIGHTS_FILE } from './cache-files';
import { createOptimizedSession, OPTIMIZED_GRAPH_PROVIDER } from './optimized-graph';
import { loadWasmRuntime, nativeRuntimeUnavailable, WASM_PROVIDER } from './ort-runtime';

import type { ProviderChoice } from './provider-choice';

export { PROVIDER_CHOICES, isProviderChoice, type ProviderChoice } from './provider-choice';

/** Providers to try in order; the CPU is always last. `auto` tries the platform's GPU providers first. */
export function providerCandidates(
  choice: ProviderChoice,
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): string[] {
  if (choice === 'cpu' || choice === WASM_PROVIDER) return [choice];
  if (choice !== 'auto') return [choice, 'cpu'];
  if (platform === 'win32') return ['dml', 'cpu'];
  if (platform === 'darwin') return ['coreml', 'cpu'];
  if (platform === 'linux' && arch === 'x64') return ['cuda', 'webgpu', 'cpu'];
  return ['cpu'];
}

export interface SessionSettings {
  /** Intra-op threads (onnxruntime's default, one per core, when absent). */
  readonly threads?: number;
  /**
   * For a session that runs a few times and is dropped (int8 calibration): no prepacking of the MatMul weights and no
   * saved optimized form (optimized-graph.ts), which cost more than they save there (a base model's calibration
   * session opened in 1.3 s instead of 5.3 s).
   */
  readonly shortLived?: boolean;
}

export function sessionOptions(provider: string, settings: SessionSettings): InferenceSession.SessionOptions {
  // onnxruntime-web takes its thread count once per process (loadWasmRuntime), not per session.
  const threads = provider === WASM_PROVIDER ? undefined : settings.threads;
  return {
    // Only the one provider: onnxruntime always keeps its CPU provider for nodes a GPU provider cannot take, and
    // listing 'cpu' here as well would make onnxruntime-node silently drop a missing provider instead of failing,
    // so the engine would report a provider that does not run.
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    // onnxruntime writes its own warnings ("Some nodes were not assigned to the preferred execution providers",
    // "Removing initializer") straight to stderr, where they would reach a user's terminal; only errors are kept,
    // unless LONGFORMER_LENS_DEBUG asks for its info lines too (the extension shows the engine's stderr in its log).
    logSeverityLevel: onnxruntimeLogSeverity(process.env),
    ...(threads === undefined ? {} : { intraOpNumThreads: threads, interOpNumThreads: 1 }),
    ...(settings.shortLived === true ? { extra: { session: { disable_prepacking: '1' } } } : {}),
  };
}

/**
 * Starts an onnxruntime session for a model file on one provider. onnxruntime-node reads a model's external weights
 * from beside the file itself; onnxruntime-web must be handed them (the engine's graphs share one weights file, read
 * into memory once per session).
 */
async function startSession(modelPath: string, provider: string, settings: SessionSettings): Promise<InferenceSession> {
  const options = sessionOptions(provider, settings);
  // A short-lived session gains nothing from a saved optimized form, and saving one costs seconds.
  if (provider === OPTIMIZED_GRAPH_PROVIDER && settings.shortLived !== true) {
    return createOptimizedSession(modelPath, options, (path, withOptions) => InferenceSession.create(path, withOptions));
  }
  if (provider !== WASM_PROVIDER) return InferenceSession.create(modelPath, options);
  loadWasmRuntime(settings.threads);
  const weights = join(dirname(modelPath), WEIGHTS_FILE);
  const externalData = existsSync(weights) ? [{ path: basename(weights), data: weights }] : [];
  return InferenceSession.create(modelPath, { ...options, externalData });
}

/** Where onnxruntime-node cannot load, the only provider there is: why, to tell the user. */
function nativeMissingNote(choice: ProviderChoice): string | undefined {
  const reason = choice === WASM_PROVIDER ? undefined : nativeRuntimeUnavailable();
  return reason === undefined ? undefined : `${reason}; running on WebAssembly (onnxruntime-web) on the CPU.`;
}

/** onnxruntime's severities: 0 verbose, 1 info, 2 warning, 3 error, 4 fatal. */
export function onnxruntimeLogSeverity(env: NodeJS.ProcessEnv): 1 | 3 {
  const debug = env['LONGFORMER_LENS_DEBUG'];
  return debug !== undefined && debug !== '' && debug !== '0' ? 1 : 3;
}

export interface OpenedSession {
  readonly session: InferenceSession;
  readonly provider: string;
  /** Why the session runs on another provider than the one asked for (absent when it runs on the requested one). */
  readonly note?: string;
}

/**
 * Creates a session on the first candidate provider that starts. For `auto`, `passOver` may name a reason not to use a
 * GPU provider that would start (a software adapter, webgpu-adapter.ts).
 */
export async function createSessionWithFallback(
  /** The graph to open, or, when it depends on the provider, a function that prepares it for the one being tried. */
  modelPath: string | ((provider: string) => Promise<string>),
  choice: ProviderChoice,
  settings: SessionSettings,
  passOver: (provider: string) => Promise<string | undefined> = () => Promise.resolve(undefined),
): Promise<OpenedSession> {
  const failures: string[] = [];
  const nativeMissing = nativeMissingNote(choice);
  const candidates = nativeMissing === undefined ? providerCandidates(choice) : [WASM_PROVIDER];
  for (const provider of candidates) {
    const missing = choice === 'auto' ? missingLibrary(provider) : undefined;
    if (missing !== undefined) {
      // Trying would only make onnxruntime print a native error to stderr before failing the same way.
      failures.push(`${provider} unavailable (${missing})`);
      continue;
    }
    const reason = choice === 'auto' && provider !== 'cpu' ? await passOver(provider) : undefined;
    if (reason !== undefined) {
      failures.push(`${provider} passed over (${reason})`);
      continue;
    }
    // Outside the try: a graph that cannot be prepared is the checkpoint's problem, not the provider's.
    const path = typeof modelPath === 'string' ? modelPath : await modelPath(provider);
    try {
      const session = await startSession(path, provider, settings);
      const note = nativeMissing ?? (failures.length === 0 ? undefined : `${failures.join('; ')}; running on ${provider}.`);
      return note === undefined ? { session, provider } : { session, provider, note };
    } catch (error) {
      if (provider === 'cpu' || provider === WASM_PROVIDER) {
        throw new LensError('RUNTIME_FAILED', `onnxruntime could not create a session for ${path}: ${firstLine(error)}`, undefined, {
          cause: error,
        });
      }
      failures.push(`${provider} unavailable (${firstLine(error)})`);
    }
  }
  throw new Error('unreachable: the CPU is always a candidate');
}

/** A session on a provider already known to work (the second graph variant of an engine). */
export async function createSession(modelPath: string, provider: string, settings: SessionSettings): Promise<InferenceSession> {
  try {
    return await startSession(modelPath, provider, settings);
  } catch (error) {
    throw new LensError(
      'RUNTIME_FAILED',
      `onnxruntime could not create a ${provider} session for ${modelPath}: ${firstLine(error)}`,
      undefined,
      { cause: error },
    );
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n')[0] ?? text).trim().slice(0, 300);
}

/** Why `auto` should not even try a provider on this machine, when a library it needs is plainly absent. */
function missingLibrary(provider: string): string | undefined {
  if (provider === 'cuda') {
    const missing = missingCudaLibrary();
    return missing === undefined ? undefined : `${missing} is not installed beside onnxruntime-node's binding`;
  }
  if (provider === 'webgpu' && process.platform === 'linux' && !hasVulkanLoader()) return 'no Vulkan loader (libvulkan.so.1) is installed';
  return undefined;
}

/** WebGPU on Linux runs on Vulkan through Dawn, which dlopens libvulkan.so.1 from the usual library folders. */
export function hasVulkanLoader(env: NodeJS.ProcessEnv = process.env): boolean {
  const folders = [
    ...(env['LD_LIBRARY_PATH'] ?? '').split(':').filter((folder) => folder !== ''),
    `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`,
    '/usr/lib64',
    '/usr/lib',
    '/lib64',
    '/lib',
    '/usr/local/lib',
  ];
  return folders.some((folder) => existsSync(join(folder, 'libvulkan.so.1')));
}

/**
 * The CUDA provider is a separate download that onnxruntime loads from the folder of its own binding
 * (onnxruntime-node/bin/napi-v6/<platform>/<arch>). Returns the first library that is not there, if any.
 */
export function missingCudaLibrary(): string | undefined {
  let bindingDir: string;
  try {
    bindingDir = join(dirname(require.resolve('onnxruntime-node/package.json')), 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return undefined; // an unusual layout (a bundle): let onnxruntime decide
  }
  const names =
    process.platform === 'win32'
      ? ['onnxruntime_providers_shared.dll', 'onnxruntime_providers_cuda.dll']
      : ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'];
  return names.find((name) => !existsSync(join(bindingDir, name)));
}
