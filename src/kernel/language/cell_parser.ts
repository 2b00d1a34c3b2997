// Parsing one cell on its own, as a module (so top-level `await` parses as it will run), with
// its syntax errors: for is_complete, and for reporting syntax errors free of the generated
// header and trailer. A one-file program is the public way to get both: `createSourceFile`
// alone would parse a cell without `import` as a script and does not expose its errors.

import type ts from "typescript";
import { typescript } from "./typescript.js";

export interface ParsedCell {
  sourceFile: ts.SourceFile;
  /** Syntax errors, positions in the cell's text. */
  diagnostics: readonly ts.Diagnostic[];
}

const CELL_NAME = "/__tsjit_parse__/cell.ts";

export function parseCell(code: string): ParsedCell {
  const ts = typescript();
  const options: ts.CompilerOptions = {
    noLib: true,
    noResolve: true,
    types: [],
    target: ts.ScriptTarget.ESNext,
    module: ts.ModuleKind.ESNext,
    moduleDetection: ts.ModuleDetectionKind.Force,
  };
  let sourceFile: ts.SourceFile | undefined;
  const host: ts.CompilerHost = {
    getSourceFile: (name, languageVersion) => {
      if (name !== CELL_NAME) return undefined;
      sourceFile = ts.createSourceFile(name, code, languageVersion);
      return sourceFile;
    },
    getDefaultLibFileName: () => "/__tsjit_parse__/lib.d.ts",
    writeFile: () => undefined,
    getCurrentDirectory: () => "/__tsjit_parse__",
    getCanonicalFileName: (f) => f,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
    fileExists: (f) => f === CELL_NAME,
    readFile: (f) => (f === CELL_NAME ? code : undefined),
  };
  const program = ts.createProgram({ rootNames: [CELL_NAME], options, host });
  const file = program.getSourceFile(CELL_NAME) ?? sourceFile;
  if (!file) throw new Error("tsjit language service: the cell parser produced no source file");
  return { sourceFile: file, diagnostics: program.getSyntacticDiagnostics(file) };
}
