/**
 * Peephole rules: local rewrites of constructs whose result the graph already shows, as
 * PyTorch's peephole passes (peephole.cpp, peephole_list_idioms.cpp, the tuple lowering) make
 * them. Only rules that cannot change a tensor's identity or autograd history: values are
 * forwarded, never tensors replaced by other tensors.
 *
 *  - `prim::TupleUnpack(prim::TupleConstruct(a, b))` gives a and b, and
 *    `prim::TupleIndex(prim::TupleConstruct(...), k)` the k-th element (tuples are immutable;
 *    an inlined method returning a tuple its caller unpacks builds no tuple then);
 *  - `aten::len(prim::ListConstruct(...))` is a constant and `aten::__getitem__(list, k)` with a
 *    constant k in range is the k-th element, when nothing can change the list (every use of it
 *    is an op whose schema does not write it);
 *  - `aten::__is__(x, None)` / `aten::__isnot__(x, None)` are constants when x's type cannot
 *    hold None (or is None).
 *
 * Given:
 *   %t : (Tensor, Tensor) = prim::TupleConstruct(%a, %b)
 *   %x : Tensor, %y : Tensor = prim::TupleUnpack(%t)
 *   %z : Tensor = aten::mul(%x, %y)
 * Execute: peephole(graph)
 * Result:
 *   %z : Tensor = aten::mul(%a, %b)
 * (the TupleConstruct, now unused, is left for dead code elimination)
 */
import { constantValue, insertConstant, type Block, type Graph, type JitType, type Node, type Value } from "../ir/index.js";
import { resolveNodeOverload } from "../runtime/op_call.js";

function constantInt(v: Value): number | null {
  const c = constantValue(v.node);
  return c?.type === "int" ? Number(c.value) : null;
}

function isNoneConstant(v: Value): boolean {
  return constantValue(v.node)?.type === "None";
}

/** Whether a value of type `t` may be None at run time. */
function mayBeNone(t: JitType): boolean {
  switch (t.kind) {
    case "NoneType":
    case "Optional":
    case "Any":
    case "Union":
    case "Var":
      return true;
    default:
      return false;
  }
}

/** A list nothing can change: built by ListConstruct, and every use reads it only. */
function readOnlyList(v: Value): Node | null {
  const n = v.node;
  if (n.kind !== "prim::ListConstruct") return null;
  for (const u of v.uses) {
    const user = u.user;
    const ov = resolveNodeOverload(user);
    if (ov === null) return null;
    const arg = ov.schema.args[u.offset];
    if (arg === undefined || arg.mutated) return null;
    // an op that returns its list argument could let someone else change it
    if (user.outputs.some((o) => o.type.kind === "List")) return null;
  }
  return n;
}

function replaceWithConstant(g: Graph, n: Node, value: { type: "int"; value: bigint } | { type: "bool"; value: boolean }): void {
  const c = g.withInsertPoint(n, () => insertConstant(g, value));
  n.output().replaceAllUsesWith(c);
  n.destroy();
}

function rewrite(g: Graph, n: Node): boolean {
  switch (n.kind) {
    case "prim::TupleUnpack": {
      const t = n.inputs[0]!.node;
      if (t.kind !== "prim::TupleConstruct" || t.inputs.length !== n.outputs.length) return false;
      n.outputs.forEach((o, i) => o.replaceAllUsesWith(t.inputs[i]!));
      n.destroy();
      return true;
    }
    case "prim::TupleIndex": {
      const t = n.inputs[0]!.node;
      const k = constantInt(n.inputs[1]!);
      if (t.kind !== "prim::TupleConstruct" || k === null) return false;
      const i = k < 0 ? k + t.inputs.length : k;
      if (i < 0 || i >= t.inputs.length) return false; // the error stays at run time
      n.output().replaceAllUsesWith(t.inputs[i]!);
      n.destroy();
      return true;
    }
    case "aten::len": {
      if (n.inputs.length !== 1 || n.inputs[0]!.type.kind !== "List") return false;
      const list = readOnlyList(n.inputs[0]!);
      if (list === null) return false;
      replaceWithConstant(g, n, { type: "int", value: BigInt(list.inputs.length) });
      return true;
    }
    case "aten::__getitem__": {
      if (n.inputs.length !== 2 || n.inputs[0]!.type.kind !== "List") return false;
      const list = readOnlyList(n.inputs[0]!);
      const k = constantInt(n.inputs[1]!);
      if (list === null || k === null) return false;
      const i = k < 0 ? k + list.inputs.length : k;
      if (i < 0 || i >= list.inputs.length) return false;
      n.output().replaceAllUsesWith(list.inputs[i]!);
      n.destroy();
      return true;
    }
    case "aten::__is__":
    case "aten::__isnot__": {
      if (n.inputs.length !== 2) return false;
      const [a, b] = n.inputs as [Value, Value];
      const other = isNoneConstant(b) ? a : isNoneConstant(a) ? b : null;
      if (other === null) return false;
      let is: boolean;
      if (other.type.kind === "NoneType") is = true;
      else if (!mayBeNone(other.type)) is = false;
      else return false;
      replaceWithConstant(g, n, { type: "bool", value: n.kind === "aten::__is__" ? is : !is });
      return true;
    }
    default:
      return false;
  }
}

function visit(g: Graph, b: Block): boolean {
  let changed = false;
  for (const n of [...b.nodes()]) {
    if (n.isDestroyed) continue;
    for (const inner of n.blocks) changed = visit(g, inner) || changed;
    changed = rewrite(g, n) || changed;
  }
  return changed;
}

/** Returns whether any rule applied. */
export function peephole(graph: Graph): boolean {
  return visit(graph, graph.block);
}
