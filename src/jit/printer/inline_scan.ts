/**
 * Which nodes print inline, as an expression inside their single use, rather than as a
 * statement assigning a variable (python_print.cpp scanValue / scanNode / scanBlock).
 *
 * Note [inlining order]: a node may be inlined when it is a constant, or when its one output
 * is unnamed, used exactly once, and inlining keeps evaluation order. The parser that reads
 * the code back emits an expression tree left to right, children first; read backwards, that
 * is a right-to-left preorder walk. So the scan walks each node's inputs right to left while
 * stepping backwards through the nodes before it (skipping constants, which are hoisted): an
 * input is inlined only while it is produced by exactly the node the walk expects next. In
 *
 *   %a = f(%x) ; %b = g(%y) ; %c = h(%a, %b)
 *
 * `%b` is the node before `h` and is inlined, then `%a` is the node before `g` and is inlined:
 * `h(f(x), g(y))`. Had `g` come first, `%a` would be met out of order and get a variable.
 */
import type { Block, Node, Value } from "../ir/index.js";

/** Users that may evaluate an input more than once (their subgraph runs later). */
const DEFERRED_USERS = new Set(["prim::fork", "prim::rpc_async", "prim::rpc_sync", "prim::rpc_remote"]);

/** python_print.cpp canInline: may `v` be written inside its one use? */
function canInline(v: Value): boolean {
  const n = v.node;
  if (n.outputs.length !== 1 || v.uses.length !== 1) return false;
  const use = v.uses[0]!;
  // A named value keeps its name, unless it is only returned: a name buys nothing there.
  if (v.hasDebugName() && use.user.kind !== "prim::Return") return false;
  if (n.blocks.length !== 0) return false;
  // Loop-carried inputs need a variable, or the condition might be evaluated out of order.
  if (use.user.kind === "prim::Loop" && use.offset >= 2) return false;
  if (DEFERRED_USERS.has(use.user.kind)) return false;
  // isinstance in an if condition would refine types again; refinement was already lowered.
  return n.kind !== "prim::isinstance";
}

/** The set of inlined nodes of a graph body, built by `scan`. */
export class InlineScan {
  readonly inlined = new Set<Node>();

  /** Scans `b` and its nested blocks (Note [inlining order]). */
  scanBlock(b: Block): void {
    this.scanNode(b.returnNode);
    const nodes = [...b.nodes()];
    for (let i = nodes.length - 1; i >= 0; i--) this.scanNode(nodes[i]!);
  }

  private scanNode(n: Node): Node | null {
    if (this.inlined.has(n)) return n;
    for (const b of n.blocks) this.scanBlock(b);
    let point = previousNonConstant(n);
    for (let i = n.inputs.length - 1; i >= 0; i--) point = this.scanValue(point, n.inputs[i]!);
    return point;
  }

  private scanValue(point: Node | null, v: Value): Node | null {
    const n = v.node;
    if (n === point && canInline(v)) {
      point = this.scanNode(point);
      this.inlined.add(n);
    } else if (n.kind === "prim::Constant") {
      // Constants can always be inlined: the importer de-duplicates and hoists them.
      this.inlined.add(n);
    }
    return point;
  }
}

/** The closest earlier node of the same block that is not a constant; null at the block start. */
function previousNonConstant(n: Node): Node | null {
  let p = n.prev;
  while (p !== null && p.kind === "prim::Constant") p = p.prev;
  return p;
}
