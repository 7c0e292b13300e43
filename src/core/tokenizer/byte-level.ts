// GPT-2's byte-level alphabet: every byte gets a printable stand-in character, so that BPE vocabularies can be plain
// strings. Bytes that are already printable (and not a space) stand for themselves; the rest are moved to U+0100 and up,
// in byte order. See Radford et al., "Language Models are Unsupervised Multitask Learners", section 2.2.

function buildByteToChar(): string[] {
  const table: string[] = new Array<string>(256);
  const printable = (b: number): boolean => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  let next = 0;
  for (let b = 0; b < 256; b += 1) {
    if (printable(b)) {
      table[b] = String.fromCharCode(b);
    } else {
      table[b] = String.fromCharCode(256 + next);
      next += 1;
    }
  }
  return table;
}

/** Byte value -> its stand-in character (always one UTF-16 code unit). */
export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();

/** The stand-in of the space byte, which marks a word that follows a space ("Ġworld"). */
export const SPACE_CHAR = BYTE_TO_CHAR[0x20] as string;

const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((char, byte) => [char, byte]));

/** Decodes a vocabulary string back to its bytes; characters outside the alphabet (special tokens) are UTF-8 encoded. */
export function tokenToBytes(token: string): Uint8Array {
  const out: number[] = [];
  for (const char of token) {
    const byte = CHAR_TO_BYTE.get(char);
    if (byte !== undefined) out.push(byte);
    else out.push(...Buffer.from(char, 'utf8'));
  }
  return Uint8Array.from(out);
}
