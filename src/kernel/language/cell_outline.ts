// What a cell declares and which names it mentions, read from its syntax alone (no checker),
// so that building the program for a cell costs a parse of that cell and nothing more.

import type ts from "typescript";
import { typescript } from "./typescript.js";

/**
 * How a later cell sees a name (Note [how later cells see a name] in cell_program.ts):
 * `let`/`const` are plain variables, re-declared with `typeof` of the original so assignments
 * and narrowing behave as in one file; `alias` is everything else (functions, classes, enums,
 * namespaces, interfaces, types, imports), imported as it is, with all its meanings.
 */
export type CarriedKind = "let" | "const" | "alias";

export interface CellOutline {
  /** Top-level names the cell declares (imports included), in source order. */
  declared: Map<string, CarriedKind>;
  /** Names the cell exports itself (`export const x`), which the trailer must not export again. */
  exported: Set<string>;
  /** Every identifier the cell mentions anywhere: the names it may need from earlier cells. */
  referenced: Set<string>;
  /** What each declared class, function, enum, type or namespace is (completion's type label). */
  nouns: Map<string, DeclarationNoun>;
}

/** The words IPython's completer uses for a declaration's type (plus "type" and "enum"). */
export type DeclarationNoun = "class" | "function" | "enum" | "type" | "module";

export function outlineCell(sourceFile: ts.SourceFile): CellOutline {
  const ts = typescript();
  const outline: CellOutline = { declared: new Map(), exported: new Set(), referenced: new Set(), nouns: new Map() };
  const declare = (name: string, kind: CarriedKind, exported: boolean): void => {
    const before = outline.declared.get(name);
    // A name declared twice in one cell (overloads, interface + const) keeps every meaning: alias.
    outline.declared.set(name, before === undefined || before === kind ? kind : "alias");
    if (exported) outline.exported.add(name);
  };
  const markExported = (name: string): void => void outline.exported.add(name);
  for (const statement of sourceFile.statements) {
    declareStatement(ts, statement, declare, markExported);
    const noun = nounOf(ts, statement);
    const name = (statement as { name?: ts.Node }).name;
    if (noun && name && ts.isIdentifier(name)) outline.nouns.set(name.text, noun);
  }
  collectIdentifiers(ts, sourceFile, outline.referenced);
  return outline;
}

type Declare = (name: string, kind: CarriedKind, exported: boolean) => void;

function declareStatement(ts: typeof import("typescript"), statement: ts.Statement, declare: Declare, markExported: (name: string) => void): void {
  const exported = hasExportModifier(ts, statement);
  if (ts.isVariableStatement(statement)) {
    const constant = (statement.declarationList.flags & (ts.NodeFlags.Const | ts.NodeFlags.Using | ts.NodeFlags.AwaitUsing)) !== 0;
    for (const d of statement.declarationList.declarations) bindingNames(ts, d.name, (n) => declare(n, constant ? "const" : "let", exported));
  } else if (
    ts.isFunctionDeclaration(statement) ||
    ts.isClassDeclaration(statement) ||
    ts.isInterfaceDeclaration(statement) ||
    ts.isTypeAliasDeclaration(statement) ||
    ts.isEnumDeclaration(statement)
  ) {
    if (statement.name) declare(statement.name.text, "alias", exported);
  } else if (ts.isModuleDeclaration(statement)) {
    // `namespace N {}` carries N; `declare module "m"` and `declare global` declare no local name.
    if (ts.isIdentifier(statement.name) && (statement.flags & ts.NodeFlags.GlobalAugmentation) === 0) declare(statement.name.text, "alias", exported);
  } else if (ts.isImportDeclaration(statement)) {
    const clause = statement.importClause;
    if (clause?.name) declare(clause.name.text, "alias", false);
    const bindings = clause?.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) declare(bindings.name.text, "alias", false);
    if (bindings && ts.isNamedImports(bindings)) for (const e of bindings.elements) declare(e.name.text, "alias", false);
  } else if (ts.isImportEqualsDeclaration(statement)) {
    declare(statement.name.text, "alias", exported);
  } else if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
    // `export { a as b }` declares nothing, but takes `b` in the cell's export table.
    for (const e of statement.exportClause.elements) markExported(e.name.text);
  }
}

function nounOf(ts: typeof import("typescript"), statement: ts.Statement): DeclarationNoun | undefined {
  if (ts.isClassDeclaration(statement)) return "class";
  if (ts.isFunctionDeclaration(statement)) return "function";
  if (ts.isEnumDeclaration(statement)) return "enum";
  if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) return "type";
  if (ts.isModuleDeclaration(statement)) return "module";
  return undefined;
}

function hasExportModifier(ts: typeof import("typescript"), statement: ts.Statement): boolean {
  return ts.canHaveModifiers(statement) && (ts.getModifiers(statement) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

function bindingNames(ts: typeof import("typescript"), name: ts.BindingName, add: (name: string) => void): void {
  if (ts.isIdentifier(name)) {
    add(name.text);
    return;
  }
  for (const element of name.elements) if (!ts.isOmittedExpression(element)) bindingNames(ts, element.name, add);
}

function collectIdentifiers(ts: typeof import("typescript"), root: ts.Node, into: Set<string>): void {
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) into.add(node.text);
    else ts.forEachChild(node, visit);
  };
  visit(root);
}
