/**
 * The one exit printed code has, lowered without the exit transformer (see the note below).
 */
import type { Block, Graph } from "../ir/index.js";

const EXITS = new Set(["prim::ReturnStmt", "prim::LoopContinuation", "prim::BreakStmt", "prim::ContinueStmt"]);

/**
 * Note [a trailing return needs no exit lowering]: PythonPrint prints graphs TransformExits has
 * already lowered, so code/ functions have one `return`, the last statement of the body, and
 * no break or continue. For such a graph transformExits only makes the returned value the
 * graph's output (its hasExited constants and placeholders are dead: DCE removes them) and
 * inlines consecutive ifs. emit_function.ts does just that for such graphs, so the exit
 * transformer is neither compiled nor run by a fresh process's first torch.jit.load
 * (issue #6: code V8 meets for the first time is what that load spends its time on). Any other exit takes the full pass. Only value numbers differ
 * (the dead placeholders took some); nodes, their order, names and printed code are the same.
 *
 * Given (after emitBody and convertToSSA):
 *   %r = aten::neg(%x)
 *    = prim::ReturnStmt(%r)
 *   %p : Tensor = prim::Uninitialized()
 *   return (%p)
 * Execute: lowerTrailingReturn(graph)  → true
 * Result:
 *   %r = aten::neg(%x)
 *   return (%r)
 */
export function lowerTrailingReturn(g: Graph): boolean {
  const top = g.block;
  const placeholder = top.lastNode;
  const ret = placeholder?.prev ?? null;
  if (placeholder?.kind !== "prim::Uninitialized" || ret?.kind !== "prim::ReturnStmt") return false;
  if (top.outputs.length !== 1 || top.outputs[0] !== placeholder.output() || placeholder.output().uses.length !== 1) return false;
  const otherExit = (b: Block): boolean => {
    for (let n = b.firstNode; n !== null; n = n.next) {
      if (n !== ret && EXITS.has(n.kind)) return true;
      for (const inner of n.blocks) if (otherExit(inner)) return true;
    }
    return false;
  };
  if (otherExit(top)) return false;
  placeholder.output().replaceAllUsesWith(ret.input());
  placeholder.destroy();
  ret.destroy();
  return true;
}
