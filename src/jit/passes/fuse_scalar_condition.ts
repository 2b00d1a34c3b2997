/**
 * Scalar conditions: a condition such as `if x.sum() > 0` makes a 0-d tensor per op (the sum,
 * then the comparison's bool tensor) only for aten::Bool to read one value out of the last.
 * When every intermediate has no other use, the chain becomes one `prim::ScalarCondition`
 * whose Subgraph holds it, so the code generator can compute it on numbers
 * (executor/scalar_condition.ts). Like prim::FusionGroup, the interpreter runs the node by
 * running its subgraph, so the rewritten graph means what the original did.
 *
 * The chain, read from the Bool upwards: an optional comparison with a number (eq/ne/lt/le/gt/
 * ge), elementwise ops that could join a fusion group taking numbers only, and at the root a
 * full reduction (aten::sum or aten::mean of a whole tensor, no dtype). Nothing is observable
 * in between: the intermediates are 0-d tensors no one else reads, and the autograd nodes eager
 * would record for them are unreachable from any output.
 *
 * Given:
 *   %s : Tensor = aten::sum(%x, %none)
 *   %c : Tensor = aten::gt(%s, %zero)
 *   %b : bool = aten::Bool(%c)
 * Execute: fuseScalarConditions(graph)
 * Result:
 *   %b : bool = prim::ScalarCondition[Subgraph=<graph(%x): Bool(gt(sum(x, None), 0))>](%x)
 */
import type { Block, Graph, Node, Value } from "../ir/index.js";
import { replaceBySubgraphNode } from "./subgraph_node.js";
import { isFusible } from "./fuse_elementwise.js";

/** Comparisons a condition may end in (with a number); they give a bool from their jsExpr. */
export const COMPARISONS: ReadonlySet<string> = new Set(["aten::eq", "aten::ne", "aten::lt", "aten::le", "aten::gt", "aten::ge"]);
const ROOTS = new Set(["aten::sum", "aten::mean"]);

const isNumber = (v: Value): boolean => v.type.kind === "int" || v.type.kind === "float";
const onlyUse = (v: Value, user: Node): boolean => v.uses.length === 1 && v.uses[0]!.user === user;

function isNoneConstant(v: Value): boolean {
  return v.node.kind === "prim::Constant" && v.type.kind === "NoneType";
}

/** The chain's nodes in program order, root first, ending at `bool`; null when it is not one. */
function chainOf(bool: Node): Node[] | null {
  if (bool.inputs.length !== 1 || bool.input().type.kind !== "Tensor") return null;
  const chain: Node[] = [bool];
  let v = bool.input();
  const step = (p: Node): void => {
    chain.unshift(p);
    v = p.inputs[0]!;
  };
  const cmp = v.node;
  if (COMPARISONS.has(cmp.kind) && cmp.inputs.length === 2 && isNumber(cmp.inputs[1]!) && onlyUse(v, chain[0]!)) step(cmp);
  for (;;) {
    const p = v.node;
    if (!isFusible(p) || !p.inputs.slice(1).every((a) => a.type.kind !== "Tensor") || !onlyUse(v, chain[0]!)) break;
    step(p);
  }
  const root = v.node;
  const fullReduction = ROOTS.has(root.kind) && root.inputs.length === 2 && isNoneConstant(root.inputs[1]!);
  if (!fullReduction || !onlyUse(v, chain[0]!) || root.owningBlock !== bool.owningBlock) return null;
  chain.unshift(root);
  return chain;
}

function makeCondition(graph: Graph, members: readonly Node[], copies: Map<Node, Node>): Node {
  conditionCount++;
  return replaceBySubgraphNode(graph, members, "prim::ScalarCondition", copies);
}

let conditionCount = 0;

/** Conditions made so far in this process (for tests). */
export function scalarConditionsMade(): number {
  return conditionCount;
}

function fuseBlock(graph: Graph, block: Block, observe?: ConditionObserver): boolean {
  let changed = false;
  for (const n of [...block.nodes()]) {
    if (n.isDestroyed) continue;
    for (const b of n.blocks) changed = fuseBlock(graph, b, observe) || changed;
    if (n.kind !== "aten::Bool") continue;
    const chain = chainOf(n);
    if (chain === null) continue;
    const copies = new Map<Node, Node>();
    const condition = makeCondition(graph, chain, copies); // not inside observe?.(...): that skips it when observe is absent
    observe?.(condition, n, copies);
    changed = true;
  }
  return changed;
}

/**
 * Told of each condition made, the Bool it replaced and, per node of its subgraph, the node it
 * copies (e.g. to report errors against the user's nodes).
 */
export type ConditionObserver = (condition: Node, bool: Node, copies: ReadonlyMap<Node, Node>) => void;

/** Returns whether any condition was made. */
export function fuseScalarConditions(graph: Graph, observe?: ConditionObserver): boolean {
  return fuseBlock(graph, graph.block, observe);
}
