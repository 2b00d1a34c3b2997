/**
 * A zip reader for archives from elsewhere. Everything is read from the central directory and
 * cross-checked before any byte is trusted:
 *
 * - the end records (classic and zip64) lie inside the file and agree with each other;
 * - each central entry lies inside the directory; its local header lies before the directory,
 *   carries the same name and method, and its data ends before the next entry starts (no
 *   overlapping entries, so no entry can be counted twice into a "zip bomb");
 * - names are UTF-8 relative paths without `..`, `\`, NUL or a drive, and unique;
 * - only stored and deflated entries, no encryption; stored sizes agree; a deflated entry is
 *   inflated with its declared size as the output cap and must produce exactly that many bytes;
 *   the CRC-32 must match (stricter than PyTorch 1.13, which ignores it: a mismatch means the
 *   bytes are not what was written, and we would rather say so than compute with them).
 *
 * Records are decompressed on demand (`read`), so listing an archive costs no inflation.
 */
import { inflateRawSync } from "node:zlib";
import { crc32 } from "./crc32.js";
import { TorchScriptArchiveError, archiveCheck } from "./errors.js";
import { withLimits, type ArchiveLimits } from "./limits.js";

const ZIP = "<zip>";
/** Deflate cannot expand data by more than about 1032:1. */
const MAX_DEFLATE_RATIO = 1032;

export interface ZipEntry {
  readonly name: string;
  readonly method: 0 | 8;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  /** Offset of the local header. */
  readonly headerOffset: number;
  /** Offset of the first data byte (after the local header, name and extra field). */
  readonly dataOffset: number;
}

export class ZipReader {
  readonly entries: readonly ZipEntry[];
  private readonly byName = new Map<string, ZipEntry>();
  private readonly limits: ArchiveLimits;
  private bytesRead = 0;

  constructor(private readonly buf: Uint8Array, limits?: Partial<ArchiveLimits>) {
    this.limits = withLimits(limits);
    this.entries = readDirectory(buf, this.limits);
    for (const e of this.entries) this.byName.set(e.name, e);
  }

