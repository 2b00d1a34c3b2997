// Type erasure by text edits: the TypeScript-only syntax of a cell, removed where it stands, so
// that most typed cells run without TypeScript's emit.
//
// Note [erasing instead of emitting]
// TypeScript's emit builds a program, a type checker (the emit resolver) and a printer for every
// cell, and reprints it, so it also needs a source map: several ms of CPU per class cell, warm
// (README.md in this folder has the figures). Most TypeScript-only syntax is
// erasable: annotations, type parameters and arguments, `as`/`satisfies`, `!`, `?`, access
// modifiers, `implements`, overloads, index signatures, `declare` and `abstract` members. Those
// are blanked (line breaks kept, Note [edits keep lines] in cell_transform.ts) and parameter
// properties are lowered in place as TypeScript lowers them at ES2022 (a field declaration per
// property, first in the class body; `this.x = x` first in the constructor, after `super(...)`
// in a derived class). What has to be generated rather than erased (enums, namespaces,
// decorators, `<T>x` assertions, `this` parameters, `using`, `accessor`) makes the cell fall
// back to the emit, as does any erasure whose result could read differently:
//   - `x as T` followed, on a new line, by `(`, `[` or a template: TypeScript ends the
//     statement there, JavaScript would call or index `x`;
//   - an arrow function's return type that spans lines (`=>` may not start a line);
//   - a field named `get`, `set`, `static`, ... with no initializer and no `;` (erased, it
//     would prefix the next member);
//   - two erasures that would overlap an edit of the transform.
// A cell whose erased text V8 still rejects is compiled through the emit as well
// (cell_compiler.ts), so erasure can only make a cell faster, never stop one from running.

import type TS from "typescript";
import { typescript } from "../language/typescript.js";
import type { TextEdit } from "./text_edits.js";

/** Note [typescript through require] (cell_transform.ts). */
const ts = typescript();

/** Modifiers that only say something to the type checker. */
const ERASED_MODIFIERS = new Set<TS.SyntaxKind>([
  ts.SyntaxKind.PublicKeyword,
  ts.SyntaxKind.PrivateKeyword,
  ts.SyntaxKind.ProtectedKeyword,
  ts.SyntaxKind.ReadonlyKeyword,
  ts.SyntaxKind.OverrideKeyword,
]);

/** Modifiers plain JavaScript has. */
const JS_MODIFIERS = new Set<TS.SyntaxKind>([ts.SyntaxKind.AsyncKeyword, ts.SyntaxKind.StaticKeyword, ts.SyntaxKind.ExportKeyword, ts.SyntaxKind.DefaultKeyword]);

/** Syntax that TypeScript's emit has to generate code for: the cell goes through the emit. */
const NEEDS_EMIT_KINDS = new Set<TS.SyntaxKind>([
  ts.SyntaxKind.EnumDeclaration,
  ts.SyntaxKind.ModuleDeclaration,
  ts.SyntaxKind.Decorator,
  ts.SyntaxKind.TypeAssertionExpression, // `return <T>\nx` would return undefined once erased
  ts.SyntaxKind.ImportEqualsDeclaration,
  ts.SyntaxKind.ExportAssignment,
]);

/** Whether the erasure of a node covers its children too (the walk does not visit them). */
export type Erased = "whole" | "children follow";

export class TypeEraser {
  readonly edits: TextEdit[] = [];
  /** TypeScript-only syntax was met. */
  sawTypeScript = false;
  /** Everything met so far could be erased (Note [erasing instead of emitting]). */
  erasable = true;
  private readonly blankedLists = new Set<TS.NodeArray<TS.Node>>();

  constructor(
    private readonly file: TS.SourceFile,
    private readonly text: string,
  ) {}

  /** A type in the cell's code: its annotation, type-argument list or the `as` holding it goes. */
  type(node: TS.TypeNode): void {
    this.sawTypeScript = true;
    const parent = node.parent;
    if ((ts.isAsExpression(parent) || ts.isSatisfiesExpression(parent)) && parent.type === node) return; // erased with its expression
    const list = typeArgumentsOf(parent);
    if (list?.includes(node)) return this.blankList(list, "<", ">");
    // A node starts right after the previous token: an annotation's type after its colon.
    if (this.text[node.pos - 1] !== ":") return this.giveUp();
    if (ts.isArrowFunction(parent) && parent.type === node && this.text.slice(node.pos, node.end).includes("\n")) return this.giveUp();
    this.blank(node.pos - 1, node.end);
  }

