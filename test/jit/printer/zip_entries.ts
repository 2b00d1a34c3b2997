/**
 * Reads the entries of a conformance case's model.pt (a zip archive) so the printer tests can
 * compare against the archive's code/ files. Test-only: stored and deflated entries, no zip64.
 */
import { readFileSync } from "node:fs";
import { inflateRawSync } from "node:zlib";

/** Entry name (prefix such as `model/` removed) -> contents as text. */
export function readArchiveText(url: URL): Map<string, string> {
  const buf = readFileSync(url);
  // End of central directory: signature 0x06054b50 within the last 64 KiB.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${url.pathname}: not a zip archive`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = new Map<string, string>();
  for (let k = 0; k < count; k++) {
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString("utf8", p + 46, p + 46 + nameLen);
    const dataStart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(dataStart, dataStart + compressed);
    const data = method === 8 ? inflateRawSync(raw) : raw;
    out.set(name.slice(name.indexOf("/") + 1), data.toString("utf8"));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}
