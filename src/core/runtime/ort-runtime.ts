// Which onnxruntime build runs the sessions. onnxruntime-node's native binding does wherever the package ships one
// for this platform; where it does not (onnxruntime-node 1.30.0 has no darwin/x64 binding), onnxruntime-web's
// WebAssembly build runs in Node instead, as the provider "wasm": the same CPU kernels compiled to WebAssembly, slower
// than native code and limited to 4 GiB of WebAssembly memory. Both are backends of the one onnxruntime-common, whose
// InferenceSession picks the backend by the execution provider's name.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { env } from 'onnxruntime-common';

/** The execution provider name of onnxruntime-web's WebAssembly backend. */
export const WASM_PROVIDER = 'wasm';

/** The two files onnxruntime-web loads at run time: the Emscripten glue module and the WebAssembly binary. */
export const WASM_FILES = ['ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'] as const;

/** Where scripts/build.mjs copies WASM_FILES, beside the bundles in dist/ (the VSIX and the CLI tarball ship them). */
export const WASM_FOLDER = 'ort-wasm';

let nativeState: { readonly reason?: string } | undefined;

/**
 * Loads onnxruntime-node (registering its providers) once; returns why it cannot load here, or undefined when it
 * did. Its binding is required when the module loads, so a platform without one fails here, not in a session.
 */
export function nativeRuntimeUnavailable(): string | undefined {
  if (nativeState === undefined) {
    try {
      // A plain require: loading must be synchronous and may fail, and nothing of the module is used but its side
      // effect, registering its backends with onnxruntime-common.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('onnxruntime-node');
      nativeState = {};
    } catch (error) {
      nativeState = { reason: nativeLoadFailure(error) };
    }
  }
  return nativeState.reason;
}

function nativeLoadFailure(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === 'MODULE_NOT_FOUND' && text.includes('onnxruntime_binding.node')) {
    return `onnxruntime-node has no native binding for ${process.platform}/${process.arch}`;
  }
  return `onnxruntime-node did not load: ${(text.split('\n')[0] ?? text).slice(0, 200)}`;
}

let wasmLoaded = false;

/**
 * Registers onnxruntime-web's "wasm" backend. `threads` sets its thread count, which onnxruntime-web reads once, when
 * its first session starts; later calls cannot change it.
 */
export function loadWasmRuntime(threads: number | undefined): void {
  if (wasmLoaded) return;
  // onnxruntime-node first: onnxruntime-common keeps the first backend registered under a name, and onnxruntime-web
  // also registers itself as "cpu" (at a lower priority), which must not take the native CPU provider's place.
  nativeRuntimeUnavailable();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- registers the "wasm" backend, as above
  require('onnxruntime-web');
  // Bundled (dist/worker.js, dist/cli.js) the files lie in dist/ort-wasm; from the sources (tests) onnxruntime-web
  // finds them in its own package folder, next to its script, as it does by default.
  const folder = join(__dirname, WASM_FOLDER);
  if (existsSync(join(folder, WASM_FILES[1]))) {
    env.wasm.wasmPaths = { mjs: pathToFileURL(join(folder, WASM_FILES[0])).href, wasm: pathToFileURL(join(folder, WASM_FILES[1])).href };
  }
  if (threads !== undefined) env.wasm.numThreads = threads;
  wasmLoaded = true;
}

/** onnxruntime-node's version where its binding loads, else onnxruntime-common's (which onnxruntime-web matches). */
export function onnxruntimeVersion(): string {
  const native = nativeRuntimeUnavailable() === undefined;
  return native ? (env.versions.node ?? env.versions.common) : `${env.versions.common} (WebAssembly)`;
}
