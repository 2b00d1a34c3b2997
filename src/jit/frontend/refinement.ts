/**
 * Conditions as TorchScript's ir_emitter sees them (CondValue, RefinementSet): besides the
 * boolean value, what the condition proves about local variables on each branch, and whether it
 * is known while compiling.
 *
 * Note [refinement]: `if (x !== null)` with `x: T | null` makes `x` a `T` in the then-branch:
 * the branch starts with `x = unchecked_cast(T, x)` (a store, so after the if `x` is an If
 * output joining `T` and `Optional[T]`, removed again when unused), as PyTorch prints
 * `x0 = unchecked_cast(Tensor, x)`. `torch.jit.isinstance(x, T)` refines the same way.
 * A branch that always exits hands the other branch's refinements to the code after the if.
 *
 * Note [static conditions]: a comparison with null whose answer the type already gives (a
 * Tensor is never None, a NoneType always is), `torch.jit.isinstance` on a non-union type and
 * a constant (a literal, a `Final` attribute) are static: `if` compiles only the branch taken
 * and `?:` only the operand chosen, so code that would not type-check on the other branch is
 * fine (PyTorch's MetaCompile of `is None`, isinstance and constants).
 */
import type { JitType, Value } from "../ir/index.js";

/** Variables and the types a branch may assume for them, in the order they were proved. */
export type Refinements = ReadonlyMap<string, JitType>;

export interface CondValue {
  readonly value: Value;
  /** True/false when known while compiling (Note [static conditions]), else null. */
  readonly static: boolean | null;
  /** What holds when the condition is true / false (Note [refinement]). */
  readonly whenTrue: Refinements;
  readonly whenFalse: Refinements;
}

export const NO_REFINEMENTS: Refinements = new Map();

/** Both hold: every refinement of either side (the right one wins on a clash). */
export function union(a: Refinements, b: Refinements): Refinements {
  if (a.size === 0) return b;
  if (b.size === 0) return a;
  return new Map([...a, ...b]);
}

/** One of the two holds: only what both prove, with the same type. */
export function intersection(a: Refinements, b: Refinements): Refinements {
  const out = new Map<string, JitType>();
  for (const [k, t] of a) {
    const u = b.get(k);
    if (u && JSON.stringify(u) === JSON.stringify(t)) out.set(k, t);
  }
  return out;
}

/** `a && b`: true refines both; false refines what both falses share. Static when either is false or both are known. */
export function andCond(a: CondValue, b: CondValue, value: Value): CondValue {
  let s: boolean | null = null;
  if (a.static === false || b.static === false) s = false;
  else if (a.static !== null && b.static !== null) s = a.static && b.static;
  return { value, static: s, whenTrue: union(a.whenTrue, b.whenTrue), whenFalse: intersection(a.whenFalse, b.whenFalse) };
}

/** `a || b`, the dual of andCond. */
export function orCond(a: CondValue, b: CondValue, value: Value): CondValue {
  let s: boolean | null = null;
  if (a.static === true || b.static === true) s = true;
  else if (a.static !== null && b.static !== null) s = a.static || b.static;
  return { value, static: s, whenTrue: intersection(a.whenTrue, b.whenTrue), whenFalse: union(a.whenFalse, b.whenFalse) };
}

export function notCond(a: CondValue, value: Value): CondValue {
  return { value, static: a.static === null ? null : !a.static, whenTrue: a.whenFalse, whenFalse: a.whenTrue };
}
