/**
 * Calls to registry ops: TorchScript's matchSchema. The arguments of a call (self first for a
 * method call, then positional, then keyword arguments given as a trailing object literal, as
 * the eager API takes them) are bound to each overload of `aten::name` in registration order;
 * the first that fits is emitted with its defaults filled in as constants, so every schema
 * argument is an explicit input (the printer drops trailing defaults again).
 *
 * Matching is strict first (each argument's type a subtype of the formal's), then lenient:
 * a number may go where a Tensor goes, as the registry covers some `Scalar` overloads with the
 * Tensor one (Note [numbers as tensors] in runtime/op_call.ts), and one int may fill `int[N]`.
 */
import { REGISTRY, type OpOverload } from "../../tensor/registry.js";
import { ENUM_DEFAULT_CODES, type SchemaArg } from "../../tensor/schema.js";
import {
  Types, evalTypeVariables, insertConstant, isSubtypeOf, listType, matchTypeVariables, optionalType, printType, schemaArgType,
  schemaReturnType, tupleType, type Graph, type JitType, type Node, type Value,
} from "../ir/index.js";
import { isVararg } from "../runtime/index.js";

export interface CallArgs {
  readonly positional: readonly Value[];
  readonly keywords: ReadonlyMap<string, Value>;
}

type Bound = { inputs: Value[]; returns: JitType[] } | { error: string };

const NUMBERS = new Set(["int", "float", "bool"]);

/** `int[N]` or `int[N]?`: one int may fill it. */
function listOf(t: JitType): boolean {
  return t.kind === "List" || (t.kind === "Optional" && t.element.kind === "List");
}

function isTensorFormal(t: JitType): boolean {
  return t.kind === "Tensor" || (t.kind === "Optional" && t.element.kind === "Tensor");
}

/** The constant for a schema default, typed by the formal. */
function defaultConstant(g: Graph, arg: SchemaArg, formal: JitType): Value {
  const d = arg.default;
  const inner = formal.kind === "Optional" ? formal.element : formal;
  if (d === null || d === undefined) return insertConstant(g, { type: "None" });
  if (typeof d === "boolean") return insertConstant(g, { type: "bool", value: d });
  // a c10 enum default (`memory_format=contiguous_format`) is its int code where the formal is an int
  if (typeof d === "string" && inner.kind === "int" && Object.prototype.hasOwnProperty.call(ENUM_DEFAULT_CODES, d)) {
    return insertConstant(g, { type: "int", value: ENUM_DEFAULT_CODES[d]! });
  }
  if (typeof d === "string") return insertConstant(g, { type: "str", value: d });
  if (Array.isArray(d)) {
    const n = arg.fixedLength;
    const items = d.length === 1 && n ? new Array<number>(n).fill(d[0] as number) : (d as number[]);
    if (inner.kind === "List" && inner.element.kind === "float") return insertConstant(g, { type: "float[]", value: items });
    return insertConstant(g, { type: "int[]", value: items });
  }
  if (typeof d === "number") {
    if (inner.kind === "float") return insertConstant(g, { type: "float", value: d });
    if (inner.kind === "List") return insertConstant(g, { type: "int[]", value: new Array<number>(arg.fixedLength ?? 1).fill(d) });
    return insertConstant(g, { type: Number.isInteger(d) ? "int" : "float", value: d });
  }
  throw new Error(`script: cannot make a constant for the default of '${arg.name}' in ${arg.typeText}`);
}

function tryBind(g: Graph, name: string, ov: OpOverload, call: CallArgs, lenient: boolean): Bound {
  const args = ov.schema.args;
  const vararg = isVararg(ov);
  const slots: (Value | undefined)[] = new Array(args.length).fill(undefined);
  const positionalFormals = args.filter((a) => !a.kwargOnly).length;
  if (call.positional.length > positionalFormals && !vararg) {
    return { error: `expected at most ${positionalFormals} argument(s) but received ${call.positional.length}` };
  }
  call.positional.slice(0, positionalFormals).forEach((v, i) => (slots[i] = v));
  for (const [name, v] of call.keywords) {
    const i = args.findIndex((a) => a.name === name);
    if (i < 0) return { error: `unknown keyword argument '${name}'` };
    if (slots[i] !== undefined) return { error: `argument '${name}' given twice` };
    slots[i] = v;
  }
  const env = new Map<string, JitType>();
  let mismatch: { readonly arg: SchemaArg; readonly formal: JitType; readonly actual: JitType } | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const formal = schemaArgType(a);
    const v = slots[i];
    if (v === undefined) {
      if (!a.hasDefault) return { error: `argument '${a.name}' not provided` };
      continue;
    }
    const actual = v.type;
    if (matchTypeVariables(formal, actual, env) && isSubtypeOf(actual, evalTypeVariables(formal, env))) continue;
    if (tupleAsList(actual, formal) || literalAsList(v, formal)) continue;
    // PyTorch's `Tensor?[] indices` where the registry says `Tensor[]` (Note below OPTIONAL_TENSOR_LISTS)
    if (OPTIONAL_TENSOR_LISTS[name] === i && isSubtypeOf(actual, listType(optionalType(Types.tensor)))) continue;
    if (lenient && isTensorFormal(formal) && NUMBERS.has(actual.kind)) continue;
    if (lenient && a.fixedLength && actual.kind === "int" && listOf(formal)) continue;
    mismatch ??= { arg: a, formal, actual };
  }
  if (mismatch) {
    // only the lenient pass's reasons are shown (emitBuiltinCall), and printing types for every
    // overload the strict pass skips is a good part of compiling a call
    if (!lenient) return { error: "" };
    const { arg, formal, actual } = mismatch;
    return { error: `Expected a value of type '${printType(formal)}' for argument '${arg.name}' but instead found type '${printType(actual)}'.` };
  }
  // all fit: materialize defaults and broadcast ints
  const inputs = args.map((a, i) => {
    const v = slots[i];
    const formal = schemaArgType(a);
    if (v === undefined) return defaultConstant(g, a, formal);
    if (isSubtypeOf(v.type, evalTypeVariables(formal, env))) return v;
    const list = tupleAsList(v.type, formal);
    if (list) return listFromTuple(g, v, list);
    const retyped = literalAsList(v, formal);
    if (retyped) return g.insert("prim::ListConstruct", v.node.inputs.slice(), [retyped]).output();
    if (a.fixedLength && v.type.kind === "int" && listOf(formal)) {
      return g.insert("prim::ListConstruct", new Array(a.fixedLength).fill(v), [listType(Types.int)]).output();
    }
    return v;
  });
  if (vararg) inputs.push(...call.positional.slice(positionalFormals));
  const returns = ov.schema.returns.map((r) => evalTypeVariables(schemaReturnType(r), env));
  return { inputs, returns };
}

