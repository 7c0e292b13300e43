// Reads members of a zip archive held in memory, through yauzl (which validates the central directory, member
// bounds and file names). Stored members — all that torch.save writes — come back as views over the archive's
// bytes, found through yauzl's readLocalFileHeader, so multi-gigabyte weights are never copied; deflated members
// are inflated through yauzl's stream.
import { fromBuffer, type Entry, type ZipFile } from 'yauzl';
import { LensError } from '../errors';

const STORED = 0;
const DEFLATED = 8;

export class ZipArchive {
  private constructor(
    private readonly zip: ZipFile,
    /** Member name → entry, in a Map so that member names never meet object prototypes. */
    readonly members: ReadonlyMap<string, Entry>,
    private readonly bytes: Buffer,
    private readonly source: string,
  ) {}

  static async open(bytes: Buffer, source: string): Promise<ZipArchive> {
    let zip: ZipFile;
    const members = new Map<string, Entry>();
    try {
      zip = await new Promise<ZipFile>((resolve, reject) => {
        fromBuffer(bytes, { lazyEntries: true }, (error, file) => (error === null ? resolve(file) : reject(error)));
      });
      for await (const entry of zip.eachEntry()) {
        if (members.has(entry.fileName)) throw new Error(`member ${entry.fileName} appears twice`);
        members.set(entry.fileName, entry);
      }
    } catch (error) {
      throw new LensError('BAD_CHECKPOINT', `${source} is not a readable zip archive: ${message(error)}.`, undefined, { cause: error });
    }
    return new ZipArchive(zip, members, bytes, source);
  }

  /** The member's bytes; `entry.uncompressedSize` (checked by yauzl as it reads) says how many before reading. */
  async read(entry: Entry): Promise<Uint8Array> {
    if (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED) {
      throw new LensError(
        'BAD_CHECKPOINT',
        `${this.source}: member ${entry.fileName} uses zip compression method ${entry.compressionMethod}; only stored (0) and deflated (8) members can be read.`,
        'Save the checkpoint again with torch.save, which writes stored members.',
      );
    }
    if (entry.isEncrypted()) throw new LensError('BAD_CHECKPOINT', `${this.source}: member ${entry.fileName} is encrypted.`);
    try {
      if (entry.compressionMethod === STORED) {
        if (entry.compressedSize !== entry.uncompressedSize) throw new Error('stored sizes disagree');
        const { fileDataStart } = await this.zip.readLocalFileHeaderPromise(entry, { minimal: true });
        return this.bytes.subarray(fileDataStart, fileDataStart + entry.uncompressedSize);
      }
      // yauzl checks the inflated length against uncompressedSize, so a zip bomb stops at the declared size.
      const chunks: Buffer[] = [];
      for await (const chunk of await this.zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    } catch (error) {
      throw new LensError('BAD_CHECKPOINT', `${this.source}: cannot read member ${entry.fileName}: ${message(error)}.`, undefined, {
        cause: error,
      });
    }
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
