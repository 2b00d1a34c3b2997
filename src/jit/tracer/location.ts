/**
 * The user's source location of a traced op (`# /path/cell.ts:31:0` in graph text): the first
 * stack frame outside tsjit's own code. Columns print as 0, as PyTorch's do.
 */
import { fileURLToPath } from "node:url";
import { sourceRange, type SourceRange } from "../ir/index.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const OWN = [`${ROOT}src/`, `${ROOT}dist/`];

export function callerLocation(): SourceRange | null {
  const stack = new Error().stack ?? "";
  for (const line of stack.split("\n").slice(1)) {
    const m = /\(?((?:file:\/\/)?\/[^():]+):(\d+):\d+\)?\s*$/.exec(line);
    if (!m) continue;
    const file = m[1]!.startsWith("file://") ? fileURLToPath(m[1]!) : m[1]!;
    if (OWN.some((p) => file.startsWith(p)) || file.includes("/node_modules/")) continue;
    return sourceRange(file, Number(m[2]), 0);
  }
  return null;
}
