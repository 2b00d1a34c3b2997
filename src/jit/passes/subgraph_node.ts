/**
 * Replaces a chain of nodes by one node holding them as its Subgraph (prim::FusionGroup,
 * prim::ScalarCondition): the chain's outside inputs become the node's inputs and the
 * subgraph's, its constants are copied in (so the inputs are the data it reads), and the last
 * node's output becomes the node's.
 */
import { Attr, Graph, type Node, type Value } from "../ir/index.js";

/**
 * Makes the node of `kind` in place of `members` (in program order, each read only inside the
 * chain but the last) and destroys them. `copies` receives each subgraph node with the member
 * it copies.
 */
export function replaceBySubgraphNode(graph: Graph, members: readonly Node[], kind: string, copies?: Map<Node, Node>): Node {
  const inside = new Set(members);
  const last = members[members.length - 1]!;
  const sub = new Graph();
  const env = new Map<Value, Value>();
  const inputs: Value[] = [];
  for (const m of members) {
    for (const v of m.inputs) {
      if (env.has(v) || inside.has(v.node)) continue;
      if (v.node.kind === "prim::Constant") {
        env.set(v, sub.insertNode(sub.createClone(v.node, new Map())).output());
        continue;
      }
      inputs.push(v);
      env.set(v, sub.addInput(undefined, v.type).copyMetadata(v));
    }
    const copy = sub.insertNode(sub.createClone(m, env));
    copies?.set(copy, m);
  }
  sub.registerOutput(env.get(last.output())!);
  const node = graph.withInsertPoint(last, () => graph.insertNode(graph.create(kind, inputs, [last.output().type])));
  node.setAttr("Subgraph", Attr.g(sub));
  node.sourceRange = last.sourceRange;
  node.output().copyMetadata(last.output());
  last.output().replaceAllUsesWith(node.output());
  for (const m of [...members].reverse()) m.destroy();
  return node;
}
