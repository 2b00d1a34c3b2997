/**
 * Writes zip archives in the layout PyTorch's PyTorchStreamWriter (miniz) produces
 * (torchscript-format.md §2.3), so archives we write look like PyTorch's byte for byte in
 * structure:
 *
 *   local header (flags 0x0808, sizes 0) + "FB" extra padding the data to a 64-byte boundary
 *   data, then a 16-byte data descriptor (PK\x07\x08, CRC, sizes)
 *   central directory (real CRC and sizes), zip64 end record + locator, classic end record
 *
 * Note [64-byte alignment]: PyTorch aligns every record's data to 64 bytes so storages can be
 * mapped in place. 1.13 does not need it (it copies records), but other readers (libtorch's
 * mmap loaders) may, and matching PyTorch's layout costs only padding.
 */
import { deflateRawSync } from "node:zlib";
import { crc32 } from "./crc32.js";

const ALIGNMENT = 64;
const FLAGS = 0x0808; // bit 3: sizes in the data descriptor; bit 11: UTF-8 names
const U32_MAX = 0xffffffff;

interface WrittenEntry {
  readonly name: Uint8Array;
  readonly method: 0 | 8;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly offset: number;
}

export interface ZipEntryOptions {
  /** Deflate the data (PyTorch deflates code/ and .debug_pkl records larger than 200 bytes). */
  readonly deflate?: boolean;
}

export class ZipWriter {
  private readonly chunks: Uint8Array[] = [];
  private readonly entries: WrittenEntry[] = [];
  private readonly names = new Set<string>();
  private position = 0;

  add(name: string, data: Uint8Array, opts: ZipEntryOptions = {}): void {
    if (this.names.has(name)) throw new Error(`zip: duplicate entry ${name}`);
    this.names.add(name);
    const nameBytes = Buffer.from(name, "utf8");
    const body = opts.deflate ? deflateRawSync(data, { level: 9 }) : data;
    if (body.length >= U32_MAX || data.length >= U32_MAX || this.position >= U32_MAX) {
      throw new Error(`zip: entry ${name} needs zip64 sizes, which this writer does not produce`);
    }
    const crc = crc32(data);
    const start = this.position + 30 + nameBytes.length + 4;
    const padding = (ALIGNMENT - (start % ALIGNMENT)) % ALIGNMENT;
    const header = Buffer.alloc(30 + nameBytes.length + 4 + padding);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(opts.deflate ? 20 : 0, 4);
    header.writeUInt16LE(FLAGS, 6);
    header.writeUInt16LE(opts.deflate ? 8 : 0, 8);
    // time, date, CRC and sizes stay 0: they follow in the data descriptor
    header.writeUInt16LE(nameBytes.length, 26);
    header.writeUInt16LE(4 + padding, 28);
    header.set(nameBytes, 30);
    header.writeUInt16LE(0x4246, 30 + nameBytes.length); // "FB"
    header.writeUInt16LE(padding, 32 + nameBytes.length);
    header.fill(0x5a, 34 + nameBytes.length); // 'Z'
    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(crc, 4);
    descriptor.writeUInt32LE(body.length, 8);
    descriptor.writeUInt32LE(data.length, 12);
    this.entries.push({ name: nameBytes, method: opts.deflate ? 8 : 0, crc, compressedSize: body.length, size: data.length, offset: this.position });
    this.push(header);
    this.push(body);
    this.push(descriptor);
  }

  /** The whole archive. */
  finish(): Buffer {
    const cdOffset = this.position;
    for (const e of this.entries) this.push(centralEntry(e));
    const cdSize = this.position - cdOffset;
    const zip64End = this.position;
    const n = this.entries.length;
    const end64 = Buffer.alloc(56);
    end64.writeUInt32LE(0x06064b50, 0);
    end64.writeBigUInt64LE(44n, 4);
    end64.writeUInt16LE(0x031e, 12);
    end64.writeUInt16LE(45, 14);
    end64.writeBigUInt64LE(BigInt(n), 24);
    end64.writeBigUInt64LE(BigInt(n), 32);
    end64.writeBigUInt64LE(BigInt(cdSize), 40);
    end64.writeBigUInt64LE(BigInt(cdOffset), 48);
    this.push(end64);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(zip64End), 8);
    locator.writeUInt32LE(1, 16);
    this.push(locator);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(Math.min(n, 0xffff), 8);
    end.writeUInt16LE(Math.min(n, 0xffff), 10);
    end.writeUInt32LE(cdSize, 12);
    end.writeUInt32LE(cdOffset, 16);
    this.push(end);
    return Buffer.concat(this.chunks);
  }

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.position += b.length;
  }
}

function centralEntry(e: WrittenEntry): Buffer {
  const b = Buffer.alloc(46 + e.name.length);
  b.writeUInt32LE(0x02014b50, 0);
  b.writeUInt16LE(0, 4); // version made by
  b.writeUInt16LE(e.method === 8 ? 20 : 0, 6);
  b.writeUInt16LE(FLAGS, 8);
  b.writeUInt16LE(e.method, 10);
  b.writeUInt32LE(e.crc, 16);
  b.writeUInt32LE(e.compressedSize, 20);
  b.writeUInt32LE(e.size, 24);
  b.writeUInt16LE(e.name.length, 28);
  b.writeUInt32LE(e.offset, 42);
  b.set(e.name, 46);
  return b;
}
