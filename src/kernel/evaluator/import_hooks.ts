// Module loader hooks (node:module `register`) for imports made by cells.
//
// Two jobs, both only for what cells import:
// - resolve a bare specifier from the notebook's directory: Node 20 has no `import.meta.resolve`
//   with a parent, so `__tsjit_import` asks for `tsjit-resolve:<json {specifier, parent}>` and the
//   resolve hook hands the specifier to Node's own resolver with that parent. Node's ESM rules
//   apply exactly: `exports`, the "import" condition, ESM-only and CommonJS packages alike.
// - load `.ts` files of the notebook (and what they import) by transpiling them with TypeScript;
//   a `./x.js` or extensionless import that does not exist falls back to `./x.ts`, as tsc does.
//
// The hooks run on Node's loader thread, which cannot load this TypeScript file when the
// kernel runs from sources, so they are registered as plain JavaScript text (a data: URL),
// with the paths they need baked in.

import { register } from "node:module";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const RESOLVE_SCHEME = "tsjit-resolve:";

function hooksSource(typescriptUrl: string, ownRoots: string[]): string {
  return `
const RESOLVE = ${JSON.stringify(RESOLVE_SCHEME)};
const TYPESCRIPT = ${JSON.stringify(typescriptUrl)};
const OWN_ROOTS = ${JSON.stringify(ownRoots)};
const TS_FILE = /\\.(m|c)?tsx?$/;
let ts;

function isNotebookFile(url) {
  if (!url.startsWith("file:")) return false;
  const file = decodeURIComponent(new URL(url).pathname);
  return !file.includes("/node_modules/") && !OWN_ROOTS.some((root) => file.startsWith(root));
}

function alternatives(specifier) {
  if (/\\.(m|c)?js$/.test(specifier)) return [specifier.replace(/js$/, "ts")];
  if (!/\\.[a-z]+$/i.test(specifier)) return [specifier + ".ts", specifier + "/index.ts", specifier + ".js", specifier + "/index.js"];
  return [];
}

export async function resolve(specifier, context, next) {
  if (specifier.startsWith(RESOLVE)) {
    const { specifier: inner, parent } = JSON.parse(decodeURIComponent(specifier.slice(RESOLVE.length)));
    return next(inner, { ...context, parentURL: parent });
  }
  try {
    return await next(specifier, context);
  } catch (e) {
    const relative = specifier.startsWith("./") || specifier.startsWith("../");
    if (!relative || !context.parentURL || !isNotebookFile(context.parentURL)) throw e;
    for (const candidate of alternatives(specifier)) {
      try {
        return await next(candidate, context);
      } catch {}
    }
    throw e;
  }
}

export async function load(url, context, next) {
  const pathname = url.startsWith("file:") ? new URL(url).pathname : "";
  if (!TS_FILE.test(pathname) || !isNotebookFile(url)) return next(url, context);
  ts ??= (await import(TYPESCRIPT)).default;
  const { readFile } = await import("node:fs/promises");
  const text = await readFile(new URL(url), "utf8");
  const out = ts.transpileModule(text, {
    fileName: decodeURIComponent(pathname),
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, inlineSourceMap: true, inlineSources: true },
  });
  return { format: "module", source: out.outputText, shortCircuit: true };
}
`;
}

let registered = false;

/** Registers the hooks once per process (the first time a cell imports a file or package). */
export function ensureImportHooks(): void {
  if (registered) return;
  registered = true;
  const typescriptUrl = pathToFileURL(createRequire(import.meta.url).resolve("typescript")).href;
  // tsjit's own sources are compiled by whoever runs them (tsc's dist/, or tsx in development).
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
  const ownRoots = [path.join(root, "src") + path.sep, path.join(root, "dist") + path.sep];
  register(`data:text/javascript,${encodeURIComponent(hooksSource(typescriptUrl, ownRoots))}`);
}
