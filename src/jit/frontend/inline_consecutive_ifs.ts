/**
 * inlineConsecutiveIfs (the last step of TorchScript's TransformExits, exit_transforms.cpp):
 * after an exit, the rest of a block is guarded by `if hasExited`, and a loop body that might
 * exit ends with `if hasExited: exit values else: block outputs`. When `hasExited` comes out
 * of the if just before as a different constant on each branch, the second if is decided per
 * branch, so its branches are copied into the first if's and it goes.
 *
 * Given:
 *   %x, %e : bool = prim::If(%c)
 *     block0(): -> (%a, %true)
 *     block1(): -> (%b, %false)
 *   %y = prim::If(%e)
 *     block0(): -> (%x)
 *     block1(): %z = f(%x) -> (%z)
 * Execute: inlineConsecutiveIfs(graph)
 * Result:
 *   %x, %e : bool, %y = prim::If(%c)
 *     block0(): -> (%a, %true, %a)
 *     block1(): %z = f(%b) -> (%b, %false, %z)
 */
import { constantValue, type Block, type Graph, type Node, type Value } from "../ir/index.js";

/** A value map where values it does not name stand for themselves (defined outside the copied block). */
class ValueMap extends Map<Value, Value> {
  override get(v: Value): Value {
    return super.get(v) ?? v;
  }
}

function constantBool(v: Value): boolean | null {
  const c = constantValue(v.node);
  return c?.type === "bool" ? c.value : null;
}

function inlineInto(first: Node): boolean {
  const second = first.next;
  if (first.kind !== "prim::If" || second === null || second.kind !== "prim::If") return false;
  const cond = second.input();
  if (cond.node !== first) return false;
  const thenValue = constantBool(first.blocks[0]!.outputs[cond.offset]!);
  const elseValue = constantBool(first.blocks[1]!.outputs[cond.offset]!);
  // equal constants: constant propagation folds the second if, and copying it would double the code
  if (thenValue === null || elseValue === null || thenValue === elseValue) return false;
  first.blocks.forEach((target, i) => {
    const taken = (i === 0 ? thenValue : elseValue) ? second.blocks[0]! : second.blocks[1]!;
    // inside this branch, the first if's outputs are the branch's own returns
    const env = new ValueMap();
    first.outputs.forEach((o, j) => env.set(o, target.outputs[j]!));
    target.cloneFrom(taken, env);
  });
  for (const o of second.outputs) {
    const out = first.addOutput(o.type).copyMetadata(o);
    o.replaceAllUsesWith(out);
  }
  second.destroy();
  return true;
}

function visit(b: Block): void {
  for (let n = b.firstNode; n !== null && n !== b.returnNode; ) {
    for (const inner of n.blocks) visit(inner);
    // after a fusion, the same if may fuse with its new next node
    if (!inlineInto(n)) n = n.next;
  }
}

export function inlineConsecutiveIfs(g: Graph): void {
  visit(g.block);
}
