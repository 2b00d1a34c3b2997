/**
 * The vocabulary of prim:: node kinds, as data. Each row says how many inputs, outputs and
 * blocks a node of that kind has, which attributes it carries and whether it has side effects;
 * the verifier checks nodes against these rows, and passes ask the table rather than list
 * kinds in switches. aten:: kinds are not listed here: they are whatever the op registry
 * (src/tensor/registry.ts) defines, checked against their schemas.
 *
 * The control-flow rows have structure beyond counts (Note [control flow blocks]):
 *   prim::If    inputs (cond: bool); two blocks with no params, each returning one value per
 *               node output.
 *   prim::Loop  inputs (max_trip_count: int, start_cond: bool, carried...); one block with
 *               params (iteration: int, carried...) returning (continue_cond: bool, carried...);
 *               outputs are the carried values after the last iteration.
 */
import type { AttributeKind } from "./attributes.js";

export interface Arity {
  readonly min: number;
  /** Infinity for variadic. */
  readonly max: number;
}

export interface AttributeSpec {
  readonly name: string;
  readonly kinds: readonly AttributeKind[];
  readonly required: boolean;
}

export interface NodeKindSpec {
  readonly inputs: Arity;
  readonly outputs: Arity;
  readonly blocks: number;
  readonly attributes: readonly AttributeSpec[];
  /** Must not be removed or reordered even when its outputs are unused. */
  readonly sideEffects: boolean;
  readonly doc: string;
}

const exactly = (n: number): Arity => ({ min: n, max: n });
const atLeast = (n: number): Arity => ({ min: n, max: Infinity });
const between = (min: number, max: number): Arity => ({ min, max });
const ANY = atLeast(0);

const req = (name: string, ...kinds: AttributeKind[]): AttributeSpec => ({ name, kinds, required: true });
const opt = (name: string, ...kinds: AttributeKind[]): AttributeSpec => ({ name, kinds, required: false });

function kind(
  inputs: Arity, outputs: Arity, blocks: number, attributes: AttributeSpec[], doc: string, sideEffects = false,
): NodeKindSpec {
  return { inputs, outputs, blocks, attributes, sideEffects, doc };
}

export const PRIM_KINDS: Readonly<Record<string, NodeKindSpec>> = {
  "prim::Param": kind(exactly(0), ANY, 0, [], "a block's parameters (internal: never printed as a node)"),
  "prim::Return": kind(ANY, exactly(0), 0, [], "a block's returns (internal: never printed as a node)"),
  "prim::Constant": kind(exactly(0), exactly(1), 0, [opt("value", "i", "f", "s", "is", "fs", "ss", "t", "ty", "enum"), opt("name", "s")],
    "a constant; no attribute means None, `name` names a Function constant"),
  "prim::If": kind(exactly(1), ANY, 2, [], "if/else; see Note [control flow blocks]"),
  "prim::Loop": kind(atLeast(2), ANY, 1, [], "for/while; see Note [control flow blocks]"),
  "prim::GetAttr": kind(exactly(1), exactly(1), 0, [req("name", "s")], "reads attribute `name` of a module/object"),
  "prim::SetAttr": kind(exactly(2), exactly(0), 0, [req("name", "s")], "writes attribute `name` of a module/object", true),
  "prim::CallMethod": kind(atLeast(1), ANY, 0, [req("name", "s")], "calls method `name` on its first input", true),
  "prim::CallFunction": kind(atLeast(1), ANY, 0, [], "calls the Function value given as first input", true),
  "prim::TupleConstruct": kind(ANY, exactly(1), 0, [], "builds a tuple"),
  "prim::TupleUnpack": kind(exactly(1), ANY, 0, [], "splits a tuple into its elements"),
  "prim::TupleIndex": kind(exactly(2), exactly(1), 0, [], "tuple[int]"),
  "prim::TupleSlice": kind(exactly(1), exactly(1), 0, [req("beg", "i"), req("end", "i")], "tuple[beg:end]"),
  "prim::ListConstruct": kind(ANY, exactly(1), 0, [], "builds a list"),
  "prim::ListUnpack": kind(exactly(1), ANY, 0, [], "splits a list of known length"),
  "prim::DictConstruct": kind(ANY, exactly(1), 0, [], "builds a dict from key, value, key, value, ..."),
  "prim::RaiseException": kind(between(1, 2), exactly(0), 0, [], "raises (message, optional exception class name)", true),
  "prim::Uninitialized": kind(exactly(0), exactly(1), 0, [], "a placeholder for a value on a path that never uses it"),
  "prim::unchecked_cast": kind(exactly(1), exactly(1), 0, [], "refines a type (Optional[T] to T) after a check"),
  "prim::unchecked_unwrap_optional": kind(exactly(1), exactly(1), 0, [], "Optional[T] to T without a check"),
  "prim::NumToTensor": kind(exactly(1), exactly(1), 0, [], "a number as a 0-dim tensor (tracing size arithmetic)"),
  "prim::ImplicitTensorToNum": kind(exactly(1), exactly(1), 0, [], "a 0-dim tensor used as a number"),
  "prim::device": kind(exactly(1), exactly(1), 0, [], "tensor.device"),
  "prim::dtype": kind(exactly(1), exactly(1), 0, [], "tensor.dtype (as int)"),
  "prim::requires_grad": kind(exactly(1), exactly(1), 0, [], "tensor.requires_grad"),
  "prim::isinstance": kind(exactly(1), exactly(1), 0, [req("types", "tys")], "isinstance(x, types)"),
  "prim::EnumValue": kind(exactly(1), exactly(1), 0, [], "an enum member's value (`(c).value`)"),
  "prim::EnumName": kind(exactly(1), exactly(1), 0, [], "an enum member's name as a str (`(c).name`)"),
  "prim::CreateObject": kind(exactly(0), exactly(1), 0, [], "allocates an object of its output's class type"),
  "prim::Print": kind(ANY, exactly(0), 0, [], "print(...)", true),
  "prim::Store": kind(exactly(1), exactly(0), 0, [req("name", "s")], "frontend only: assigns a variable before SSA", true),
  "prim::Load": kind(exactly(0), exactly(1), 0, [req("name", "s")], "frontend only: reads a variable before SSA"),
  "prim::ConstantChunk": kind(exactly(1), atLeast(1), 0, [req("chunks", "i"), req("dim", "i")], "chunk with constant arguments"),
  "prim::FusionGroup": kind(ANY, ANY, 0, [req("Subgraph", "g")], "a fused subgraph"),
  "prim::ScalarCondition": kind(ANY, exactly(1), 0, [req("Subgraph", "g")], "a condition computed on numbers (passes/fuse_scalar_condition.ts)"),
  "prim::PythonOp": kind(atLeast(1), exactly(1), 0, [req("name", "s")],
    "calls the @torch.jit.ignore method `name` of its first input in JavaScript (PyTorch calls Python)", true),
};

export function primKindSpec(kind: string): NodeKindSpec | undefined {
  return Object.prototype.hasOwnProperty.call(PRIM_KINDS, kind) ? PRIM_KINDS[kind] : undefined;
}

/** Whether a node of this kind must be kept even when nothing uses its outputs. */
export function kindHasSideEffects(kind: string): boolean {
  return primKindSpec(kind)?.sideEffects ?? false;
}

/** Splits "aten::add" into its namespace and name. */
export function splitKind(kind: string): { ns: string; name: string } {
  const i = kind.indexOf("::");
  if (i <= 0) throw new Error(`node kind '${kind}' is not qualified (expected ns::name)`);
  return { ns: kind.slice(0, i), name: kind.slice(i + 2) };
}
