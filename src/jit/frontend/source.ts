/**
 * Where the script compiler gets TypeScript from: the source registry first (the kernel
 * registers each cell's classes and functions with their typed text, as Python's
 * `inspect.getsource` finds a def), else `Function.prototype.toString()`, which is the emitted
 * JavaScript: types are gone, so TorchScript's defaults apply (an unannotated parameter is a
 * Tensor, see types.ts). Either way the text is parsed with the TypeScript compiler.
 */
import type TS from "typescript";
import { lazyTypescript as ts } from "../../util/typescript.js";
import { sourceOf } from "../source_registry.js";

/** Parsed text and where it starts in the user's file (1-based), for error reports. */
export interface SourceText {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly sourceFile: TS.SourceFile;
  /** True when the text carries TypeScript types (registered source), false for toString(). */
  readonly typed: boolean;
}

export type FunctionDecl = TS.FunctionDeclaration | TS.MethodDeclaration | TS.FunctionExpression | TS.ArrowFunction;

const parsed = new WeakMap<Function, SourceText>();

export function parseText(file: string, text: string, line = 1, column = 1, typed = true): SourceText {
  const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  return { file, line, column, sourceFile, typed };
}

/** The source of a class or function: registered, else its toString (wrapped when it is a bare method). */
export function sourceFor(target: Function): SourceText {
  const cached = parsed.get(target);
  if (cached) return cached;
  const reg = sourceOf(target);
  let src: SourceText;
  if (reg) src = parseText(reg.file, reg.text, reg.line, reg.column, true);
  else {
    const text = Function.prototype.toString.call(target);
    if (/\{\s*\[native code\]\s*\}\s*$/.test(text)) {
      throw new Error(`torch.jit.script: the source of '${target.name}' is not available (a native or bound function)`);
    }
    const file = `<source of ${target.name || "anonymous"}>`;
    src = parseText(file, text, 1, 1, false);
    // a method's toString is `forward(x) {...}`: not a statement on its own
    if (!firstDeclaration(src)) src = parseText(file, `class __tsjit_wrap { ${text} }`, 1, 1 - "class __tsjit_wrap { ".length, false);
  }
  parsed.set(target, src);
  return src;
}

function firstDeclaration(src: SourceText): TS.Node | null {
  const st = src.sourceFile.statements[0];
  if (!st) return null;
  if (ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) return st;
  if (ts.isExpressionStatement(st)) {
    let e: TS.Expression = st.expression;
    while (ts.isParenthesizedExpression(e)) e = e.expression;
    if (ts.isFunctionExpression(e) || ts.isArrowFunction(e) || ts.isClassExpression(e)) return e;
  }
  if (ts.isVariableStatement(st)) {
    const init = st.declarationList.declarations[0]?.initializer;
    if (init && (ts.isFunctionExpression(init) || ts.isArrowFunction(init) || ts.isClassExpression(init))) return init;
  }
  return null;
}

/** The class declaration in `src` (the first one). */
export function classDecl(src: SourceText): TS.ClassLikeDeclaration | null {
  let found: TS.ClassLikeDeclaration | null = null;
  const visit = (n: TS.Node): void => {
    if (found) return;
    if (ts.isClassDeclaration(n) || ts.isClassExpression(n)) found = n;
    else ts.forEachChild(n, visit);
  };
  visit(src.sourceFile);
  return found;
}

/** A free function's declaration: `function f(...)`, `const f = (...) => ...`, or a method text. */
export function functionDecl(src: SourceText): FunctionDecl | null {
  const first = firstDeclaration(src);
  if (!first) return null;
  if (ts.isFunctionDeclaration(first) || ts.isFunctionExpression(first) || ts.isArrowFunction(first)) return first;
  if (ts.isClassDeclaration(first) || ts.isClassExpression(first)) {
    const m = first.members.find(ts.isMethodDeclaration);
    return m ?? null;
  }
  return null;
}

export function memberName(m: TS.ClassElement): string | null {
  const n = m.name;
  if (!n) return null;
  if (ts.isIdentifier(n) || ts.isPrivateIdentifier(n) || ts.isStringLiteral(n) || ts.isNumericLiteral(n)) return n.text;
  return null;
}

/** The method `name` of a class declaration, or null. */
export function methodDecl(cls: TS.ClassLikeDeclaration, name: string): TS.MethodDeclaration | null {
  for (const m of cls.members) if (ts.isMethodDeclaration(m) && memberName(m) === name && m.body) return m;
  return null;
}

/** Declared types of class fields (`k: int = 3`, `declare w: Tensor`), and constructor parameter properties. */
export function fieldTypes(cls: TS.ClassLikeDeclaration): Map<string, TS.TypeNode> {
  const out = new Map<string, TS.TypeNode>();
  for (const m of cls.members) {
    if (ts.isPropertyDeclaration(m) && m.type) {
      const name = memberName(m);
      if (name) out.set(name, m.type);
    }
    if (ts.isConstructorDeclaration(m)) {
      for (const p of m.parameters) {
        if (p.modifiers?.length && p.type && ts.isIdentifier(p.name)) out.set(p.name.text, p.type);
      }
    }
  }
  return out;
}
