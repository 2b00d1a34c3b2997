/**
 * Common subexpression elimination, as PyTorch's EliminateCommonSubexpression: a pure node
 * equal to one before it (same kind, same inputs, same attributes) that it can see (Note
 * [block scoping] in ir/verify.ts) is dropped and its uses read the earlier node's outputs.
 * What counts as pure is node_effects.ts's call (Note [no alias analysis]).
 *
 * Given:
 *   %a : Tensor = aten::sum(%x, %none)
 *   %b : Tensor = aten::sum(%x, %none)
 *   %c : Tensor = aten::add(%a, %b, %one)
 * Execute: eliminateCommonSubexpressions(graph)
 * Result:
 *   %a : Tensor = aten::sum(%x, %none)
 *   %c : Tensor = aten::add(%a, %a, %one)
 */
import { printType, type Block, type Graph, type Node, type Value } from "../ir/index.js";
import { graphWrites, isPure } from "./node_effects.js";

function attributeKey(n: Node): string | null {
  const parts: string[] = [];
  for (const name of n.attributeNames().sort()) {
    const a = n.attr(name)!;
    // tensors and subgraphs compare by identity: leave such nodes alone
    if (a.kind === "t" || a.kind === "g") return null;
    const text = a.kind === "ty" ? printType(a.value) : a.kind === "tys" ? a.value.map(printType).join(",") : a.kind === "ss" ? JSON.stringify(a.value) : String(a.value);
    parts.push(`${name}:${a.kind}=${text}`);
  }
  return parts.join(",");
}

function nodeKey(n: Node, ids: Map<Value, number>): string | null {
  const attrs = attributeKey(n);
  if (attrs === null) return null;
  const inputs = n.inputs.map((v) => {
    let id = ids.get(v);
    if (id === undefined) ids.set(v, (id = ids.size));
    return id;
  });
  const overload = n.op === null ? "" : `.${n.op.schema.overload}`;
  return `${n.kind}${overload}(${inputs.join(",")})[${attrs}]:${n.outputs.length}`;
}

function visit(block: Block, seen: Map<string, Node>, ids: Map<Value, number>, writes: boolean): boolean {
  let changed = false;
  for (const n of [...block.nodes()]) {
    // each nested block sees what came before it, and nothing it defines escapes
    for (const b of n.blocks) changed = visit(b, new Map(seen), ids, writes) || changed;
    if (n.kind === "prim::Constant" || !isPure(n, writes)) continue;
    const key = nodeKey(n, ids);
    if (key === null) continue;
    const earlier = seen.get(key);
    if (earlier === undefined) {
      seen.set(key, n);
      continue;
    }
    n.outputs.forEach((o, i) => o.replaceAllUsesWith(earlier.outputs[i]!));
    n.destroy();
    changed = true;
  }
  return changed;
}

/** Returns whether any node was removed. */
export function eliminateCommonSubexpressions(graph: Graph): boolean {
  return visit(graph.block, new Map(), new Map(), graphWrites(graph));
}
