// TypeScript's emit for cells that still hold TypeScript-only syntax after the transform
// (types, enums, namespaces, parameter properties, decorators, `using`).
//
// `ts.transpileModule` would do, but it rebuilds its compiler options and host on every call;
// this keeps one options object and one single-file host, and turns type checking off
// (`noCheck`): the language service checks cells, the emit only erases and lowers.

import type TS from "typescript";
import { typescript } from "../language/typescript.js";

/** Note [typescript through require] (cell_transform.ts). */
const ts = typescript();

const FILE = "cell.ts";

const OPTIONS: TS.CompilerOptions = {
  target: ts.ScriptTarget.ES2022, // class fields are defined (Note [registration by scanning] in src/nn/module.ts)
  module: ts.ModuleKind.ESNext,
  sourceMap: true,
  noLib: true,
  noResolve: true,
  noCheck: true,
  noEmitOnError: false,
  suppressOutputPathCheck: true,
  declaration: false,
  removeComments: false,
  newLine: ts.NewLineKind.LineFeed,
  types: [],
};

export interface Emitted {
  js: string;
  /** The source map, in the emitted JS → the TypeScript text given. */
  map: string;
}

let current: TS.SourceFile | undefined;

const host: TS.CompilerHost = {
  getSourceFile: (name) => (name === FILE ? current : undefined),
  writeFile: () => undefined,
  getDefaultLibFileName: () => "lib.d.ts",
  useCaseSensitiveFileNames: () => true,
  getCanonicalFileName: (name) => name,
  getCurrentDirectory: () => "",
  getNewLine: () => "\n",
  fileExists: (name) => name === FILE,
  readFile: () => undefined,
  directoryExists: () => true,
  getDirectories: () => [],
};

/** Emits `code` (a script: the transform has already removed imports and exports) as ES2022. */
export function emitTypeScript(code: string): Emitted {
  current = ts.createSourceFile(FILE, code, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  try {
    const program = ts.createProgram([FILE], OPTIONS, host);
    let js = "";
    let map = "";
    const result = program.emit(undefined, (name, data) => {
      if (name.endsWith(".map")) map = data;
      else js = data;
    });
    if (result.emitSkipped) throw new Error("TypeScript skipped the emit of a cell");
    return { js: js.replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n"), map };
  } finally {
    current = undefined;
  }
}
