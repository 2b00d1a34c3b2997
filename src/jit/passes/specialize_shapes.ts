/**
 * Shape specialization (the executor's peephole for what an argument spec fixes): a plan made
 * for inputs of known shapes and dtypes (Note [argument specs] in executor/graph_executor.ts)
 * may read `x.dim()`, `x.size(d)` and `x.dtype` of an input tensor as constants; the spec is
 * the guard. Constant propagation then folds what follows (`range(xs.size(0))` has a constant
 * trip count; a branch on `x.dim() == 2` disappears).
 *
 * Given (inputs: xs : Float[100, 3, 4]):
 *   %n : int = aten::size(%xs, %zero)
 * Execute: specializeShapes(graph, [null, {shape: [100, 3, 4], dtype: float32}])
 * Result:
 *   %n : int = prim::Constant[value=100]()
 */
import { insertConstant, type Block, type Graph, type Node, type Value } from "../ir/index.js";
import { constantValue } from "../ir/index.js";
import { dtypeCode } from "../runtime/values.js";
import type { DType } from "../../tensor/dtype.js";

/** What the plan's argument spec fixes about one graph input (null: nothing). */
export interface KnownTensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

function intConstant(v: Value): number | null {
  const c = constantValue(v.node);
  return c?.type === "int" ? Number(c.value) : null;
}

/** The constant a node computes from a known input, or null. */
function known(n: Node, inputs: ReadonlyMap<Value, KnownTensor>): number | null {
  const t = n.inputs[0] === undefined ? undefined : inputs.get(n.inputs[0]);
  if (t === undefined || n.outputs.length !== 1 || n.output().type.kind !== "int") return null;
  if (n.kind === "aten::dim" && n.inputs.length === 1) return t.shape.length;
  if (n.kind === "prim::dtype" && n.inputs.length === 1) return dtypeCode(t.dtype);
  if (n.kind === "aten::size" && n.inputs.length === 2) {
    const d = intConstant(n.inputs[1]!);
    if (d === null || d < -t.shape.length || d >= t.shape.length) return null; // the error stays at run time
    return t.shape[d < 0 ? d + t.shape.length : d]!;
  }
  return null;
}

function visit(g: Graph, b: Block, inputs: ReadonlyMap<Value, KnownTensor>): boolean {
  let changed = false;
  for (const n of [...b.nodes()]) {
    for (const inner of n.blocks) changed = visit(g, inner, inputs) || changed;
    const value = known(n, inputs);
    if (value === null) continue;
    const c = g.withInsertPoint(n, () => insertConstant(g, { type: "int", value }));
    n.output().replaceAllUsesWith(c);
    n.destroy();
    changed = true;
  }
  return changed;
}

/** `known[i]` describes graph input i; returns whether anything became a constant. */
export function specializeShapes(graph: Graph, known: readonly (KnownTensor | null)[]): boolean {
  const inputs = new Map<Value, KnownTensor>();
  graph.inputs.forEach((v, i) => {
    const k = known[i];
    if (k) inputs.set(v, k);
  });
  return inputs.size > 0 && visit(graph, graph.block, inputs);
}
