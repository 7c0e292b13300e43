// An ExternalDataSink that appends initializer bytes to one file. Offsets are aligned to 4 KiB so onnxruntime can
// memory-map the tensors; a name placed twice (a second graph variant over the same weights) reuses its range.
import { closeSync, openSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import type { ExternalDataSink } from './serialize';

const ALIGNMENT = 4096;

export class ExternalDataFile implements ExternalDataSink {
  readonly location: string;
  private readonly fd: number;
  private size = 0;
  private readonly placed = new Map<string, { offset: number; length: number }>();

  constructor(readonly path: string) {
    this.location = basename(path);
    this.fd = openSync(path, 'w');
  }

  place(name: string, bytes: Uint8Array): { offset: number; length: number } {
    const previous = this.placed.get(name);
    if (previous !== undefined) {
      if (previous.length !== bytes.byteLength) {
        throw new Error(`internal: external tensor "${name}" was placed with ${previous.length} bytes, now ${bytes.byteLength}`);
      }
      return previous;
    }
    const offset = Math.ceil(this.size / ALIGNMENT) * ALIGNMENT;
    let written = 0;
    while (written < bytes.byteLength) {
      written += writeSync(this.fd, bytes, written, bytes.byteLength - written, offset + written);
    }
    this.size = offset + bytes.byteLength;
    const range = { offset, length: bytes.byteLength };
    this.placed.set(name, range);
    return range;
  }

  close(): void {
    closeSync(this.fd);
  }
}
