// The extension host is shared by every extension: onnxruntime (native or WebAssembly, blocks the thread, can crash the
// process) and the hub's HTTP stack (undici, proper-lockfile) belong in the engine worker. This check reads
// esbuild's metafile for the extension bundle and names every way one of them got in.

/** Packages that must never reach the extension bundle, as `require`d or as bundled inputs. */
export const FORBIDDEN_IN_EXTENSION = ['onnxruntime-node', 'onnxruntime-web', 'onnxruntime-common', 'undici', 'proper-lockfile'];

/**
 * Node's network modules: downloads (the hub, a model's files) go through the worker protocol, so the extension
 * host never opens a connection itself.
 */
export const NETWORK_MODULES = ['http', 'https', 'http2', 'net', 'tls'];

/** Returns one line per problem; empty when the bundle at `outputPath` holds none of the forbidden packages. */
export function checkThinExtension(metafile, outputPath) {
  const output = metafile.outputs[outputPath];
  if (output === undefined) return [`${outputPath} is not among the build outputs`];
  const problems = [];
  for (const name of FORBIDDEN_IN_EXTENSION) {
    const bundled = Object.keys(output.inputs).filter((input) => input.includes(`node_modules/${name}/`));
    if (bundled.length > 0) problems.push(`${name} is bundled (${bundled.length} files, e.g. ${bundled[0]})`);
    const required = (output.imports ?? []).filter((entry) => entry.path === name || entry.path.startsWith(`${name}/`));
    if (required.length > 0) problems.push(`${name} is required at run time (external import "${required[0].path}")`);
  }
  for (const name of NETWORK_MODULES) {
    const required = (output.imports ?? []).filter((entry) => entry.path === name || entry.path === `node:${name}`);
    if (required.length > 0) problems.push(`Node's ${name} module is required (downloads belong in the worker): "${required[0].path}"`);
  }
  if (problems.length > 0) {
    // Which source file pulled each one in, so the fix is obvious.
    const importers = Object.entries(metafile.inputs)
      .filter(([, input]) =>
        input.imports.some(
          (entry) =>
            FORBIDDEN_IN_EXTENSION.some((name) => entry.path === name || entry.path.includes(`node_modules/${name}/`)) ||
            NETWORK_MODULES.some((name) => entry.path === name || entry.path === `node:${name}`),
        ),
      )
      .map(([path]) => path)
      .filter((path) => path in output.inputs);
    if (importers.length > 0) problems.push(`imported by: ${importers.join(', ')}`);
  }
  return problems;
}