/**
 * Note [tuples as lists]: a tuple goes where a list is expected when every element fits the
 * list's element type (TorchScript's tryConvertToType): the call gets a prim::ListConstruct
 * of the elements. Returns the list type to build, or null.
 */
export function tupleAsList(actual: JitType, formal: JitType): JitType | null {
  const inner = formal.kind === "Optional" ? formal.element : formal;
  if (actual.kind !== "Tuple" || inner.kind !== "List") return null;
  return actual.elements.every((t) => isSubtypeOf(t, inner.element)) ? inner : null;
}

/** The list of a tuple's elements: the TupleConstruct's inputs when it is one, else a TupleUnpack's outputs. */
export function listFromTuple(g: Graph, tuple: Value, list: JitType): Value {
  const n = tuple.node;
  const items = n.kind === "prim::TupleConstruct" ? n.inputs.slice() : g.insert("prim::TupleUnpack", [tuple], tuple.type.kind === "Tuple" ? tuple.type.elements.slice() : []).outputs.slice();
  return g.insert("prim::ListConstruct", items, [list]).output();
}

/**
 * A list literal typed by where it goes (PyTorch emits `[mask]` for `Tensor?[] indices` as
 * `annotate(List[Optional[Tensor]], [mask])`): the list type to rebuild it with, or null.
 */
export function literalAsList(v: Value, formal: JitType): JitType | null {
  const inner = formal.kind === "Optional" ? formal.element : formal;
  if (v.node.kind !== "prim::ListConstruct" || inner.kind !== "List" || isSubtypeOf(v.type, inner)) return null;
  return v.node.inputs.every((x) => isSubtypeOf(x.type, inner.element)) ? inner : null;
}

/**
 * Ops whose indices PyTorch types `Tensor?[]` where the registry says `Tensor[]` (the eager
 * API has no None indices yet): a list literal there is built as `List[Optional[Tensor]]`,
 * so `x[mask]` prints `torch.index(x, annotate(List[Optional[Tensor]], [mask]))` as PyTorch's.
 */
const OPTIONAL_TENSOR_LISTS: Readonly<Record<string, number>> = { "aten::index": 1, "aten::index_put_": 1, "aten::index_put": 1 };

function asOptionalTensorList(g: Graph, v: Value): Value {
  if (v.node.kind !== "prim::ListConstruct" || v.type.kind !== "List" || v.type.element.kind !== "Tensor") return v;
  return g.insert("prim::ListConstruct", v.node.inputs.slice(), [listType(optionalType(Types.tensor))]).output();
}

export class SchemaMatchError extends Error {}

/**
 * Emits a call of `aten::name` (any namespace) with the first overload that fits; throws a
 * SchemaMatchError listing each overload and why it did not fit.
 */
export function emitBuiltinCall(g: Graph, name: string, call: CallArgs): Node {
  const overloads = REGISTRY.get(name);
  if (!overloads) throw new SchemaMatchError(`Unknown builtin op: ${name}`);
  const reasons: string[] = [];
  for (const lenient of [false, true]) {
    for (const ov of overloads) {
      const r = tryBind(g, name, ov, call, lenient);
      if ("error" in r) {
        if (lenient) reasons.push(`  ${ov.schema.text}:\n  ${r.error}`);
        continue;
      }
      const optionalAt = OPTIONAL_TENSOR_LISTS[name];
      if (optionalAt !== undefined) r.inputs[optionalAt] = asOptionalTensorList(g, r.inputs[optionalAt]!);
      const n = g.insert(name, r.inputs, r.returns);
      // a lenient match is the overload the runtime would pick too (op_call.ts, Note [numbers as
      // tensors]); recording it tells dead code elimination that `x.add_(1)` writes its input
      n.op = ov;
      return n;
    }
  }
  const got = [...call.positional.map((v) => printType(v.type)), ...[...call.keywords].map(([k, v]) => `${k}=${printType(v.type)}`)];
  throw new SchemaMatchError(`Arguments for call are not valid.\nThe following variants are available:\n\n${reasons.join("\n\n")}\n\nThe original call is (${got.join(", ")})`);
}

/** The single result of a call node (several returns come back as a tuple value). */
export function callResult(g: Graph, n: Node): Value | null {
  if (n.outputs.length === 0) return null;
  if (n.outputs.length === 1) return n.output();
  return g.insert("prim::TupleConstruct", n.outputs, [tupleType(n.outputs.map((o) => o.type))]).output();
}
