/**
 * Notebook-style sources for script tests: TypeScript text is transpiled and run the way the
 * kernel runs a cell, and each top-level class and function is registered with its typed
 * source (src/jit/source_registry.ts), so torch.jit.script reads the annotations.
 */
import ts from "typescript";
import { torch } from "../../../src/index.js";
import { registerSource } from "../../../src/jit/source_registry.js";

/** Runs `code` (TypeScript) with torch, nn, F in scope; returns its top-level classes and functions by name. */
export function defineCell(code: string, opts: { file?: string; register?: boolean; scope?: Record<string, unknown> } = {}): Record<string, any> {
  const file = opts.file ?? "<cell>";
  const sf = ts.createSourceFile(file, code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const names: string[] = [];
  const decls: { name: string; text: string; line: number; column: number }[] = [];
  for (const st of sf.statements) {
    if ((ts.isClassDeclaration(st) || ts.isFunctionDeclaration(st)) && st.name) {
      names.push(st.name.text);
      const start = st.getStart(sf);
      const { line, character } = sf.getLineAndCharacterOfPosition(start);
      decls.push({ name: st.name.text, text: code.slice(start, st.getEnd()), line: line + 1, column: character + 1 });
    }
  }
  const js = ts.transpileModule(code, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.None, useDefineForClassFields: true } }).outputText;
  const scope = { torch, nn: torch.nn, F: torch.nn.functional, ...(opts.scope ?? {}) };
  const body = `${js}\nreturn { ${names.join(", ")} };`;
  const out = new Function(...Object.keys(scope), body)(...Object.values(scope)) as Record<string, any>;
  if (opts.register !== false) for (const d of decls) registerSource(out[d.name], { file, text: d.text, line: d.line, column: d.column });
  return out;
}
