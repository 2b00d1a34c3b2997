/**
 * Whether a built file under dist/ is at least as new as everything in src/. Tests that run
 * dist/ in a child process (the kernel, `tsjit run`, `tsjit/register`) use it: `npm test`
 * builds dist/ first (pretest), but vitest run directly after editing src/ would test an old build.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

/** The newest modification time under `dir` (recursive), in ms. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export function distIsFresh(file: string): boolean {
  return existsSync(file) && statSync(file).mtimeMs >= newestMtime(SRC);
}
