// One TypeScript file → JavaScript for Node, with its classes and functions registered in the
// source registry, for `tsjit/register` (register_hooks.ts). Pure: text in, text out.
//
// Note [registrations are synthesized]: the registration calls are added as AST nodes by a
// transformer given to TypeScript's emit, not spliced into the text, so (1) the inline source
// map still maps every emitted line to the exact .ts line, and (2) the only user text in
// generated code is the declaration's text, path, line and column, which the printer writes as
// string and number literals. Function declarations are hoisted, so their registrations go first
// in the module (a class may call a helper declared below the code that scripts it); a class
// exists only after its declaration, so its registration follows it.
//
// @example transpileTypeScript("class Net extends nn.Module { forward(x: Tensor) {...} }", "/app/net.ts", "module")
// // class Net extends nn.Module { forward(x) {...} }
// // globalThis[Symbol.for("tsjit.registerSource")](Net, { file: "/app/net.ts", text: "class Net ...", line: 1, column: 1 });

import type TS from "typescript";
import { typescript } from "../util/typescript.js";
import { declarationText } from "./declaration_source.js";
import { REGISTER_SOURCE_KEY } from "./source_registry_global.js";

/** src/util/typescript.ts: loaded by require, as the hook needs it at once. */
const ts = typescript();

export type ModuleFormat = "module" | "commonjs";

type Registered = TS.FunctionDeclaration | TS.ClassDeclaration;

/** A declaration that exists at run time and has a name to reach it by. */
function registrable(s: TS.Statement): s is Registered {
  if (!ts.isFunctionDeclaration(s) && !ts.isClassDeclaration(s)) return false;
  if (s.name === undefined) return false; // `export default class {}`: nothing to name it by
  if (ts.isFunctionDeclaration(s) && s.body === undefined) return false; // an overload signature
  return !(ts.getCombinedModifierFlags(s) & ts.ModifierFlags.Ambient); // `declare class`
}

/** `"use strict";` and the like: a string literal statement at the start of the file. */
function isDirective(s: TS.Statement): boolean {
  return ts.isExpressionStatement(s) && ts.isStringLiteral(s.expression);
}

/** `globalThis[Symbol.for(KEY)](Name, { file, text, line, column });` (Note [registry through a global]). */
function registration(f: TS.NodeFactory, file: TS.SourceFile, path: string, decl: Registered): TS.Statement {
  const { text, line, column } = declarationText(file, decl);
  const registry = f.createElementAccessExpression(
    f.createIdentifier("globalThis"),
    f.createCallExpression(f.createPropertyAccessExpression(f.createIdentifier("Symbol"), "for"), undefined, [f.createStringLiteral(REGISTER_SOURCE_KEY)]),
  );
  const location = f.createObjectLiteralExpression([
    f.createPropertyAssignment("file", f.createStringLiteral(path)),
    f.createPropertyAssignment("text", f.createStringLiteral(text)),
    f.createPropertyAssignment("line", f.createNumericLiteral(line)),
    f.createPropertyAssignment("column", f.createNumericLiteral(column)),
  ]);
  return f.createExpressionStatement(f.createCallExpression(registry, undefined, [f.createIdentifier(decl.name!.text), location]));
}

/** The transformer that adds the registrations (Note [registrations are synthesized]). */
function registerDeclarations(path: string): TS.TransformerFactory<TS.SourceFile> {
  return (context) => (file) => {
    const f = context.factory;
    const statements = file.statements;
    let start = 0; // after the directive prologue ("use strict" must stay first to count)
    while (start < statements.length && isDirective(statements[start]!)) start++;
    const hoisted: TS.Statement[] = [];
    const body: TS.Statement[] = [];
    for (const s of statements.slice(start)) {
      body.push(s);
      if (!registrable(s)) continue;
      if (ts.isFunctionDeclaration(s)) hoisted.push(registration(f, file, path, s));
      else body.push(registration(f, file, path, s));
    }
    if (body.length + hoisted.length === statements.length - start) return file; // nothing to register
    return f.updateSourceFile(file, [...statements.slice(0, start), ...hoisted, ...body]);
  };
}

/** A syntax error in a transpiled file, located as `path:line:column` like Node's own. */
function syntaxError(path: string, diagnostics: readonly TS.Diagnostic[]): SyntaxError {
  const lines = diagnostics.map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    if (d.file === undefined || d.start === undefined) return message;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${path}:${line + 1}:${character + 1}: ${message}`;
  });
  return new SyntaxError(lines.join("\n"));
}

/**
 * `text` (the TypeScript file at `path`) as JavaScript in `format`, with an inline source map
 * back to the file and a source registration after each top-level class and function.
 * Throws a SyntaxError naming the file and line when TypeScript cannot parse it.
 */
export function transpileTypeScript(text: string, path: string, format: ModuleFormat): string {
  const out = ts.transpileModule(text, {
    fileName: path,
    reportDiagnostics: true,
    compilerOptions: {
      // as the kernel's emit (ts_emit.ts): ES2022 defines class fields (Note [registration by scanning], nn/module.ts)
      target: ts.ScriptTarget.ES2022,
      // CommonJS through NodeNext, which keeps `import()` (the way a CommonJS file loads tsjit,
      // an ES module) where `module: CommonJS` would make it a require(); transpileModule sees no
      // package.json, so NodeNext reads a .ts or .cts file as CommonJS
      module: format === "module" ? ts.ModuleKind.ESNext : ts.ModuleKind.NodeNext,
      esModuleInterop: true,
      inlineSourceMap: true,
      inlineSources: true,
      removeComments: false,
      newLine: ts.NewLineKind.LineFeed,
    },
    transformers: { before: [registerDeclarations(path)] },
  });
  const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) throw syntaxError(path, errors);
  return out.outputText;
}
