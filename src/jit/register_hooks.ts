// Node's module-customization hooks for `tsjit/register` (src/register.ts registers them; they run
// on Node's hooks thread). `load` turns .ts/.mts/.cts files into JavaScript whose classes and
// functions are in the source registry (node_transpile.ts); `resolve` lets a TypeScript file
// import a sibling by its emitted name (`./model.js` finds `./model.ts`), as `tsc` with NodeNext
// resolution expects. Everything else goes to Node's own hooks untouched.
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { LoadHook, ResolveHook } from "node:module";
import { transpileTypeScript, type ModuleFormat } from "./node_transpile.js";

/** A TypeScript file's extension → the emitted file's, for imports written with the latter. */
const EMITTED_EXTENSION: Readonly<Record<string, string>> = { ".ts": ".js", ".mts": ".mjs", ".cts": ".cjs" };
const TYPESCRIPT_URL = /\.(ts|mts|cts)$/;

function isTypeScriptFile(url: string): boolean {
  return url.startsWith("file:") && TYPESCRIPT_URL.test(new URL(url).pathname) && !url.endsWith(".d.ts");
}

function parsePackageJson(text: string, path: string): { type?: string } {
  try {
    return JSON.parse(text) as { type?: string };
  } catch (e) {
    throw new SyntaxError(`${path}: ${(e as Error).message}`, { cause: e });
  }
}

const packageTypes = new Map<string, string | undefined>();

/** The `type` of the package.json nearest to `dir` (undefined: none says, so CommonJS). */
function packageType(dir: string): string | undefined {
  if (packageTypes.has(dir)) return packageTypes.get(dir);
  let type: string | undefined;
  let text: string | undefined;
  try {
    text = readFileSync(join(dir, "package.json"), "utf8");
  } catch {
    text = undefined; // no package.json here: ask the parent
  }
  if (text !== undefined) type = parsePackageJson(text, join(dir, "package.json")).type ?? "commonjs";
  else if (dirname(dir) !== dir) type = packageType(dirname(dir));
  packageTypes.set(dir, type);
  return type;
}

/** .mts is ESM and .cts CommonJS whatever the package says; .ts follows the package, as .js does. */
export function moduleFormat(path: string): ModuleFormat {
  if (path.endsWith(".mts")) return "module";
  if (path.endsWith(".cts")) return "commonjs";
  return packageType(dirname(path)) === "module" ? "module" : "commonjs";
}

export const load: LoadHook = async (url, context, nextLoad) => {
  if (!isTypeScriptFile(url)) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const format = moduleFormat(path);
  return { format, source: transpileTypeScript(await readFile(path, "utf8"), path, format), shortCircuit: true };
};

/** `./x.js` imported from a TypeScript file, when only `./x.ts` exists: the TypeScript file. */
function typeScriptSibling(specifier: string, parentURL: string | undefined): string | null {
  if (parentURL === undefined || !isTypeScriptFile(parentURL)) return null;
  if (!/^(\.{1,2}\/|\/|file:)/.test(specifier)) return null; // a package: its own exports decide
  const m = /\.(js|mjs|cjs)$/.exec(specifier);
  if (m === null) return null;
  const emitted = m[0];
  const source = Object.keys(EMITTED_EXTENSION).find((ext) => EMITTED_EXTENSION[ext] === emitted)!;
  return specifier.slice(0, -emitted.length) + source;
}

const NOT_FOUND = new Set(["ERR_MODULE_NOT_FOUND", "MODULE_NOT_FOUND"]);

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const sibling = typeScriptSibling(specifier, context.parentURL);
    if (sibling === null || !NOT_FOUND.has((error as { code?: string }).code ?? "")) throw error;
    try {
      return await nextResolve(sibling, context);
    } catch {
      throw error; // the error names what was imported, not our guess
    }
  }
};
