// What `import` means in a cell. The transform lowers `import x from "m"` and `import("m")` to
// `__tsjit_import("m")`; this resolves "m" the way a file beside the notebook would, then loads
// it with Node's real `import()`:
//   "tsjit", "tslab"        the kernel's own module objects (so `torch` is the global torch)
//   "node:fs", "fs"         Node's builtins
//   "./x.ts", "../y.js"     files relative to the notebook's directory; .ts files are
//                           transpiled by the loader hooks; a changed file is loaded afresh
//   "pkg", "@s/pkg/sub"     packages, resolved from the notebook's directory (import_hooks.ts)

import { existsSync, statSync } from "node:fs";
import { createRequire, isBuiltin } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import vm from "node:vm";
import { ensureImportHooks, RESOLVE_SCHEME } from "./import_hooks.js";

type ImportOptions = { with?: Record<string, string> };

type Importer = (specifier: string, options?: ImportOptions) => Promise<unknown>;

// Note [native import]: `import()` written in this file would be rewritten by a bundler or a
// test runner's module system (vitest's); one created with `Function` is Node's own, unless
// this module was itself evaluated through `vm` (vitest does that), where Node refuses dynamic
// import without a callback: then a function compiled with Node's default loader does it
// (experimental in Node 20, and it warns once, so it is only the fallback).
const viaFunction = new Function("specifier", "options", "return import(specifier, options)") as Importer;
let viaVm: Importer | undefined;

async function nativeImport(specifier: string, options?: ImportOptions): Promise<unknown> {
  if (viaVm !== undefined) return viaVm(specifier, options);
  try {
    return await viaFunction(specifier, options);
  } catch (e) {
    if ((e as { code?: unknown }).code !== "ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING") throw e;
    const importModuleDynamically = vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER;
    viaVm = vm.compileFunction("return import(specifier, options)", ["specifier", "options"], { importModuleDynamically }) as Importer;
    return viaVm(specifier, options);
  }
}

const TS_EXTENSIONS = [".ts", ".mts", ".tsx"];

/** TypeScript's way of finding a relative module: as written, `.js` → `.ts`, then extensions. */
function findFile(base: string): string | undefined {
  const candidates = [base];
  if (/\.(m|c)?js$/.test(base)) candidates.push(base.replace(/js$/, "ts"));
  if (path.extname(base) === "") {
    candidates.push(...TS_EXTENSIONS.map((e) => base + e), base + ".js", base + ".mjs");
    candidates.push(...TS_EXTENSIONS.map((e) => path.join(base, "index" + e)), path.join(base, "index.js"));
  }
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

export class ModuleLoader {
  constructor(
    private readonly cwd: () => string,
    /** Modules the kernel provides itself, by specifier. */
    private readonly provided: ReadonlyMap<string, unknown>,
  ) {}

  import(specifier: string, options?: ImportOptions): Promise<unknown> {
    if (typeof specifier !== "string") return Promise.reject(new TypeError(`import() needs a string, got ${typeof specifier}`));
    if (this.provided.has(specifier)) return Promise.resolve(this.provided.get(specifier));
    if (specifier.startsWith("node:") || isBuiltin(specifier) || specifier.startsWith("data:")) return nativeImport(specifier, options);
    if (specifier.startsWith("file:")) {
      ensureImportHooks();
      return nativeImport(specifier, options);
    }
    if (specifier.startsWith(".") || path.isAbsolute(specifier)) return this.importFile(specifier, options);
    ensureImportHooks();
    const parent = pathToFileURL(path.join(this.cwd(), "notebook.ts")).href;
    return nativeImport(RESOLVE_SCHEME + encodeURIComponent(JSON.stringify({ specifier, parent })), options);
  }

  private importFile(specifier: string, options?: ImportOptions): Promise<unknown> {
    const base = path.resolve(this.cwd(), specifier);
    const file = findFile(base);
    if (file === undefined) {
      const e = new Error(`Cannot find module '${specifier}' (looked for ${base} from ${this.cwd()})`);
      return Promise.reject(Object.assign(e, { code: "ERR_MODULE_NOT_FOUND" }));
    }
    ensureImportHooks();
    // The modification time in the URL: re-running `import "./helpers.ts"` after editing the
    // file loads the new version (Node caches modules by URL).
    const url = pathToFileURL(file);
    url.searchParams.set("mtime", String(Math.trunc(statSync(file).mtimeMs)));
    return nativeImport(url.href, options);
  }

  /** `import x = require("m")`, from the notebook's directory. */
  require(specifier: string): unknown {
    if (this.provided.has(specifier)) return this.provided.get(specifier);
    return createRequire(path.join(this.cwd(), "notebook.js"))(specifier);
  }

  /** `import.meta` of a cell: as if the cell were a file in the notebook's directory. */
  importMeta(): { url: string; dirname: string; filename: string; resolve: (specifier: string) => string } {
    const filename = path.join(this.cwd(), "notebook.ts");
    return {
      url: pathToFileURL(filename).href,
      dirname: this.cwd(),
      filename,
      resolve: (specifier) => pathToFileURL(createRequire(filename).resolve(specifier)).href,
    };
  }
}