  /** Any other node the walk meets: erases what of it is TypeScript's alone. */
  node(node: TS.Node): Erased {
    if (NEEDS_EMIT_KINDS.has(node.kind)) return this.giveUp(), "children follow";
    if (ts.isModifier(node)) return this.modifier(node), "whole";
    if (ts.isTypeParameterDeclaration(node)) {
      const list = typeParametersOf(node.parent);
      if (list === undefined) this.giveUp();
      else this.blankList(list, "<", ">");
      return "whole";
    }
    if (isTypeOnlyMember(node)) {
      this.blank(node.getStart(this.file), node.end);
      return "whole";
    }
    if (ts.isHeritageClause(node) && node.token === ts.SyntaxKind.ImplementsKeyword) {
      this.blank(node.getStart(this.file), node.end);
      return "whole";
    }
    if (ts.isAsExpression(node) || ts.isSatisfiesExpression(node)) this.typeOperator(node);
    else if (ts.isNonNullExpression(node)) this.token(node.end - 1, node.end, "!");
    else if (ts.isParameter(node)) this.parameter(node);
    else if (ts.isPropertyDeclaration(node) && joinsNextMember(node, this.text)) this.giveUp();
    else if (ts.isPropertyDeclaration(node) || ts.isMethodDeclaration(node)) this.optionalOrDefinite(node);
    else if (ts.isVariableDeclaration(node)) this.optionalOrDefinite(node);
    else if (ts.isVariableDeclarationList(node) && isUsing(node)) this.giveUp(); // not in Node 20
    else if (ts.isConstructorDeclaration(node) && node.body) this.parameterProperties(node, node.body);
    return "children follow";
  }

  private giveUp(): void {
    this.sawTypeScript = true;
    this.erasable = false;
  }

  /**
   * Removes `[start, end)`. A removal without line breaks leaves one space, so that the tokens
   * around it cannot join (`class A<T>extends B`).
   */
  private blank(start: number, end: number): void {
    this.sawTypeScript = true;
    const removed = this.text.slice(start, end);
    const left = removed.includes("\n") ? removed.replace(/[^\n]/g, "") : " ";
    this.edits.push({ start, end, text: left, rank: 1e8 }); // as the transform's replacements (RANK_REPLACEMENT)
  }

  private token(start: number, end: number, expected: string): void {
    if (this.text.slice(start, end) !== expected) return this.giveUp();
    this.blank(start, end);
  }

  /** `<...>` around a NodeArray: the list starts after `<` and ends before `>`. */
  private blankList(list: TS.NodeArray<TS.Node>, open: string, close: string): void {
    if (this.blankedLists.has(list)) return;
    this.blankedLists.add(list);
    if (this.text[list.pos - 1] !== open || this.text[list.end] !== close) return this.giveUp();
    this.blank(list.pos - 1, list.end + 1);
  }

  private modifier(m: TS.ModifierLike): void {
    if (JS_MODIFIERS.has(m.kind)) return;
    const owner = m.parent;
    if (ts.isParameter(owner) && ts.isConstructorDeclaration(owner.parent) && owner.parent.body) return; // parameterProperties
    // cell_transform.ts's persistClass removes a top-level class's own `abstract`.
    if (m.kind === ts.SyntaxKind.AbstractKeyword && ts.isClassDeclaration(owner) && ts.isSourceFile(owner.parent)) return;
    if (ERASED_MODIFIERS.has(m.kind) || m.kind === ts.SyntaxKind.AbstractKeyword) return this.blank(m.getStart(this.file), m.end);
    this.giveUp(); // `accessor`, `declare` where a whole node cannot go, `const`/`in`/`out` outside type parameters
  }

  /** ` as T` / ` satisfies T`, unless the next line would then continue the expression. */
  private typeOperator(node: TS.AsExpression | TS.SatisfiesExpression): void {
    const next = nextTokenAfter(this.text, node.end);
    if (next.afterLineBreak && (next.char === "(" || next.char === "[" || next.char === "`")) return this.giveUp();
    this.blank(node.expression.end, node.end);
  }

  private parameter(p: TS.ParameterDeclaration): void {
    if (ts.isIdentifier(p.name) && p.name.text === "this") return this.giveUp();
    if (p.questionToken) this.token(p.questionToken.getStart(this.file), p.questionToken.end, "?");
  }

  private optionalOrDefinite(node: TS.PropertyDeclaration | TS.MethodDeclaration | TS.VariableDeclaration): void {
    const question = "questionToken" in node ? node.questionToken : undefined;
    const exclamation = "exclamationToken" in node ? node.exclamationToken : undefined;
    for (const t of [question, exclamation]) if (t) this.token(t.getStart(this.file), t.end, t === question ? "?" : "!");
  }