  names(): string[] {
    return this.entries.map((e) => e.name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  entry(name: string): ZipEntry | undefined {
    return this.byName.get(name);
  }

  /** The uncompressed bytes of `name` (a view into the archive for stored entries). */
  read(name: string): Uint8Array {
    const e = this.byName.get(name);
    if (!e) throw new TorchScriptArchiveError(name, "no such record in the archive");
    this.bytesRead += e.size;
    archiveCheck(this.bytesRead <= this.limits.maxTotalBytes, name,
      () => `reading it exceeds the limit of ${this.limits.maxTotalBytes} uncompressed bytes per archive`);
    const raw = this.buf.subarray(e.dataOffset, e.dataOffset + e.compressedSize);
    const data = e.method === 0 ? raw : inflate(raw, e);
    archiveCheck(crc32(data) === e.crc, name, () => "CRC-32 mismatch: the record's bytes are corrupt");
    return data;
  }

  readText(name: string): string {
    return decodeUtf8(this.read(name), name);
  }
}

function inflate(raw: Uint8Array, e: ZipEntry): Uint8Array {
  let out: Buffer;
  try {
    // one byte over the declared size is enough to detect a lie without inflating a bomb
    out = inflateRawSync(raw, { maxOutputLength: Math.max(1, e.size + 1) });
  } catch (err) {
    throw new TorchScriptArchiveError(e.name, `corrupt deflate data (${(err as Error).message})`);
  }
  archiveCheck(out.length === e.size, e.name,
    () => `inflates to ${out.length > e.size ? "more than" : ""} ${out.length} bytes, but the directory declares ${e.size}`);
  return out;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

export function decodeUtf8(b: Uint8Array, entry: string): string {
  try {
    return utf8.decode(b);
  } catch {
    throw new TorchScriptArchiveError(entry, "is not valid UTF-8");
  }
}

/** Bounds-checked little-endian reads over the archive. */
class Bytes {
  readonly view: DataView;
  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  need(at: number, n: number, what: string): void {
    archiveCheck(Number.isSafeInteger(at) && at >= 0 && at + n <= this.buf.length, ZIP,
      () => `${what} at offset ${at} (${n} bytes) lies outside the ${this.buf.length}-byte file`);
  }
  u16(at: number): number {
    return this.view.getUint16(at, true);
  }
  u32(at: number): number {
    return this.view.getUint32(at, true);
  }
  u64(at: number, what: string): number {
    const v = this.view.getBigUint64(at, true);
    archiveCheck(v <= BigInt(Number.MAX_SAFE_INTEGER), ZIP, () => `${what} ${v} is too large`);
    return Number(v);
  }
}

interface Directory {
  readonly count: number;
  readonly offset: number;
  readonly size: number;
}

function findEnd(b: Bytes): number {
  const len = b.buf.length;
  archiveCheck(len >= 22, ZIP, () => `${len} bytes is too short for a zip archive`);
  const lowest = Math.max(0, len - 22 - 0xffff);
  for (let i = len - 22; i >= lowest; i--) {
    if (b.u32(i) === 0x06054b50 && i + 22 + b.u16(i + 20) === len) return i;
  }
  throw new TorchScriptArchiveError(ZIP, "no end-of-central-directory record: not a zip archive, or truncated");
}

function readEnd(b: Bytes): Directory {
  const end = findEnd(b);
  archiveCheck(b.u16(end + 4) === 0 && b.u16(end + 6) === 0, ZIP, () => "multi-disk archives are not supported");
  let count = b.u16(end + 10);
  let size = b.u32(end + 12);
  let offset = b.u32(end + 16);
  archiveCheck(b.u16(end + 8) === count, ZIP, () => "entry counts in the end record disagree");
  const locator = end - 20;
  if (locator >= 0 && b.u32(locator) === 0x07064b50) {
    const at = b.u64(locator + 8, "zip64 end record offset");
    b.need(at, 56, "zip64 end record");
    archiveCheck(b.u32(at) === 0x06064b50, ZIP, () => `no zip64 end record at offset ${at}`);
    const count64 = b.u64(at + 32, "zip64 entry count");
    const size64 = b.u64(at + 40, "zip64 directory size");
    const offset64 = b.u64(at + 48, "zip64 directory offset");
    // classic fields either agree or are saturated (0xFFFF / 0xFFFFFFFF placeholders)
    archiveCheck((count === 0xffff || count === count64) && (size === 0xffffffff || size === size64) &&
      (offset === 0xffffffff || offset === offset64), ZIP, () => "zip64 and classic end records disagree");
    archiveCheck(at >= offset64 + size64, ZIP, () => "the central directory overlaps the zip64 end record");
    count = count64;
    size = size64;
    offset = offset64;
  } else {
    archiveCheck(offset + size <= end, ZIP, () => "the central directory overlaps the end record");
  }
  b.need(offset, size, "central directory");
  return { count, offset, size };
}

function readDirectory(buf: Uint8Array, limits: ArchiveLimits): ZipEntry[] {
  const b = new Bytes(buf);
  const dir = readEnd(b);
  archiveCheck(dir.count <= limits.maxEntries, ZIP, () => `${dir.count} entries exceed the limit of ${limits.maxEntries}`);
  archiveCheck(dir.count * 46 <= dir.size, ZIP, () => `${dir.count} entries cannot fit a ${dir.size}-byte central directory`);
  const entries: ZipEntry[] = [];
  const seen = new Set<string>();
  let p = dir.offset;
  const dirEnd = dir.offset + dir.size;
  for (let k = 0; k < dir.count; k++) {
    archiveCheck(p + 46 <= dirEnd, ZIP, () => `central entry ${k} runs past the central directory`);
    archiveCheck(b.u32(p) === 0x02014b50, ZIP, () => `central entry ${k} has a bad signature`);
    const nameLen = b.u16(p + 28);
    const extraLen = b.u16(p + 30);
    const commentLen = b.u16(p + 32);
    const next = p + 46 + nameLen + extraLen + commentLen;
    archiveCheck(next <= dirEnd, ZIP, () => `central entry ${k} runs past the central directory`);
    const nameBytes = buf.subarray(p + 46, p + 46 + nameLen);
    const name = checkName(decodeUtf8(nameBytes, `<zip entry ${k} name>`), k);
    archiveCheck(!seen.has(name), name, () => "appears twice in the central directory");
    seen.add(name);
    entries.push(readEntry(b, p, name, nameBytes, buf.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen), dir.offset, limits));
    p = next;
  }
  checkNoOverlap(entries);
  return entries;
}

function readEntry(
  b: Bytes, p: number, name: string, centralName: Uint8Array, extra: Uint8Array, dirOffset: number, limits: ArchiveLimits,
): ZipEntry {
  const flags = b.u16(p + 8);
  const method = b.u16(p + 10);
  archiveCheck((flags & 1) === 0, name, () => "is encrypted");
  archiveCheck(method === 0 || method === 8, name, () => `uses compression method ${method} (only stored and deflate are supported)`);
  let compressedSize = b.u32(p + 20);
  let size = b.u32(p + 24);
  let headerOffset = b.u32(p + 42);
  if (size === 0xffffffff || compressedSize === 0xffffffff || headerOffset === 0xffffffff) {
    [size, compressedSize, headerOffset] = zip64Extra(extra, name, size, compressedSize, headerOffset);
  }
  archiveCheck(size <= limits.maxEntryBytes, name, () => `declares ${size} bytes, over the limit of ${limits.maxEntryBytes}`);
  archiveCheck(method === 8 || size === compressedSize, name, () => `is stored but its sizes differ (${compressedSize} vs ${size})`);
  archiveCheck(method === 0 || size <= compressedSize * MAX_DEFLATE_RATIO + 64, name,
    () => `declares ${size} bytes from ${compressedSize} compressed bytes, more than deflate can produce`);
  archiveCheck(headerOffset + 30 <= dirOffset, name, () => `local header offset ${headerOffset} is not before the central directory`);
  archiveCheck(b.u32(headerOffset) === 0x04034b50, name, () => `no local header at offset ${headerOffset}`);
  archiveCheck(b.u16(headerOffset + 8) === method, name, () => "local header and central directory disagree on the method");
  const localNameLen = b.u16(headerOffset + 26);
  const dataOffset = headerOffset + 30 + localNameLen + b.u16(headerOffset + 28);
  archiveCheck(dataOffset + compressedSize <= dirOffset, name, () => "its data runs into the central directory");
  // the central name's bytes decoded to `name` (checked UTF-8), so equal bytes mean the same name
  archiveCheck(localNameLen === centralName.length && sameBytes(b.buf, headerOffset + 30, centralName), name,
    () => "local header names a different entry");
  return { name, method, crc: b.u32(p + 16), compressedSize, size, headerOffset, dataOffset };
}

function sameBytes(buf: Uint8Array, at: number, want: Uint8Array): boolean {
  for (let i = 0; i < want.length; i++) if (buf[at + i] !== want[i]) return false;
  return true;
}

/** The zip64 extended-information extra field (id 1): only the saturated fields are present, in order. */
function zip64Extra(extra: Uint8Array, name: string, size: number, csize: number, offset: number): [number, number, number] {
  const b = new Bytes(extra);
  for (let p = 0; p + 4 <= extra.length;) {
    const id = b.u16(p);
    const len = b.u16(p + 2);
    archiveCheck(p + 4 + len <= extra.length, name, () => "extra field runs past its end");
    if (id === 1) {
      let q = p + 4;
      const take = (v: number, what: string): number => {
        if (v !== 0xffffffff) return v;
        archiveCheck(q + 8 <= p + 4 + len, name, () => `zip64 extra field lacks the ${what}`);
        const out = b.u64(q, `${name}: zip64 ${what}`);
        q += 8;
        return out;
      };
      const s = take(size, "size");
      const c = take(csize, "compressed size");
      return [s, c, take(offset, "header offset")];
    }
    p += 4 + len;
  }
  throw new TorchScriptArchiveError(name, "sizes are saturated but there is no zip64 extra field");
}

/** Rejects names that could escape a folder if extracted, or that no writer produces. */
function checkName(name: string, k: number): string {
  const bad = (why: string) => new TorchScriptArchiveError(`<zip entry ${k}>`, `name ${JSON.stringify(name)} ${why}`);
  if (name.length === 0) throw bad("is empty");
  if (name.includes("\0")) throw bad("contains NUL");
  if (name.includes("\\")) throw bad("contains a backslash");
  if (name.startsWith("/") || hasDrive(name)) throw bad("is absolute");
  // components between slashes, without splitting (every entry of every load comes through here)
  for (let start = 0; start <= name.length;) {
    const slash = name.indexOf("/", start);
    const end = slash < 0 ? name.length : slash;
    const len = end - start;
    if ((len === 1 || len === 2) && name.startsWith(len === 1 ? "." : "..", start)) throw bad("has a '.' or '..' component");
    if (len === 0 && slash >= 0) throw bad("has an empty component");
    if (slash < 0) break;
    start = slash + 1;
  }
  return name;
}

/** `C:...`: a drive letter (by character codes: a regex costs a compile in every fresh process). */
function hasDrive(name: string): boolean {
  const c = name.charCodeAt(0) | 0x20;
  return name.length >= 2 && c >= 97 && c <= 122 && name.charCodeAt(1) === 58;
}

function checkNoOverlap(entries: readonly ZipEntry[]): void {
  const sorted = [...entries].sort((a, b) => a.headerOffset - b.headerOffset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const cur = sorted[i]!;
    archiveCheck(prev.dataOffset + prev.compressedSize <= cur.headerOffset, cur.name,
      () => `overlaps the data of ${prev.name}`);
  }
}
