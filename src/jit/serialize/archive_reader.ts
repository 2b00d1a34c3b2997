/**
 * A PyTorch zip archive as records (torchscript-format.md §2.1, §3): the prefix is the part of
 * entry 0's name before its first `/` (as PyTorchStreamReader does), every record is looked up
 * as `<prefix>/<name>`, and the version record is `.data/version` or `version`.
 */
import { readFileSync } from "node:fs";
import { TorchScriptArchiveError, archiveCheck } from "./errors.js";
import type { ArchiveLimits } from "./limits.js";
import { ZipReader } from "./zip_reader.js";

export const MIN_SUPPORTED_VERSION = 1;
export const MAX_SUPPORTED_VERSION = 10;

export type ArchiveSource = string | Uint8Array;

export function archiveBytes(src: ArchiveSource): Uint8Array {
  if (typeof src !== "string") return src;
  try {
    return readFileSync(src);
  } catch (err) {
    throw new TorchScriptArchiveError(src, `cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

export class ArchiveReader {
  readonly zip: ZipReader;
  readonly prefix: string;

  constructor(bytes: Uint8Array, limits?: Partial<ArchiveLimits>) {
    archiveCheck(!startsWithAscii(bytes, "PYTORCH1"), "<zip>", () => "the pre-1.4 'PYTORCH1' archive format is not supported");
    if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] === 0x02) {
      throw new TorchScriptArchiveError("<zip>", "this is a legacy (non-zip) torch.save file; re-save it with PyTorch ≥ 1.6");
    }
    this.zip = new ZipReader(bytes, limits);
    const first = this.zip.entries[0];
    archiveCheck(first !== undefined, "<zip>", () => "the archive has no entries");
    const slash = first.name.indexOf("/");
    archiveCheck(slash > 0, first.name, () => "file in archive is not in a subdirectory");
    this.prefix = first.name.slice(0, slash);
  }

  recordName(name: string): string {
    return `${this.prefix}/${name}`;
  }

  has(name: string): boolean {
    return this.zip.has(this.recordName(name));
  }

  read(name: string): Uint8Array {
    const full = this.recordName(name);
    archiveCheck(this.zip.has(full), full, () => "record not found in the archive");
    return this.zip.read(full);
  }

  readIfPresent(name: string): Uint8Array | undefined {
    return this.has(name) ? this.read(name) : undefined;
  }

  readText(name: string): string {
    const full = this.recordName(name);
    archiveCheck(this.zip.has(full), full, () => "record not found in the archive");
    return this.zip.readText(full);
  }

  /** Records under `<prefix>/<folder>/`, names relative to the prefix. */
  recordsUnder(folder: string): string[] {
    const start = `${this.prefix}/${folder}/`;
    return this.zip.names().filter((n) => n.startsWith(start) && n.length > start.length).map((n) => n.slice(this.prefix.length + 1));
  }

  /** The archive's file-format version, range-checked as 1.13 does (1 … 10). */
  version(): number {
    const name = this.has(".data/version") ? ".data/version" : "version";
    const full = this.recordName(name);
    archiveCheck(this.zip.has(full), this.recordName("version"), () => "record not found: the archive has no version record");
    const bytes = this.zip.read(full);
    archiveCheck(bytes.length <= 32, full, () => "version record is too long");
    const v = decimalRecord(bytes);
    archiveCheck(v !== null, full, () => `Couldn't parse the version ${JSON.stringify(Buffer.from(bytes).toString("latin1"))}`);
    archiveCheck(v >= MIN_SUPPORTED_VERSION && v <= MAX_SUPPORTED_VERSION, full,
      () => `file format version ${v} is not supported (this reader takes ${MIN_SUPPORTED_VERSION} to ${MAX_SUPPORTED_VERSION})`);
    return v;
  }
}

// The two helpers below read bytes by code rather than through a Buffer string and a regex:
// every torch.jit.load runs them, and in a fresh process each Buffer encoding path and each
// regex is compiled on first use (issue #6: the first load's cost is mostly such first uses).

function startsWithAscii(bytes: Uint8Array, text: string): boolean {
  if (bytes.length < text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[i] !== text.charCodeAt(i)) return false;
  return true;
}

/** A record holding decimal digits with optional whitespace around them (`3\n`), or null. */
function decimalRecord(bytes: Uint8Array): number | null {
  const space = (c: number) => c === 32 || (c >= 9 && c <= 13) || c === 0xa0; // what \s matches in latin1
  let i = 0;
  let end = bytes.length;
  while (i < end && space(bytes[i]!)) i++;
  while (end > i && space(bytes[end - 1]!)) end--;
  if (i === end) return null;
  let v = 0;
  for (; i < end; i++) {
    const d = bytes[i]! - 48;
    if (d < 0 || d > 9) return null;
    v = v * 10 + d;
  }
  return v;
}

/** The archive prefix PyTorch writes: the file stem for a path, "archive" for a buffer. */
export function archivePrefix(path: string | null): string {
  if (path === null) return "archive";
  const base = path.replace(/\\/g, "/").split("/").pop() ?? "archive";
  const dot = base.lastIndexOf(".");
  const stem = dot > 0 ? base.slice(0, dot) : base;
  return stem.length > 0 ? stem : "archive";
}
