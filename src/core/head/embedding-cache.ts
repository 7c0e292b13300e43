// Document features of training files, cached on disk by the file's content hash under a key for the model and
// the feature settings, so retraining after adding files embeds only the new ones. One small file per document:
// the float32 features, written under a temporary name and renamed, so a crash never leaves half a vector.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export class EmbeddingCache {
  private readonly dir: string;

  /** `modelKey` identifies the weights and graph (the engine's cache key); `settings` the feature recipe and chunking. */
  constructor(
    cacheDir: string,
    modelKey: string,
    settings: string,
    private readonly dims: number,
  ) {
    const key = createHash('sha256').update(`${modelKey}\n${settings}\n${dims}`).digest('hex').slice(0, 32);
    this.dir = join(cacheDir, 'embeddings', key);
  }

  async get(sha256: string): Promise<Float32Array | undefined> {
    let bytes: Buffer;
    try {
      bytes = await readFile(join(this.dir, `${sha256}.f32`));
    } catch {
      return undefined;
    }
    // A file of the wrong size is a leftover of something else: embed again.
    if (bytes.byteLength !== this.dims * 4) return undefined;
    const copy = new Uint8Array(bytes); // aligned copy
    return new Float32Array(copy.buffer, 0, this.dims);
  }

  async put(sha256: string, features: Float32Array): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, `${sha256}.f32`);
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, new Uint8Array(features.buffer, features.byteOffset, features.byteLength));
    await rename(temporary, path);
  }
}
