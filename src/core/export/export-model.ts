// `export`: the engine's ONNX graph for other runtimes. Writes model.onnx with its weights in model.onnx.data (ONNX
// external data; fp16: MatMuls and their weights in float16, graph/half-precision.ts; int8: the encoder's dense layers
// as onnxruntime's DynamicQuantizeMatMul, graph/longformer/weights.ts), the tokenizer files,
// manifest.json (inputs, outputs, opset, precision, windows, head, labels, where it came from), a Triton model
// repository and a README on feeding it. Everything is a function of the checkpoint and the options, so the same
// checkpoint gives the same bytes.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { copyFile, link, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { version as PROJECT_VERSION } from '../../../package.json';
import { loadCheckpoint } from '../checkpoint/load';
import { LensError, throwIfCancelled } from '../errors';
import { ExternalDataFile } from '../graph/external-data-file';
import { buildLongformerGraph } from '../graph/longformer/model';
import { calibrateInt8 } from '../runtime/int8-calibration';
import { serializeModel } from '../graph/serialize';
import type { Precision } from '../precision';
import { GRAPH_VERSION } from '../runtime/model-cache';
import { buildManifest, type ExportManifest } from './manifest';
import { exportReadme } from './readme';
import { tritonConfig } from './triton-config';

export const EXPORT_MODEL_FILE = 'model.onnx';
export const EXPORT_DATA_FILE = 'model.onnx.data';
export const MANIFEST_FILE = 'manifest.json';
/** The tokenizer files copied when the checkpoint has them (a byte-level BPE: vocab + merges, or tokenizer.json). */
const TOKENIZER_FILES = ['tokenizer.json', 'vocab.json', 'merges.txt', 'tokenizer_config.json', 'special_tokens_map.json'];

export interface ExportOptions {
  /** Also output every layer's attentions and global_attentions (HuggingFace's layouts). */
  readonly attentions?: boolean;
  readonly precision?: Precision;
  /** The Triton model name; letters, digits, '-' and '_'. */
  readonly name: string;
  readonly signal?: AbortSignal;
}

export async function exportModel(modelDir: string, outDir: string, options: ExportOptions): Promise<ExportManifest> {
  const precision = options.precision ?? 'fp32';
  if (!/^[A-Za-z0-9_-]+$/.test(options.name)) {
    throw new LensError('BAD_ARGUMENT', `--name ${options.name}: a Triton model name takes letters, digits, '-' and '_' only.`);
  }
  checkOutputFolder(outDir);
  const checkpoint = await loadCheckpoint(modelDir, options.signal === undefined ? {} : { signal: options.signal });
  const tokenizerFiles = TOKENIZER_FILES.filter((file) => existsSync(join(modelDir, file)));
  if (!tokenizerFiles.includes('tokenizer.json') && !(tokenizerFiles.includes('vocab.json') && tokenizerFiles.includes('merges.txt'))) {
    throw new LensError(
      'BAD_TOKENIZER',
      `${modelDir} has no tokenizer (tokenizer.json, or vocab.json and merges.txt).`,
      'Copy the tokenizer files published with the checkpoint beside config.json.',
    );
  }
  // int8 rounds its weights with Gram blocks measured by the float32 graph, as the engine's cached int8 graph does.
  const int8Calibration =
    precision === 'int8'
      ? await calibrateInt8(checkpoint.config, checkpoint.weights, `${outDir}.calibration-${process.pid}`, {
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        })
      : undefined;
  // The graph the engine caches for this precision: inputs and outputs keep their types, so a caller feeds and reads
  // an fp16 or int8 export exactly like an fp32 one.
  const graph = buildLongformerGraph(checkpoint.config, checkpoint.weights, {
    attentions: options.attentions === true ? 'per-head' : 'none',
    precision,
    ...(int8Calibration === undefined ? {} : { int8Calibration }),
  });
  throwIfCancelled(options.signal);

  // Written beside the target and renamed into place, so a failed export leaves no half-written folder.
  const staging = `${outDir}.partial-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    const sourceFiles = [join(modelDir, 'config.json'), ...checkpoint.files];
    const hashes = await Promise.all(sourceFiles.map(async (file) => ({ file: basename(file), sha256: await sha256File(file) })));
    const manifest = buildManifest({
      graph,
      config: checkpoint.config,
      precision,
      name: options.name,
      sourceFiles: hashes,
      projectVersion: PROJECT_VERSION,
      tokenizerFiles,
    });
    const external = new ExternalDataFile(join(staging, EXPORT_DATA_FILE));
    try {
      const metadata = { graph_version: GRAPH_VERSION, precision, source_sha256: manifest.source.sha256, project_version: PROJECT_VERSION };
      await writeFile(join(staging, EXPORT_MODEL_FILE), serializeModel(graph, { external, metadata, producerVersion: PROJECT_VERSION }));
    } finally {
      external.close();
    }
    for (const file of tokenizerFiles) await copyFile(join(modelDir, file), join(staging, file));
    await copyFile(join(modelDir, 'config.json'), join(staging, 'config.json'));
    await writeFile(join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    await writeFile(join(staging, 'README.md'), exportReadme(manifest));
    const triton = join(staging, 'triton', options.name);
    await mkdir(join(triton, '1'), { recursive: true });
    await writeFile(join(triton, 'config.pbtxt'), tritonConfig(manifest));
    for (const file of [EXPORT_MODEL_FILE, EXPORT_DATA_FILE]) await linkOrCopy(join(staging, file), join(triton, '1', file));
    await rm(outDir, { recursive: true, force: true });
    await rename(staging, outDir);
    return manifest;
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** The output folder may be new, empty, or an earlier export (it has a manifest.json); anything else is the user's. */
function checkOutputFolder(outDir: string): void {
  if (!existsSync(outDir)) {
    if (!existsSync(dirname(outDir))) throw new LensError('NOT_FOUND', `${dirname(outDir)}: no such folder for --out.`);
    return;
  }
  const entries = readdirSync(outDir);
  if (entries.length > 0 && !entries.includes(MANIFEST_FILE)) {
    throw new LensError(
      'BAD_ARGUMENT',
      `${outDir} is not empty and holds no earlier export; it is left alone.`,
      'Choose a new or empty folder for --out.',
    );
  }
}

/** Triton wants the model files inside its repository; a hard link shares the bytes, a copy works across devices. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to);
  }
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
