// Where tsjit's own typings live, found from this file's location so that it works from src/
// (tsx, vitest) and from dist/ (the installed package) alike.

import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The folder holding tsjit's package.json. */
export function tsjitPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && isTsjitManifest(manifest)) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`tsjit language service: no tsjit package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

function isTsjitManifest(path: string): boolean {
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
    return typeof parsed === "object" && parsed !== null && (parsed as { name?: unknown }).name === "tsjit";
  } catch {
    return false;
  }
}

/** tsjit's own typings: what `"tsjit"` resolves to, and the kernel display API's types. */
export interface TsjitTypings {
  index: string;
  /**
   * src/kernel/display's display API and comms, when this build has them: the two files, not
   * the folder's index, which would bring apache-arrow's ~130 declaration files into every check.
   */
  display: { api: string; comms: string } | undefined;
}

/**
 * The built declarations (`dist/index.d.ts`: small, declarations only), or the sources
 * (`src/index.ts`) in a checkout that was never built (slower: the checker then reads tsjit's
 * sources).
 */
export function tsjitTypings(root: string = tsjitPackageRoot()): TsjitTypings {
  const layouts = [
    { folder: join(root, "dist"), extension: ".d.ts" },
    { folder: join(root, "src"), extension: ".ts" },
  ];
  for (const { folder, extension } of layouts) {
    const index = join(folder, `index${extension}`);
    if (!existsSync(index)) continue;
    const display = { api: join(folder, "kernel", "display", `display_api${extension}`), comms: join(folder, "kernel", "display", `comms${extension}`) };
    return { index, display: existsSync(display.api) && existsSync(display.comms) ? display : undefined };
  }
  throw new Error(`tsjit language service: neither ${join(root, "dist", "index.d.ts")} nor ${join(root, "src", "index.ts")} exists (run npm run build)`);
}

/** The `@types` folder that holds the @types/node tsjit was installed with, if any. */
export function bundledTypesRoot(): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve("@types/node/package.json");
    return dirname(dirname(manifest));
  } catch {
    return undefined;
  }
}
