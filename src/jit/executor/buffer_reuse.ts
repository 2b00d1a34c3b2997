/**
 * Note [buffer reuse]: memory planning for fused groups and linear layers (tsjit::linear_t) in
 * loops of grad-free plans. Such a node in a loop body makes a new tensor every step although
 * the one it made a step or two before is dead by then; the generated code hands that dead
 * tensor to the node's kernel, which writes into it (fused_kernel.ts, linalg.ts's
 * linearTransposedInto) instead of allocating. Which tensor is dead follows from the graph:
 *  - "previous": the group's result is only read by ops in the same step (ops that make new
 *    tensors from their inputs and keep no reference: READS_ONLY), so last step's result is
 *    dead when this step's group runs;
 *  - "two back": the result is also carried to the next step (an RNN's hidden state), where it
 *    is again only read by such ops, so the result of two steps back is dead: the carried value
 *    (last step's) is the only one still alive.
 * Anything else (a result stored in a list, returned from a branch, viewed, passed to a call,
 * carried through unchanged) keeps the group allocating. The tensors are the call's own: they
 * are made during the call, so a result returned by one call is never written by the next.
 * Plans made with grad on never reuse: autograd may have saved the tensors. A graph that
 * writes anything in place reuses nothing (Note [no alias analysis] in passes/node_effects.ts).
 */
import type { Block, Graph, Node, Use } from "../ir/index.js";
import { graphWrites } from "../passes/node_effects.js";

export type ReuseKind = "previous" | "two back";

/** Ops that read their tensor inputs and keep no reference to them (their result is new). */
const READS_ONLY = new Set([
  "prim::FusionGroup",
  "aten::add", "aten::sub", "aten::mul", "aten::div", "aten::neg", "aten::tanh", "aten::sigmoid", "aten::relu",
  "aten::exp", "aten::log", "aten::sqrt", "aten::abs", "aten::sin", "aten::cos", "aten::rsqrt", "aten::reciprocal",
  "aten::linear", "tsjit::linear_t", "aten::addmm", "aten::mm", "aten::matmul",
  "aten::sum", "aten::mean", "aten::gt", "aten::lt", "aten::ge", "aten::le", "aten::eq", "aten::ne",
  "aten::Bool", "aten::Float", "aten::Int", "aten::item", "prim::ScalarCondition",
]);

/** Whether every use is by an op in READS_ONLY within the step (nested blocks included). */
function onlyRead(uses: readonly Use[], body: Block): boolean {
  return uses.every((u) => READS_ONLY.has(u.user.kind) && inside(u.user, body));
}

function inside(n: Node, body: Block): boolean {
  for (let b: Block | null = n.owningBlock; b !== null; b = b.owningNode?.owningBlock ?? null) {
    if (b === body) return true;
  }
  return false;
}

/** Kinds whose kernel can write into a dead result of its own. */
const WRITES_INTO = new Set(["prim::FusionGroup", "tsjit::linear_t"]);

/** The body's fused groups and linears whose results may be written into a dead earlier result. */
function loopReuse(loop: Node, out: Map<Node, ReuseKind>): void {
  const body = loop.block(0);
  const returned = body.outputs.slice(1); // after the continue condition
  const carried = body.inputs.slice(1); // after the iteration count
  for (const n of body.nodes()) {
    if (!WRITES_INTO.has(n.kind) || n.outputs.length !== 1) continue;
    const v = n.output();
    if (!onlyRead(v.uses.filter((u) => u.user !== body.returnNode), body)) continue;
    const positions = returned.flatMap((r, k) => (r === v ? [k] : []));
    if (positions.length === 0) {
      out.set(n, "previous");
      continue;
    }
    // carried: next step it may only be read (not carried on unchanged, nor kept)
    if (positions.every((k) => onlyRead(carried[k]!.uses, body))) out.set(n, "two back");
  }
}

function visit(b: Block, out: Map<Node, ReuseKind>): void {
  for (const n of b.nodes()) {
    for (const inner of n.blocks) visit(inner, out);
    if (n.kind === "prim::Loop") loopReuse(n, out);
  }
}

/** The fused groups and linears of `graph` (made for a grad-free plan) that may reuse a dead result. */
export function planBufferReuse(graph: Graph): Map<Node, ReuseKind> {
  const out = new Map<Node, ReuseKind>();
  if (!graphWrites(graph)) visit(graph.block, out);
  return out;
}
