/**
 * What the optimization passes may assume about a node: whether it is pure (same inputs give
 * the same outputs, nothing else observes it running), and whether a graph mutates anything.
 * Conservative by design: a node the passes cannot classify is impure, and a graph with any
 * mutation limits them to values nothing can mutate (Note [no alias analysis]).
 *
 * Note [no alias analysis]: PyTorch decides with alias analysis whether `a.add_(1)` may change
 * what an equal-looking `b` computed. We keep no alias sets: when a graph holds any write (an
 * in-place op, a list append, SetAttr, a call we cannot see into), only nodes producing
 * immutable values (numbers, booleans, strings, tuples of them) are treated as pure.
 */
import { REGISTRY } from "../../tensor/registry.js";
import { resolveNodeOverload } from "../runtime/op_call.js";
import { kindHasSideEffects, type Block, type Graph, type JitType, type Node } from "../ir/index.js";

/** Ops whose result depends on the random generator (or on uninitialized memory). */
const NONDETERMINISTIC = new Set([
  "aten::rand", "aten::randn", "aten::randint", "aten::randperm", "aten::rand_like", "aten::randn_like",
  "aten::randint_like", "aten::bernoulli", "aten::multinomial", "aten::normal", "aten::poisson",
  "aten::dropout", "aten::feature_dropout", "aten::alpha_dropout", "aten::native_dropout", "aten::rrelu",
  "aten::empty", "aten::empty_like", "aten::empty_strided",
]);

/** prim:: kinds that compute a value from their inputs and nothing else. */
const PURE_PRIMS = new Set([
  "prim::TupleConstruct", "prim::TupleIndex", "prim::TupleUnpack", "prim::unchecked_cast",
  "prim::isinstance", "prim::ImplicitTensorToNum", "prim::ConstantChunk",
]);

/** Kinds that write somewhere (besides in-place tensor ops, found by their schema). */
const WRITES = new Set([
  "prim::SetAttr", "prim::CallMethod", "prim::CallFunction", "prim::PythonOp", "prim::fork", "prim::Print", "prim::RaiseException",
]);

function mutatesAnInput(n: Node): boolean {
  const overloads = REGISTRY.get(n.kind);
  if (overloads === undefined) return false;
  // the overload the interpreter would run; if it cannot tell yet, any overload that writes counts
  const ov = resolveNodeOverload(n);
  if (ov !== null) return ov.schema.args.some((a) => a.mutated);
  return overloads.some((o) => o.schema.args.some((a) => a.mutated));
}

/** Whether the node may write state others can see (its inputs, attributes, the outside). */
export function nodeWrites(n: Node): boolean {
  return WRITES.has(n.kind) || kindHasSideEffects(n.kind) || mutatesAnInput(n);
}

function blockWrites(b: Block): boolean {
  for (const n of b.nodes()) if (nodeWrites(n) || n.blocks.some(blockWrites)) return true;
  return false;
}

export function graphWrites(g: Graph): boolean {
  return blockWrites(g.block);
}

/** Values no node can change in place. */
export function isImmutableType(t: JitType): boolean {
  switch (t.kind) {
    case "int": case "float": case "bool": case "str": case "NoneType": case "Device": case "Scalar":
    case "ScalarType": case "Layout": case "MemoryFormat":
      return true;
    case "Tuple":
      return t.elements.every(isImmutableType);
    case "Optional":
      return isImmutableType(t.element);
    default:
      return false;
  }
}

/**
 * Whether the node is pure: its outputs depend only on its inputs and running it has no
 * effect. `graphHasWrites` is graphWrites(graph), passed in so a pass computes it once.
 */
export function isPure(n: Node, graphHasWrites: boolean): boolean {
  if (n.blocks.length > 0 || nodeWrites(n) || NONDETERMINISTIC.has(n.kind)) return false;
  const known = PURE_PRIMS.has(n.kind) || (!n.kind.startsWith("prim::") && REGISTRY.has(n.kind));
  if (!known) return false;
  return !graphHasWrites || n.outputs.every((o) => isImmutableType(o.type));
}
