// The cell transform: one cell of TypeScript → the body of a function that runs it with
// persistent top-level bindings. README.md in this folder has a before/after example.
//
// Note [edits keep lines]: the transform never reprints the AST. It parses the cell with
// TypeScript's parser and writes a list of text edits (insertions, replacements, removals that
// keep their line breaks) at the positions the parser gave. Everything untouched stays where it
// was, so a cell with no TypeScript-only syntax left is already JavaScript and runs as it is,
// no emit needed (`1+1` must round-trip in 3 ms; a TypeScript emit costs 1-2). Cells that
// still hold types go through TypeScript's emit (ts_emit.ts), whose source map leads back to
// the edited text, and the edits lead back to the cell.
//
// Note [bindings live on globalThis]: a top-level `let/const/var/function/class/enum` becomes an
// assignment to a property of globalThis (`const x = f()` → `globalThis.x = f()`), and every
// reference stays a plain identifier, which resolves to that property. So a later cell sees it,
// re-running a cell replaces it (no "already declared"), a function defined in cell 2 calls the
// *current* helper defined in cell 5 (as in IPython), and each binding exists as soon as its
// statement ran: an interrupt keeps every binding made before it. The cost: `const` is not
// enforced at run time (the type checker enforces it), and function declarations are not
// hoisted above earlier statements of their own cell (calling one before its declaration uses
// the previous cell's definition, as Python would).

// Note [typescript through require]: the compiler is loaded by require (language/typescript.ts),
// not by an ESM import, which would also run cjs-module-lexer over its 9 MB to find named
// exports (~0.5 s of CPU); types come from `import type`.
import type TS from "typescript";
import { typescript } from "../language/typescript.js";
import { declarationText } from "../../jit/declaration_source.js";
import { RUNTIME } from "./runtime_names.js";
import { blankedText, EditedText, type TextEdit } from "./text_edits.js";
import { TypeEraser } from "./type_erasure.js";

/** Note [typescript through require]. */
const ts = typescript();

/** A top-level class or function of the cell, for the source registry (1-based position). */
export interface DeclaredSource {
  name: string;
  text: string;
  line: number;
  column: number;
}

/** A parse error, 1-based in the cell. */
export interface CellSyntaxError {
  line: number;
  column: number;
  message: string;
}

export type TransformResult =
  | { ok: true; cell: TransformedCell }
  | { ok: false; errors: CellSyntaxError[] };

export interface TransformedCell {
  /**
   * The cell wrapped in a function expression call: JavaScript (its types erased, Note [erasing
   * instead of emitting] in type_erasure.ts), or TypeScript if `needsEmit`.
   */
  edited: EditedText;
  /** TypeScript-only syntax remains that only the emit lowers (enums, decorators, ...). */
  needsEmit: boolean;
  /** The wrapped cell before type erasure: what the emit is given if V8 rejects `edited`. */
  typed: EditedText;
  /** The wrapper is async (top-level await or a static import): its value is a promise. */
  isAsync: boolean;
  /** The cell ends in an expression statement, whose value the wrapper returns. */
  hasResult: boolean;
  sources: DeclaredSource[];
}

// Edit ranks (TextEdit.rank): the wrapper encloses everything; statement prefixes come before
// any expression wrapping that starts at the same place, statement suffixes after.
// A replacement goes after every insertion at its start: an opening there wraps the expression
// that begins with the replaced token, a closing there ends the expression before it.
const RANK_WRAPPER = 1e9;
const RANK_REPLACEMENT = 1e8;
const RANK_STATEMENT = 1e6;

const WRAPPER_SYNC = '(function () {"use strict"; ';
const WRAPPER_ASYNC = '(async function () {"use strict"; ';
const WRAPPER_END = "\n})()";

type ParsedFile = TS.SourceFile & { parseDiagnostics?: readonly TS.DiagnosticWithLocation[] };