  /**
   * `constructor(public x: number)` → a field `x;` first in the class body and `this.x = x;`
   * first in the constructor (after `super(...)`), as TypeScript emits them at ES2022.
   */
  private parameterProperties(ctor: TS.ConstructorDeclaration, body: TS.Block): void {
    const properties = ctor.parameters.filter((p) => (ts.getModifiers(p) ?? []).some((m) => ERASED_MODIFIERS.has(m.kind)));
    if (properties.length === 0) return;
    const names: string[] = [];
    for (const p of properties) {
      const modifiers = ts.canHaveModifiers(p) ? (p.modifiers ?? []) : [];
      if (!ts.isIdentifier(p.name) || modifiers.some((m) => !ERASED_MODIFIERS.has(m.kind))) return this.giveUp();
      for (const m of modifiers) this.blank(m.getStart(this.file), m.end);
      names.push(p.name.text);
    }
    const cls = ctor.parent;
    const classOpen = cls.members.pos - 1;
    if (this.text[classOpen] !== "{") return this.giveUp();
    const at = this.assignmentsAt(cls, body);
    if (at === undefined) return this.giveUp();
    // After a statement that ends without `;`, one is needed before the assignments.
    const separator = at > body.getStart(this.file) + 1 && this.text[at - 1] !== ";" ? ";" : "";
    this.edits.push({ start: classOpen + 1, end: classOpen + 1, text: ` ${names.map((n) => `${n};`).join(" ")}`, rank: 0 });
    this.edits.push({ start: at, end: at, text: `${separator} ${names.map((n) => `this.${n} = ${n};`).join(" ")}`, rank: 0 });
  }

  /** Where the assignments go: after the directives, or after a derived class's `super(...)` statement. */
  private assignmentsAt(cls: TS.ClassLikeDeclaration, body: TS.Block): number | undefined {
    const derived = cls.heritageClauses?.some((h) => h.token === ts.SyntaxKind.ExtendsKeyword) ?? false;
    const statements = body.statements;
    if (derived) {
      // A `super` call nested in an expression: the emit knows where the assignments go.
      return statements.find((s) => ts.isExpressionStatement(s) && ts.isCallExpression(s.expression) && s.expression.expression.kind === ts.SyntaxKind.SuperKeyword)?.end;
    }
    let after = body.getStart(this.file) + 1;
    for (const s of statements) {
      if (!ts.isExpressionStatement(s) || !ts.isStringLiteral(s.expression)) break;
      after = s.end;
    }
    return after;
  }
}

/** Field names that, bare at the end of a line, make the next member a getter, setter or static one. */
const MEMBER_PREFIXES = new Set(["get", "set", "static", "async", "accessor"]);

/** `get: number` then a line `foo() {}`: erased, `get\n foo() {}` would be a getter. */
function joinsNextMember(p: TS.PropertyDeclaration, text: string): boolean {
  return p.initializer === undefined && ts.isIdentifier(p.name) && MEMBER_PREFIXES.has(p.name.text) && text[p.end - 1] !== ";";
}

function typeArgumentsOf(node: TS.Node): TS.NodeArray<TS.TypeNode> | undefined {
  return "typeArguments" in node ? (node.typeArguments as TS.NodeArray<TS.TypeNode> | undefined) : undefined;
}

function typeParametersOf(node: TS.Node): TS.NodeArray<TS.TypeParameterDeclaration> | undefined {
  return "typeParameters" in node ? (node.typeParameters as TS.NodeArray<TS.TypeParameterDeclaration> | undefined) : undefined;
}

/** Members and statements with no code: overloads, index signatures, `declare` and `abstract` ones, nested types. */
function isTypeOnlyMember(node: TS.Node): boolean {
  if (ts.isIndexSignatureDeclaration(node) || ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) return true;
  if ((ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node) || ts.isFunctionDeclaration(node)) && node.body === undefined) return true;
  const modifiers = ts.canHaveModifiers(node) ? (node.modifiers ?? []) : [];
  if (modifiers.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)) return true;
  return (ts.isPropertyDeclaration(node) || ts.isMethodDeclaration(node) || ts.isAccessor(node)) && modifiers.some((m) => m.kind === ts.SyntaxKind.AbstractKeyword);
}

/** `using` / `await using` (AwaitUsing is Const | Using: compare the whole kind). */
function isUsing(list: TS.VariableDeclarationList): boolean {
  const kind = list.flags & ts.NodeFlags.BlockScoped;
  return kind === ts.NodeFlags.Using || kind === ts.NodeFlags.AwaitUsing;
}

/** The first character of the next token after `pos`, skipping spaces and comments. */
function nextTokenAfter(text: string, pos: number): { char: string; afterLineBreak: boolean } {
  let afterLineBreak = false;
  let i = pos;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "\n" || c === "\r" || c === "\u2028" || c === "\u2029") {
      afterLineBreak = true;
      i++;
    } else if (c === " " || c === "\t" || c === "\v" || c === "\f" || c === "\u00a0" || c === "\ufeff") {
      i++;
    } else if (text.startsWith("//", i)) {
      const end = text.indexOf("\n", i);
      i = end < 0 ? text.length : end;
    } else if (text.startsWith("/*", i)) {
      const end = text.indexOf("*/", i + 2);
      if (end < 0) return { char: "", afterLineBreak };
      if (text.slice(i, end).includes("\n")) afterLineBreak = true;
      i = end + 2;
    } else {
      return { char: c, afterLineBreak };
    }
  }
  return { char: "", afterLineBreak };
}
