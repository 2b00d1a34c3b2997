/**
 * How the tracer turns the JS values an op was called with into IR values: tensors it has seen
 * become their recorded values, parameters and buffers become prim::GetAttr chains, other
 * tensors become tensor constants, and numbers, lists, dtypes and None become constants, as
 * PyTorch's tracer records them.
 */
import { Tensor } from "../../tensor/tensor.js";
import { DType, float64, int64 } from "../../tensor/dtype.js";
import type { SchemaArg } from "../../tensor/schema.js";
import {
  Attr, Types, classType, insertConstant, listType, tensorTypeOf, type Graph, type Node, type Value,
} from "../ir/index.js";

/** PyTorch's ScalarType numbering, as dtype arguments appear in graphs (`torch.to(x, 6)`). */
export const SCALAR_TYPE_CODE: Readonly<Record<string, number>> = {
  uint8: 0, int8: 1, int16: 2, int32: 3, int64: 4, float16: 5, float32: 6, float64: 7, bool: 11, bfloat16: 15,
};

/** Argument kinds passed as int codes (torch.strided is 0, torch.contiguous_format 1, ...). */
const INT_CODED: ReadonlySet<string> = new Set(["ScalarType", "Layout", "MemoryFormat"]);

/** One module's (or function's) method being recorded. */
export interface Frame {
  readonly graph: Graph;
  /** The eager module whose method this is (null for a free function). */
  readonly module: object | null;
  /** Its attribute path from the traced root, e.g. ["cell", "linear"]. */
  readonly path: readonly string[];
  readonly self: Value | null;
  readonly values: Map<Tensor, Value>;
  /** Tensors reachable as attributes of this frame's module: their attribute path. */
  readonly attrPaths: Map<Tensor, string[]>;
  /** "a.b" -> the GetAttr value already emitted for it. */
  readonly attrCache: Map<string, Value>;
  /** Class type names of submodules by attribute path, for GetAttr output types. */
  readonly moduleTypes: Map<string, string>;
  readonly scope: string | null;
}

/**
 * Note [GetAttr order]: PyTorch's traced methods read attributes at the top, in reverse order of
 * first use (`bias = self.bias` before `weight = self.weight` in Linear): each new top-level
 * GetAttr is put first; a nested one goes right after its parent's.
 */
export function getAttrChain(f: Frame, path: readonly string[]): Value {
  if (!f.self) throw new Error("tracer: attribute access outside a module");
  let cur = f.self;
  let after: Node | null = null;
  for (let i = 0; i < path.length; i++) {
    const key = path.slice(0, i + 1).join(".");
    const cached = f.attrCache.get(key);
    if (cached) {
      cur = cached;
      after = cached.node;
      continue;
    }
    const moduleType = f.moduleTypes.get(key);
    const node = f.graph.create("prim::GetAttr", [cur], [moduleType ? classType(moduleType) : Types.tensor], { scope: null });
    node.setAttr("name", Attr.s(path[i]!));
    if (after) node.insertAfter(after);
    else f.graph.prependNode(node);
    const out = node.output();
    // a numeric attribute ("0" in a Sequential) is not a valid value name: PyTorch writes `_0`
    out.setDebugName(/^\d/.test(path[i]!) ? `_${path[i]}` : path[i]!);
    f.attrCache.set(key, out);
    cur = out;
    after = node;
  }
  return cur;
}

export function tensorValue(f: Frame, t: Tensor): Value {
  const known = f.values.get(t);
  if (known) return known;
  const path = f.attrPaths.get(t);
  if (path) {
    const v = getAttrChain(f, path);
    f.values.set(t, v);
    return v;
  }
  // A tensor the trace did not produce (a closure or global): baked in as a constant.
  const v = insertConstant(f.graph, { type: "Tensor", value: t });
  v.setType(tensorTypeOf(t));
  f.values.set(t, v);
  return v;
}

/**
 * A JS number where the schema wants a Tensor (`x.add(1)`: PyTorch's Python binding of add,
 * sub, mul, div has no Scalar overload) is a wrapped number: PyTorch's tracer records it as a
 * 0-dim tensor constant, int64 when integral, else float64 (`CONSTANTS.c0` in `.code`).
 */
function wrappedNumber(g: Graph, v: number): Value {
  const t = Tensor.fromData(new Float64Array([v]), [], Number.isInteger(v) ? int64 : float64);
  const c = insertConstant(g, { type: "Tensor", value: t });
  c.setType(tensorTypeOf(t));
  return c;
}

/** The IR value for one op argument, per its schema type. */
export function argumentValue(f: Frame, v: unknown, arg: SchemaArg | undefined): Value {
  if (v instanceof Tensor) return tensorValue(f, v);
  const g = f.graph;
  if (v === null || v === undefined) return insertConstant(g, { type: "None" });
  if (v instanceof DType) return insertConstant(g, { type: "int", value: SCALAR_TYPE_CODE[v.name]! });
  if (typeof v === "boolean") return insertConstant(g, { type: "bool", value: v });
  if (typeof v === "string") {
    if (arg?.kind === "Device") return insertConstant(g, { type: "Device", value: v });
    return insertConstant(g, { type: "str", value: v });
  }
  if (typeof v === "number") {
    // int[2] kernel_size=2: Python's argument parser records the broadcast list [2, 2]
    if (arg?.fixedLength != null && arg.kind.endsWith("[]")) return argumentValue(f, new Array<number>(arg.fixedLength).fill(v), arg);
    if (arg?.kind === "Tensor") return wrappedNumber(g, v);
    const scalarLike = arg === undefined || arg.kind === "Scalar";
    const asInt = arg?.kind === "int" || (arg !== undefined && INT_CODED.has(arg.kind)) || (scalarLike && Number.isInteger(v));
    return insertConstant(g, asInt ? { type: "int", value: v } : { type: "float", value: v });
  }
  if (Array.isArray(v)) {
    const elemKind = arg?.kind === "Tensor[]" ? "Tensor" : arg?.kind === "float[]" ? "float" : arg?.kind === "bool[]" ? "bool" : "int";
    const elems = v.map((x: unknown) => argumentValue(f, x, elemKind === "Tensor" ? undefined : { ...(arg as SchemaArg), kind: elemKind as SchemaArg["kind"] }));
    const elemType = elemKind === "Tensor" ? Types.tensor : elemKind === "float" ? Types.float : elemKind === "bool" ? Types.bool : Types.int;
    return g.insert("prim::ListConstruct", elems, [listType(elemType)], { scope: f.scope }).output();
  }
  throw new Error(`tracer: cannot record an argument of type ${typeof v}`);
}