/**
 * Transforms one cell. `cellId` is baked into the source registrations it emits.
 *
 * @example transformCell("const x = f()\nx", 3) // body: globalThis.x = __tsjit_name(f(), "x") / return x
 */
export function transformCell(code: string, cellId: number): TransformResult {
  // Parent pointers: type erasure looks at where a type stands (type_erasure.ts).
  const file = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS) as ParsedFile;
  // parseDiagnostics is the parser's own list (not in the public typings): reading it avoids
  // building a Program just to ask for syntactic diagnostics.
  const errors = file.parseDiagnostics ?? [];
  if (errors.length > 0) {
    return {
      ok: false,
      errors: errors.map((d) => {
        const { line, character } = file.getLineAndCharacterOfPosition(d.start);
        return { line: line + 1, column: character + 1, message: ts.flattenDiagnosticMessageText(d.messageText, "\n") };
      }),
    };
  }
  const rewriter = new CellRewriter(file, code, cellId);
  const hasResult = rewriter.rewriteStatements();
  const { edits, eraser } = rewriter;
  edits.push({ start: 0, end: 0, text: rewriter.isAsync ? WRAPPER_ASYNC : WRAPPER_SYNC, rank: -RANK_WRAPPER });
  edits.push({ start: code.length, end: code.length, text: WRAPPER_END, rank: RANK_WRAPPER });
  const typed = EditedText.apply(code, edits);
  const common = { isAsync: rewriter.isAsync, hasResult, sources: rewriter.sources, typed };
  if (!eraser.sawTypeScript && !rewriter.needsEmit) return { ok: true, cell: { ...common, edited: typed, needsEmit: false } };
  const erased = rewriter.needsEmit || !eraser.erasable ? undefined : eraseOrNothing(code, [...edits, ...eraser.edits]);
  return { ok: true, cell: { ...common, edited: erased ?? typed, needsEmit: erased === undefined } };
}

/** The edits applied, or nothing when an erasure overlaps an edit of the transform (then the emit erases). */
function eraseOrNothing(code: string, edits: TextEdit[]): EditedText | undefined {
  try {
    return EditedText.apply(code, edits);
  } catch (e) {
    if (e instanceof Error && e.message.startsWith("cell transform: overlapping edits")) return undefined;
    throw e;
  }
}

function modifiersOf(node: TS.Node): readonly TS.ModifierLike[] {
  return ts.canHaveModifiers(node) ? (node.modifiers ?? []) : [];
}

function hasModifier(node: TS.Node, kind: TS.SyntaxKind): boolean {
  return modifiersOf(node).some((m) => m.kind === kind);
}

/** Strips parentheses and type-only wrappers (`as`, `satisfies`, `!`, `<T>x`). */
function skipOuter(e: TS.Expression): TS.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isNonNullExpression(e) || ts.isTypeAssertionExpression(e)) {
    e = e.expression;
  }
  return e;
}

/** Expressions whose value is never a tensor: trace naming skips them (Note [trace names]). */
const PLAIN_VALUE_KINDS = new Set<TS.SyntaxKind>([
  ts.SyntaxKind.NumericLiteral,
  ts.SyntaxKind.BigIntLiteral,
  ts.SyntaxKind.StringLiteral,
  ts.SyntaxKind.NoSubstitutionTemplateLiteral,
  ts.SyntaxKind.TemplateExpression,
  ts.SyntaxKind.RegularExpressionLiteral,
  ts.SyntaxKind.TrueKeyword,
  ts.SyntaxKind.FalseKeyword,
  ts.SyntaxKind.NullKeyword,
  ts.SyntaxKind.ObjectLiteralExpression,
  ts.SyntaxKind.ArrayLiteralExpression,
  ts.SyntaxKind.NewExpression,
  ts.SyntaxKind.FunctionExpression,
  ts.SyntaxKind.ArrowFunction,
  ts.SyntaxKind.ClassExpression,
  ts.SyntaxKind.TypeOfExpression,
  ts.SyntaxKind.VoidExpression,
  ts.SyntaxKind.DeleteExpression,
  ts.SyntaxKind.PrefixUnaryExpression,
  ts.SyntaxKind.PostfixUnaryExpression,
]);

