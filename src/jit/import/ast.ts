/**
 * The syntax tree of a code/ file (TorchScript's tree_views, for the subset PythonPrint writes
 * plus ordinary Python infix expressions). Every node carries its position for errors.
 */
import type { Position } from "./lexer.js";

export type Expr =
  | { readonly kind: "name"; readonly at: Position; readonly name: string }
  | { readonly kind: "int"; readonly at: Position; readonly value: number | bigint }
  | { readonly kind: "float"; readonly at: Position; readonly value: number }
  | { readonly kind: "str"; readonly at: Position; readonly value: string }
  | { readonly kind: "bool"; readonly at: Position; readonly value: boolean }
  | { readonly kind: "none"; readonly at: Position }
  | { readonly kind: "attr"; readonly at: Position; readonly base: Expr; readonly name: string }
  | { readonly kind: "call"; readonly at: Position; readonly callee: Expr; readonly args: readonly Expr[]; readonly kwargs: readonly Keyword[] }
  | { readonly kind: "subscript"; readonly at: Position; readonly base: Expr; readonly index: Expr }
  | { readonly kind: "slice"; readonly at: Position; readonly start: Expr | null; readonly end: Expr | null; readonly step: Expr | null }
  | { readonly kind: "tuple"; readonly at: Position; readonly items: readonly Expr[] }
  | { readonly kind: "list"; readonly at: Position; readonly items: readonly Expr[] }
  | { readonly kind: "dict"; readonly at: Position; readonly entries: readonly (readonly [Expr, Expr])[] }
  | { readonly kind: "binary"; readonly at: Position; readonly op: string; readonly left: Expr; readonly right: Expr }
  | { readonly kind: "unary"; readonly at: Position; readonly op: string; readonly operand: Expr }
  | { readonly kind: "boolop"; readonly at: Position; readonly op: "and" | "or"; readonly left: Expr; readonly right: Expr }
  | { readonly kind: "ifexp"; readonly at: Position; readonly cond: Expr; readonly then: Expr; readonly orelse: Expr };

export interface Keyword {
  readonly name: string;
  readonly value: Expr;
}

export type Stmt =
  | { readonly kind: "assign"; readonly at: Position; readonly target: Expr; readonly annotation: Expr | null; readonly value: Expr | null }
  | { readonly kind: "augassign"; readonly at: Position; readonly target: Expr; readonly op: string; readonly value: Expr }
  | { readonly kind: "expr"; readonly at: Position; readonly value: Expr }
  | { readonly kind: "if"; readonly at: Position; readonly cond: Expr; readonly body: readonly Stmt[]; readonly orelse: readonly Stmt[] }
  | { readonly kind: "for"; readonly at: Position; readonly target: Expr; readonly iter: Expr; readonly body: readonly Stmt[] }
  | { readonly kind: "while"; readonly at: Position; readonly cond: Expr; readonly body: readonly Stmt[] }
  | { readonly kind: "return"; readonly at: Position; readonly value: Expr | null }
  | { readonly kind: "raise"; readonly at: Position; readonly value: Expr | null }
  | { readonly kind: "assert"; readonly at: Position; readonly test: Expr; readonly msg: Expr | null }
  | { readonly kind: "pass" | "break" | "continue"; readonly at: Position }
  | FuncDef
  | ClassDef;

export interface Param {
  readonly at: Position;
  readonly name: string;
  readonly annotation: Expr | null;
  readonly default: Expr | null;
}

export interface FuncDef {
  readonly kind: "def";
  readonly at: Position;
  readonly name: string;
  readonly params: readonly Param[];
  readonly returns: Expr | null;
  readonly body: readonly Stmt[];
}

export interface ClassDef {
  readonly kind: "class";
  readonly at: Position;
  readonly name: string;
  /** `Module`, `NamedTuple`, `Enum`, `Interface`, `ModuleInterface`, or null for a plain class. */
  readonly base: string | null;
  readonly body: readonly Stmt[];
}

/** A parsed code/ file: its classes and free functions in order (imports and `op_version_set` dropped). */
export interface CodeFile {
  readonly items: readonly (ClassDef | FuncDef)[];
}
