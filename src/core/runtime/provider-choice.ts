// The provider names a user can choose. A module of its own, free of onnxruntime-node, so the extension host can
// validate its settings without loading the native runtime (scripts/build.mjs checks the bundle for that).

// `wasm` is onnxruntime-web's WebAssembly build on the CPU (ort-runtime.ts): what runs where onnxruntime-node has no
// binding, and a choice of its own elsewhere (to compare it with the native CPU provider).
export type ProviderChoice = 'auto' | 'cpu' | 'cuda' | 'dml' | 'coreml' | 'webgpu' | 'wasm';

export const PROVIDER_CHOICES: readonly ProviderChoice[] = ['auto', 'cpu', 'cuda', 'dml', 'coreml', 'webgpu', 'wasm'];

export function isProviderChoice(value: string): value is ProviderChoice {
  return (PROVIDER_CHOICES as readonly string[]).includes(value);
}