/** Binary operators that yield one of their operands (anything else yields a number, string or boolean). */
const OPERAND_OPERATORS = new Set<TS.SyntaxKind>([
  ts.SyntaxKind.EqualsToken,
  ts.SyntaxKind.BarBarToken,
  ts.SyntaxKind.AmpersandAmpersandToken,
  ts.SyntaxKind.QuestionQuestionToken,
  ts.SyntaxKind.CommaToken,
  ts.SyntaxKind.BarBarEqualsToken,
  ts.SyntaxKind.AmpersandAmpersandEqualsToken,
  ts.SyntaxKind.QuestionQuestionEqualsToken,
]);

// Note [trace names]: PyTorch's tracer names a traced value after the local variable holding it.
// The transform wraps every variable initializer and every `name = value` assignment, in the
// cell and in the functions it defines, as `__tsjit_name(value, "name")` (a near-free identity
// when no trace runs). Values that can never be tensors (literals, `new X`, functions, JS
// operators, which JS cannot overload) are left alone to keep hot loops cheap.
function isPlainValue(e: TS.Expression): boolean {
  const inner = skipOuter(e);
  if (PLAIN_VALUE_KINDS.has(inner.kind)) return true;
  if (ts.isIdentifier(inner)) return inner.text === "undefined";
  if (ts.isBinaryExpression(inner)) return !OPERAND_OPERATORS.has(inner.operatorToken.kind);
  return false;
}

function isAnonymousDefinition(e: TS.Expression): boolean {
  const inner = skipOuter(e);
  return ts.isArrowFunction(inner) || ((ts.isFunctionExpression(inner) || ts.isClassExpression(inner)) && inner.name === undefined);
}

/** `using` / `await using` (AwaitUsing is Const | Using: compare the whole kind). */
function isUsing(list: TS.VariableDeclarationList): boolean {
  const kind = list.flags & ts.NodeFlags.BlockScoped;
  return kind === ts.NodeFlags.Using || kind === ts.NodeFlags.AwaitUsing;
}

/** Functions, methods, accessors, class bodies' initializers: an `await` inside is not the cell's. */
function startsFunctionScope(node: TS.Node): boolean {
  return ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node) || ts.isPropertyDeclaration(node);
}

class CellRewriter {
  readonly edits: TextEdit[] = [];
  readonly sources: DeclaredSource[] = [];
  readonly eraser: TypeEraser;
  /** Syntax only TypeScript's emit lowers (enum, namespace) was met. */
  needsEmit = false;
  isAsync = false;

  constructor(
    private readonly file: TS.SourceFile,
    private readonly text: string,
    private readonly cellId: number,
  ) {
    this.eraser = new TypeEraser(file, text);
  }

  private insert(pos: number, text: string, rank: number): void {
    this.edits.push({ start: pos, end: pos, text, rank });
  }

  private replace(start: number, end: number, text: string): void {
    this.edits.push({ start, end, text: text + blankedText(this.text.slice(start, end)), rank: RANK_REPLACEMENT });
  }

  private blank(start: number, end: number): void {
    this.replace(start, end, "");
  }

  private start(node: TS.Node): number {
    return node.getStart(this.file);
  }

  /** Rewrites the top-level statements; returns whether the cell ends in an expression. */
  rewriteStatements(): boolean {
    const statements = this.file.statements.filter((s) => !ts.isEmptyStatement(s));
    let hasResult = false;
    statements.forEach((statement, i) => {
      const last = i === statements.length - 1;
      hasResult = this.rewriteTopLevel(statement, last) && last;
    });
    return hasResult;
  }

