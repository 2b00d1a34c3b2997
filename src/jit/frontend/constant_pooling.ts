/**
 * ConstantPooling (TorchScript's constant_pooling.cpp): equal constants become one, and every
 * constant moves to the start of the graph, keeping their order. The printer inlines constants
 * anyway, but where they sit decides whether neighbouring calls can inline into each other
 * (a constant between `f(...)` and its use would otherwise print `_0 = f(...)`).
 */
import { attributeEquals, typeEquals, type Block, type Graph, type Node } from "../ir/index.js";

function sameConstant(a: Node, b: Node): boolean {
  if (!typeEquals(a.output().type, b.output().type)) return false;
  const an = a.attributeNames();
  const bn = b.attributeNames();
  if (an.length !== bn.length) return false;
  return an.every((k) => bn.includes(k) && attributeEquals(a.attr(k)!, b.attr(k)!));
}

export function constantPooling(g: Graph): void {
  const kept: Node[] = [];
  let anchor: Node | null = null;
  const visit = (b: Block) => {
    for (const n of b.nodes()) {
      if (n.kind === "prim::Constant" && n.output().type.kind !== "Tensor") {
        const same = kept.find((k) => sameConstant(k, n));
        if (same) {
          n.output().replaceAllUsesWith(same.output());
          n.destroy();
          continue;
        }
        if (anchor) {
          if (anchor.next !== n) n.moveAfter(anchor);
        } else if (g.block.firstNode !== n) n.moveBefore(g.block.firstNode!);
        anchor = n;
        kept.push(n);
        continue;
      }
      for (const inner of n.blocks) visit(inner);
    }
  };
  visit(g.block);
}
