// A minimal zip writer for tests: stored (or deliberately odd) members, local headers, central directory, end
// record. Enough to build torch.save-shaped archives, and broken ones, byte for byte.
import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipMember {
  readonly name: string;
  readonly data: Uint8Array;
  /** 0 stored (default), 8 deflated; any other number is written as is (with the data stored) to test refusals. */
  readonly method?: number;
  /** Pads the local header's extra field so the data starts at a multiple of this (torch aligns to 64). */
  readonly align?: number;
}

export function writeZip(members: readonly ZipMember[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const member of members) {
    const name = Buffer.from(member.name, 'utf8');
    const method = member.method ?? 0;
    const payload = method === 8 ? deflateRawSync(member.data) : Buffer.from(member.data);
    const crc = crc32(member.data);
    const headerLength = 30 + name.length;
    const align = member.align ?? 1;
    const extraLength = (align - ((offset + headerLength) % align)) % align;
    // An extra field shorter than its 4-byte header would be malformed; grow the padding to a full record.
    const extra = Buffer.alloc(extraLength > 0 && extraLength < 4 ? extraLength + align : extraLength);
    if (extra.length > 0) {
      extra.writeUInt16LE(0xcafe, 0);
      extra.writeUInt16LE(extra.length - 4, 2);
    }

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0, 6); // flags
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(0, 10); // time, date
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(payload.length, 18);
    local.writeUInt32LE(member.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(extra.length, 28);
    locals.push(local, name, extra, payload);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // version made by
    central.writeUInt16LE(20, 6); // version needed
    central.writeUInt16LE(0, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(0, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(payload.length, 20);
    central.writeUInt32LE(member.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(0, 30); // extra
    central.writeUInt16LE(0, 32); // comment
    central.writeUInt32LE(0, 34); // disk, internal attributes
    central.writeUInt32LE(0, 38); // external attributes
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);

    offset += 30 + name.length + extra.length + payload.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
