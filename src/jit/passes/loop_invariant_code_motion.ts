/**
 * Loop-invariant code motion: nodes of a loop body whose inputs are all defined outside the
 * loop, and that compute the same value on every iteration, move in front of the loop.
 * Only nodes that cannot fail move (constants, and attribute reads of attributes no node
 * writes), so a loop that never runs still raises nothing: moving `x.inverse()` out of a
 * zero-trip loop would raise where the program did not.
 *
 * Given:
 *   %h : Tensor = prim::Loop(%n, %true, %h0)
 *     block0(%i : int, %h.1 : Tensor):
 *       %linear : Linear = prim::GetAttr[name="linear"](%self)
 *       %h.2 : Tensor = prim::CallMethod[name="forward"](%linear, %h.1)
 *       -> (%true, %h.2)
 * Execute: hoistLoopInvariants(graph)
 * Result:
 *   %linear : Linear = prim::GetAttr[name="linear"](%self)
 *   %h : Tensor = prim::Loop(%n, %true, %h0)
 *     block0(%i : int, %h.1 : Tensor):
 *       %h.2 : Tensor = prim::CallMethod[name="forward"](%linear, %h.1)
 *       -> (%true, %h.2)
 *
 * The read of an attribute moves only when nothing in the graph may write attributes
 * (prim::SetAttr, or a call into code the graph does not show).
 */
import type { Block, Graph, Node, Value } from "../ir/index.js";

const CALLS = new Set(["prim::CallMethod", "prim::CallFunction", "prim::PythonOp", "prim::fork"]);

function collect(b: Block, written: Set<string>, state: { calls: boolean }): void {
  for (const n of b.nodes()) {
    if (n.kind === "prim::SetAttr") written.add(n.s("name"));
    if (CALLS.has(n.kind)) state.calls = true;
    for (const inner of n.blocks) collect(inner, written, state);
  }
}

/** Whether `v` is defined outside `loop` (by a node or as an input of an enclosing block). */
export function definedOutside(v: Value, loop: Node): boolean {
  for (let owner: Node | null = v.node; owner !== null; owner = owner.owningBlock?.owningNode ?? null) {
    if (owner === loop) return false;
  }
  return true;
}

function movable(n: Node, written: ReadonlySet<string>, calls: boolean): boolean {
  if (n.kind === "prim::Constant") return n.blocks.length === 0;
  if (n.kind === "prim::GetAttr") return !calls && !written.has(n.s("name"));
  return false;
}

function hoistFrom(b: Block, written: ReadonlySet<string>, calls: boolean): boolean {
  let changed = false;
  for (const n of [...b.nodes()]) {
    for (const inner of n.blocks) changed = hoistFrom(inner, written, calls) || changed;
    if (n.kind !== "prim::Loop") continue;
    // body nodes in order: a hoisted node's users may follow it out
    for (const m of [...n.block(0).nodes()]) {
      if (!movable(m, written, calls) || !m.inputs.every((v) => definedOutside(v, n))) continue;
      m.moveBefore(n);
      changed = true;
    }
  }
  return changed;
}

/** Returns whether any node moved. */
export function hoistLoopInvariants(graph: Graph): boolean {
  const written = new Set<string>();
  const state = { calls: false };
  collect(graph.block, written, state);
  return hoistFrom(graph.block, written, state.calls);
}
