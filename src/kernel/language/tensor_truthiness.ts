// A Tensor where JavaScript wants a boolean: always truthy, whatever it holds.
//
// PyTorch calls `Tensor.__bool__` (a one-element tensor's value) in `if t:`; JavaScript never
// asks the object, so `if (x.sum().gt(0))` always takes the branch. TypeScript flags the same
// mistake for Promises (2801) and uncalled functions (2774); this does it for Tensors, from the
// checker's type of each expression that JavaScript tests for truthiness.

import type ts from "typescript";
import { TENSOR_TYPE_EXPORT } from "./globals_prelude.js";
import { typescript } from "./typescript.js";

/** Codes of tsjit's own diagnostics: 99100–99199 (TypeScript's own stay below 20000). */
export const TENSOR_TRUTHINESS_CODE = 99101;
export const TENSOR_TRUTHINESS_MESSAGE = "A Tensor is always truthy in JavaScript; use `.item()` (or `.any().item()`) to test its value.";

export interface TruthinessFinding {
  start: number;
  length: number;
}

/** Expressions in `file` from `from` on that are tested for truthiness and are Tensors. */
export function findTensorTruthiness(program: ts.Program, file: ts.SourceFile, preludeFile: string, from: number): TruthinessFinding[] {
  const ts = typescript();
  const checker = program.getTypeChecker();
  const tested = new Set<ts.Expression>();
  const visit = (node: ts.Node): void => {
    collectTested(ts, node, tested);
    ts.forEachChild(node, visit);
  };
  for (const statement of file.statements) if (statement.end > from) visit(statement);
  const findings: TruthinessFinding[] = [];
  // Resolving the Tensor type merges tsjit's method declarations: done only when needed.
  let tensorType: ts.Type | undefined;
  for (const expression of tested) {
    if (expression.pos < from) continue;
    const type = checker.getTypeAtLocation(expression);
    if (!mayBeTensor(ts, type)) continue;
    tensorType ??= preludeTensorType(program, checker, preludeFile);
    if (tensorType === undefined || !isTensor(ts, checker, type, tensorType)) continue;
    const start = expression.getStart(file);
    findings.push({ start, length: expression.end - start });
  }
  return findings.sort((a, b) => a.start - b.start);
}

/** Adds the expressions `node` tests for truthiness (conditions, `!x`, `a && b`'s left, ...). */
function collectTested(ts: typeof import("typescript"), node: ts.Node, into: Set<ts.Expression>): void {
  if (ts.isIfStatement(node) || ts.isWhileStatement(node) || ts.isDoStatement(node)) addCondition(ts, node.expression, into);
  else if (ts.isForStatement(node) && node.condition) addCondition(ts, node.condition, into);
  else if (ts.isConditionalExpression(node)) addCondition(ts, node.condition, into);
  else if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken) addCondition(ts, node.operand, into);
  else if (ts.isBinaryExpression(node) && isLogical(ts, node.operatorToken.kind)) addCondition(ts, node.left, into);
}

/** A tested expression; in `a && b` or `a || b` under a test, both sides are tested. */
function addCondition(ts: typeof import("typescript"), expression: ts.Expression, into: Set<ts.Expression>): void {
  let inner = expression;
  while (ts.isParenthesizedExpression(inner)) inner = inner.expression;
  if (ts.isBinaryExpression(inner) && isLogical(ts, inner.operatorToken.kind)) {
    addCondition(ts, inner.left, into);
    addCondition(ts, inner.right, into);
  } else {
    into.add(inner);
  }
}

function isLogical(ts: typeof import("typescript"), kind: ts.SyntaxKind): boolean {
  return (
    kind === ts.SyntaxKind.AmpersandAmpersandToken ||
    kind === ts.SyntaxKind.BarBarToken ||
    kind === ts.SyntaxKind.AmpersandAmpersandEqualsToken ||
    kind === ts.SyntaxKind.BarBarEqualsToken
  );
}

/** Cheap filter before the assignability test: only object types can be Tensors. */
function mayBeTensor(ts: typeof import("typescript"), type: ts.Type): boolean {
  if (type.isUnion()) return type.types.every((t) => mayBeTensor(ts, t));
  return (type.flags & (ts.TypeFlags.Object | ts.TypeFlags.Intersection)) !== 0;
}

/** A Tensor (or subclass, e.g. Parameter) for sure: not any, and no null/undefined in a union. */
function isTensor(ts: typeof import("typescript"), checker: ts.TypeChecker, type: ts.Type, tensorType: ts.Type): boolean {
  const vague = ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Never | ts.TypeFlags.Null | ts.TypeFlags.Undefined | ts.TypeFlags.Void | ts.TypeFlags.TypeParameter;
  if (type.flags & vague) return false;
  if (type.isUnion()) return type.types.every((t) => isTensor(ts, checker, t, tensorType));
  return checker.isTypeAssignableTo(type, tensorType);
}

function preludeTensorType(program: ts.Program, checker: ts.TypeChecker, preludeFile: string): ts.Type | undefined {
  const prelude = program.getSourceFile(preludeFile);
  const moduleSymbol = prelude && checker.getSymbolAtLocation(prelude);
  if (!moduleSymbol) return undefined;
  const alias = checker.getExportsOfModule(moduleSymbol).find((s) => s.name === TENSOR_TYPE_EXPORT);
  return alias && checker.getDeclaredTypeOfSymbol(alias);
}
