/**
 * Elementwise fusion: chains of elementwise tensor ops become one `prim::FusionGroup` whose
 * Subgraph holds them, as PyTorch's fuser groups them, so the code generator can run the chain
 * as one loop with no intermediate tensors (executor/fused_kernel.ts). The interpreter runs a
 * FusionGroup by running its subgraph, so fused and unfused graphs mean the same thing.
 *
 * A group grows from a consumer upwards: a producer joins when it is fusible and every use of its
 * result is inside the group (so nothing else needs the intermediate tensor). Only ops in
 * FUSIBLE join, with no parameters (add/sub only with a constant alpha of 1), because the fused
 * loop evaluates their registry expressions (Note [kernel expressions]) and nothing else.
 * Autograd sees no ops inside a group: under grad mode the executor records one node for the
 * group (executor/fused_autograd.ts).
 *
 * Given:
 *   %s : Tensor = aten::add(%x, %h, %one)
 *   %y : Tensor = aten::tanh(%s)
 * Execute: fuseElementwise(graph)
 * Result:
 *   %y : Tensor = prim::FusionGroup_0[Subgraph=<graph(%x, %h): tanh(add(x, h, 1))>](%x, %h)
 */
import type { Block, Graph, Node, Value } from "../ir/index.js";
import { replaceBySubgraphNode } from "./subgraph_node.js";
import { resolveNodeOverload } from "../runtime/op_call.js";

/** Elementwise ops whose registry expression is the whole op for float tensors. */
const FUSIBLE = new Set([
  "aten::add", "aten::sub", "aten::mul", "aten::div", "aten::neg", "aten::tanh", "aten::sigmoid", "aten::relu",
  "aten::exp", "aten::log", "aten::sqrt", "aten::abs", "aten::sin", "aten::cos", "aten::rsqrt", "aten::reciprocal",
]);

function constantOne(v: Value): boolean {
  const n = v.node;
  if (n.kind !== "prim::Constant") return false;
  const a = n.attr("value");
  return (a?.kind === "i" && a.value === 1n) || (a?.kind === "f" && a.value === 1);
}

/** Whether `n` may join a group: a fusible op on tensors and numbers, producing one tensor. */
export function isFusible(n: Node): boolean {
  if (!FUSIBLE.has(n.kind) || n.outputs.length !== 1 || n.output().type.kind !== "Tensor") return false;
  const ov = resolveNodeOverload(n);
  if (ov === null || ov.jsExpr === undefined || ov.inplace) return false;
  const args = ov.schema.args;
  if (args.length !== n.inputs.length) return false;
  // the first argument is a tensor; a second may be a tensor or a number; a third must be alpha = 1
  if (args[0]!.kind !== "Tensor" || n.inputs[0]!.type.kind !== "Tensor") return false;
  if (args.length >= 2) {
    const k = n.inputs[1]!.type.kind;
    if (k !== "Tensor" && k !== "int" && k !== "float") return false;
  }
  if (args.length === 3) return args[2]!.name === "alpha" && constantOne(n.inputs[2]!);
  return args.length <= 2;
}

/** Nodes of one group, in program order, with the group's inputs and its one output. */
function growGroup(consumer: Node): Node[] {
  const members = new Set<Node>([consumer]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const m of [...members]) {
      for (const v of m.inputs) {
        const p = v.node;
        if (members.has(p) || p.owningBlock !== consumer.owningBlock || !isFusible(p)) continue;
        if (!p.output().uses.every((u) => members.has(u.user))) continue;
        members.add(p);
        grew = true;
      }
    }
  }
  return [...members].sort((a, b) => (a.isBefore(b) ? -1 : 1));
}

let groupCount = 0;

function makeGroup(graph: Graph, members: readonly Node[], observe?: GroupObserver): void {
  const consumer = members[members.length - 1]!;
  const group = replaceBySubgraphNode(graph, members, "prim::FusionGroup");
  observe?.(group, consumer);
  groupCount++;
}

/** Told of each group made and the last op it replaced, already destroyed (e.g. to report errors against it). */
export type GroupObserver = (group: Node, consumer: Node) => void;

function fuseBlock(graph: Graph, block: Block, observe?: GroupObserver): boolean {
  let changed = false;
  // consumers last-to-first, so a group starts at the end of its chain
  for (const n of [...block.nodes()].reverse()) {
    if (n.isDestroyed) continue;
    for (const b of n.blocks) changed = fuseBlock(graph, b, observe) || changed;
    if (!isFusible(n)) continue;
    const members = growGroup(n);
    if (members.length < 2) continue;
    makeGroup(graph, members, observe);
    changed = true;
  }
  return changed;
}

/** Returns whether any group was made. */
export function fuseElementwise(graph: Graph, observe?: GroupObserver): boolean {
  return fuseBlock(graph, graph.block, observe);
}

/** Groups made so far in this process (for tests). */
export function fusionGroupsMade(): number {
  return groupCount;
}
