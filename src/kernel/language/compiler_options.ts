// Compiler options for notebook cells: defaults, the notebook's tsconfig.json, and the few
// options a cell cannot do without (Note [forced options]).

import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import type ts from "typescript";
import { bundledTypesRoot } from "./package_paths.js";
import { typescript } from "./typescript.js";

/** What `tsconfig.json` beside the notebook says, as parsed by TypeScript (`extends` followed). */
export interface NotebookTsconfig {
  /** The file read, or undefined when there is none. */
  path: string | undefined;
  compilerOptions: ts.CompilerOptions;
  /** The whole JSON document, for settings of our own (e.g. a type-check mode). */
  raw: unknown;
  /** Problems in the file, as `path: message` lines (the kernel shows them; they are not fatal). */
  errors: string[];
}

/** Reads `<cwd>/tsconfig.json` if there is one. Its `files`/`include` are ignored: cells are the files. */
export function readNotebookTsconfig(cwd: string): NotebookTsconfig {
  const path = join(cwd, "tsconfig.json");
  if (!existsSync(path)) return { path: undefined, compilerOptions: {}, raw: undefined, errors: [] };
  const ts = typescript();
  const read = ts.readConfigFile(path, (p) => ts.sys.readFile(p));
  if (read.error) return { path, compilerOptions: {}, raw: undefined, errors: [describe(path, read.error)] };
  const config: unknown = read.config;
  const withoutInputs = { ...(config as object), files: [], include: [] };
  const parsed = ts.parseJsonConfigFileContent(withoutInputs, ts.sys, dirname(path), undefined, path);
  // 18002 "The 'files' list is empty", 18003 "No inputs were found": we asked for none on purpose.
  const errors = parsed.errors.filter((d) => d.code !== 18002 && d.code !== 18003).map((d) => describe(path, d));
  return { path, compilerOptions: parsed.options, raw: config, errors };
}

function describe(path: string, d: ts.Diagnostic): string {
  const ts = typescript();
  const where = d.file && d.start !== undefined ? `${path}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : path;
  return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
}

/** The options cells are checked with when the notebook has no tsconfig.json. */
export function defaultCellCompilerOptions(): ts.CompilerOptions {
  const ts = typescript();
  return {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    lib: ["lib.es2022.d.ts"],
    esModuleInterop: true,
    resolveJsonModule: true,
    allowImportingTsExtensions: true,
    skipLibCheck: true,
  };
}

/**
 * Note [forced options]
 * A cell is an ES module run by Node (top-level await, `import`), checked in memory, so some
 * options are not the notebook's to choose: nothing is emitted; every cell is a module
 * (`moduleDetection: force`, module ESNext + bundler resolution, as the evaluator resolves
 * imports from the notebook's folder); the per-file restrictions of isolatedModules and
 * verbatimModuleSyntax would reject the imports that carry earlier cells' names
 * (cell_program.ts), so they are off. Node's typings come with tsjit (`types: ["node"]`,
 * found after the notebook's own @types folders) unless tsconfig.json lists `types` itself;
 * the language service leaves them out until a cell needs them (`withoutNodeTypings`, Note
 * [node typings on demand] in node_typings.ts).
 */
export function cellCompilerOptions(cwd: string, fromTsconfig: ts.CompilerOptions): ts.CompilerOptions {
  const ts = typescript();
  const options: ts.CompilerOptions = { ...defaultCellCompilerOptions(), ...fromTsconfig };
  if (options.target === undefined || options.target < ts.ScriptTarget.ES2022) options.target = ts.ScriptTarget.ES2022;
  options.types ??= ["node"];
  options.typeRoots ??= typeRootsFor(cwd);
  return {
    ...options,
    noEmit: true,
    declaration: false,
    composite: false,
    incremental: false,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    moduleDetection: ts.ModuleDetectionKind.Force,
    isolatedModules: false,
    verbatimModuleSyntax: false,
  };
}

/**
 * Whether the notebook leaves Node's typings to tsjit (no `types` of its own), so that the
 * language service may add them only when a cell needs them.
 */
export function nodeTypingsOnDemand(fromTsconfig: ts.CompilerOptions): boolean {
  return fromTsconfig.types === undefined;
}

/** `options` without Node's typings (nor any other automatic @types package). */
export function withoutNodeTypings(options: ts.CompilerOptions): ts.CompilerOptions {
  return { ...options, types: [] };
}

/** The @types folders TypeScript would look in from `cwd`, then the one tsjit brings. */
function typeRootsFor(cwd: string): string[] {
  const roots: string[] = [];
  for (let dir = cwd; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", "@types");
    if (existsSync(candidate)) roots.push(candidate);
    if (dirname(dir) === dir) break;
  }
  const bundled = bundledTypesRoot();
  if (bundled !== undefined && !roots.includes(bundled)) roots.push(bundled);
  return roots;
}