  /** Returns true when the statement is an expression whose value is the cell's result. */
  private rewriteTopLevel(s: TS.Statement, last: boolean): boolean {
    if (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s) || hasModifier(s, ts.SyntaxKind.DeclareKeyword)) {
      this.blank(this.start(s), s.end);
    } else if (ts.isImportDeclaration(s)) {
      this.rewriteImport(s);
    } else if (ts.isImportEqualsDeclaration(s)) {
      this.rewriteImportEquals(s);
    } else if (ts.isExportDeclaration(s)) {
      this.blank(this.start(s), s.end); // `export {a}`: a cell exports nothing
    } else if (ts.isExportAssignment(s)) {
      this.blank(this.start(s), this.start(s.expression)); // `export default e` is `e`
      return this.rewriteExpressionStatement(s.expression, last);
    } else if (ts.isVariableStatement(s) && !isUsing(s.declarationList)) {
      this.persistVariables(s);
    } else if (ts.isFunctionDeclaration(s)) {
      this.persistFunction(s);
    } else if (ts.isClassDeclaration(s)) {
      this.persistClass(s);
    } else if (ts.isEnumDeclaration(s) || ts.isModuleDeclaration(s)) {
      this.persistLowered(s);
    } else if (ts.isExpressionStatement(s)) {
      return this.rewriteExpressionStatement(s.expression, last);
    } else {
      this.visit(s, 0, false);
    }
    return false;
  }

  private rewriteExpressionStatement(e: TS.Expression, last: boolean): boolean {
    this.visit(e, 0, false);
    if (last) this.insert(this.start(e), "return ", -RANK_STATEMENT);
    return last;
  }

  /** Ends a rewritten statement with `;` so the next line can never continue it (ASI). */
  private terminate(s: TS.Statement, extra = ""): void {
    const ends = this.text[s.end - 1] === ";";
    this.insert(s.end, `${ends ? "" : ";"}${extra}`, RANK_STATEMENT);
  }

  private importCall(specifier: TS.Expression, attributes: TS.ImportAttributes | undefined): string {
    const options = attributes ? `, { with: { ${attributes.elements.map((a) => a.getText(this.file)).join(", ")} } }` : "";
    return `await ${RUNTIME.await}(${RUNTIME.import}(${specifier.getText(this.file)}${options}))`;
  }

  // `import x, {a as b} from "m"` → `;({ default: globalThis.x, a: globalThis.b } = await ...)`
  private rewriteImport(s: TS.ImportDeclaration): void {
    const clause = s.importClause;
    if (clause?.isTypeOnly) return this.blank(this.start(s), s.end);
    const call = this.importCall(s.moduleSpecifier, s.attributes);
    const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements.filter((e) => !e.isTypeOnly) : [];
    const namespace = clause?.namedBindings && ts.isNamespaceImport(clause.namedBindings) ? clause.namedBindings.name.text : undefined;
    if (clause && clause.name === undefined && namespace === undefined && named.length === 0 && clause.namedBindings !== undefined) {
      return this.blank(this.start(s), s.end); // only type-only specifiers: TypeScript elides the import
    }
    this.isAsync = true;
    const targets = [
      ...(clause?.name ? [`default: globalThis.${clause.name.text}`] : []),
      ...named.map((e) => `${e.propertyName ? e.propertyName.getText(this.file) : e.name.text}: globalThis.${e.name.text}`),
    ];
    let value = namespace === undefined ? call : `globalThis.${namespace} = ${call}`;
    if (targets.length > 0) value = `({ ${targets.join(", ")} } = ${value})`;
    this.replace(this.start(s), s.end, `;${value};`);
  }

  private rewriteImportEquals(s: TS.ImportEqualsDeclaration): void {
    if (s.isTypeOnly) return this.blank(this.start(s), s.end);
    const ref = s.moduleReference;
    const value = ts.isExternalModuleReference(ref) ? `${RUNTIME.require}(${ref.expression.getText(this.file)})` : ref.getText(this.file);
    this.replace(this.start(s), s.end, `globalThis.${s.name.text} = ${value};`);
  }

  // `export const x: T = e, {a} = o` → `globalThis.x = __tsjit_name(e, "x"), ({a: globalThis.a} = o);`
  private persistVariables(s: TS.VariableStatement): void {
    const declarations = s.declarationList.declarations;
    const first = declarations[0];
    if (first === undefined) return;
    const isVar = (s.declarationList.flags & ts.NodeFlags.BlockScoped) === 0;
    this.blank(this.start(s), this.start(first)); // modifiers and the let/const/var keyword
    declarations.forEach((d, i) => this.persistDeclaration(d, isVar, i === 0));
    this.terminate(s);
  }

  private persistDeclaration(d: TS.VariableDeclaration, isVar: boolean, first: boolean): void {
    const name = d.name;
    if (ts.isIdentifier(name)) {
      const n = name.text;
      if (d.initializer === undefined) {
        const value = isVar ? `void ("${n}" in globalThis || (globalThis.${n} = undefined))` : `globalThis.${n} = undefined`;
        return this.replace(this.start(name), d.end, value);
      }
      this.insert(this.start(name), "globalThis.", 0);
      this.replace(name.end, this.start(d.initializer), " = "); // drops `!`, `: T`
      return this.persistValue(d.initializer, n);
    }
    if (d.initializer === undefined) return; // a pattern without a value does not parse
    this.insert(this.start(name), first ? ";(" : "(", 0);
    this.rewritePattern(name);
    this.replace(name.end, this.start(d.initializer), " = ");
    this.visit(d.initializer, 1, false);
    this.insert(d.initializer.end, ")", -1);
  }

  /** The value of a persisted variable: named like a declaration would name it, tagged for traces. */
  private persistValue(init: TS.Expression, name: string): void {
    if (isAnonymousDefinition(init)) {
      // `globalThis.f = () => 1` would leave f.name empty; a property definition names it.
      this.insert(this.start(init), `{ ${name}: `, 1);
      this.visit(init, 2, false);
      this.insert(init.end, ` }.${name}`, -1);
    } else {
      this.visitValue(init, name, 1, false);
    }
  }

  // `{a, b: [c], ...r}` → `{a: globalThis.a, b: [globalThis.c], ...globalThis.r}`
  private rewritePattern(pattern: TS.BindingPattern): void {
    for (const element of pattern.elements) {
      if (ts.isOmittedExpression(element)) continue;
      if (element.propertyName && ts.isComputedPropertyName(element.propertyName)) this.visit(element.propertyName.expression, 1, false);
      if (ts.isIdentifier(element.name)) {
        const shorthand = ts.isObjectBindingPattern(pattern) && element.propertyName === undefined && element.dotDotDotToken === undefined;
        this.insert(this.start(element.name), shorthand ? `${element.name.text}: globalThis.` : "globalThis.", 0);
      } else {
        this.rewritePattern(element.name);
      }
      if (element.initializer) this.visit(element.initializer, 1, false);
    }
  }

  /** The declaration's text as the source registry records it (src/jit/declaration_source.ts). */
  private register(s: TS.FunctionDeclaration | TS.ClassDeclaration, name: string): string {
    this.sources.push({ name, ...declarationText(this.file, s) });
    return ` ${RUNTIME.source}(globalThis.${name}, ${this.cellId}, ${this.sources.length - 1});`;
  }

  private blankModifiers(s: TS.Node, kinds: readonly TS.SyntaxKind[]): void {
    for (const m of modifiersOf(s)) if (kinds.includes(m.kind)) this.blank(this.start(m), m.end);
  }

  // `export function f(x: T) {...}` → `globalThis.f = function f(x: T) {...}; __tsjit_source(...)`
  private persistFunction(s: TS.FunctionDeclaration): void {
    if (s.body === undefined) return this.blank(this.start(s), s.end); // an overload signature
    this.blankModifiers(s, [ts.SyntaxKind.ExportKeyword, ts.SyntaxKind.DefaultKeyword]);
    this.persistDeclared(s, s.name?.text);
  }

  private persistClass(s: TS.ClassDeclaration): void {
    this.blankModifiers(s, [ts.SyntaxKind.ExportKeyword, ts.SyntaxKind.DefaultKeyword, ts.SyntaxKind.AbstractKeyword]);
    this.persistDeclared(s, s.name?.text);
  }

  private persistDeclared(s: TS.FunctionDeclaration | TS.ClassDeclaration, name: string | undefined): void {
    if (name === undefined) {
      // `export default function () {}`: an expression, not a declaration
      this.insert(this.start(s), "(", -RANK_STATEMENT);
      ts.forEachChild(s, (child) => this.visit(child, 1, true));
      return this.insert(s.end, ");", RANK_STATEMENT);
    }
    this.insert(this.start(s), `globalThis.${name} = `, -RANK_STATEMENT);
    ts.forEachChild(s, (child) => this.visit(child, 1, ts.isFunctionDeclaration(s)));
    this.insert(s.end, `;${this.register(s, name)}`, RANK_STATEMENT);
  }

  /** enum / namespace: TypeScript's emit lowers them to a local `var`; copy it to globalThis. */
  private persistLowered(s: TS.EnumDeclaration | TS.ModuleDeclaration): void {
    if (!ts.isIdentifier(s.name)) return this.blank(this.start(s), s.end); // `declare module "m"`, `global`
    this.needsEmit = true;
    this.blankModifiers(s, [ts.SyntaxKind.ExportKeyword, ts.SyntaxKind.ConstKeyword]);
    ts.forEachChild(s, (child) => this.visit(child, 1, false));
    this.terminate(s, ` globalThis.${s.name.text} = ${s.name.text};`);
  }

  /** A value assigned to `name`: tagged for traces unless it can never be a tensor. */
  private visitValue(e: TS.Expression, name: string, depth: number, inFunction: boolean): void {
    if (isPlainValue(e)) return this.visit(e, depth, inFunction);
    this.insert(this.start(e), `${RUNTIME.name}(`, depth);
    this.visit(e, depth + 1, inFunction);
    this.insert(e.end, `, ${JSON.stringify(name)})`, -depth);
  }

  /** The general walk: trace names, top-level await, import(), TypeScript-only syntax. */
  private visit(node: TS.Node, depth: number, inFunction: boolean): void {
    if (ts.isTypeNode(node) && !ts.isExpressionWithTypeArguments(node)) return this.eraser.type(node); // types hold no code
    if (this.eraser.node(node) === "whole") return;
    const inner = inFunction || startsFunctionScope(node);

    if (ts.isAwaitExpression(node) && !inFunction) {
      this.isAsync = true;
      this.insert(this.start(node.expression), `${RUNTIME.await}(`, depth);
      this.visit(node.expression, depth + 1, inFunction);
      return this.insert(node.expression.end, ")", -depth);
    }
    if (ts.isForOfStatement(node) && node.awaitModifier && !inFunction) this.isAsync = true;
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      this.replace(this.start(node.expression), node.expression.end, RUNTIME.import);
      for (const argument of node.arguments) this.visit(argument, depth + 1, inFunction);
      return;
    }
    if (ts.isMetaProperty(node) && node.keywordToken === ts.SyntaxKind.ImportKeyword) {
      return this.replace(this.start(node), node.end, RUNTIME.importMeta);
    }
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      if (node.type) this.eraser.type(node.type);
      return this.visitValue(node.initializer, node.name.text, depth + 1, inFunction);
    }
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(node.left)) {
      return this.visitValue(node.right, node.left.text, depth + 1, inFunction);
    }
    ts.forEachChild(node, (child) => this.visit(child, depth + 1, inner));
  }
}
