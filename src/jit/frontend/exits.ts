/**
 * Lowering exits (TorchScript's exit_transforms.cpp, as PyTorch 1.13's output shows it):
 * `return` (prim::ReturnStmt) leaves the graph, `break`/`continue` (prim::LoopContinuation)
 * leave a loop body. Each block reports whether it WILL, MIGHT or WONT exit (or THROWS); an
 * `if` whose then-branch exits takes the rest of its block into its else-branch, and gets
 * outputs [hasExited, exit values..., the block's own outputs...]; a loop body that MIGHT exit
 * ends with an `if hasExited` choosing between exit values and its outputs.
 */
import { insertConstant, unifyTypes, type Block, type Graph, type JitType, type Node, type Value } from "../ir/index.js";

type Status = "WILL" | "MIGHT" | "WONT" | "THROWS";
interface ExitPair {
  readonly status: Status;
  readonly hasExited: Value | null;
  readonly values: readonly Value[];
}

const WONT: ExitPair = { status: "WONT", hasExited: null, values: [] };
const THROWS: ExitPair = { status: "THROWS", hasExited: null, values: [] };

export class UnsupportedExit extends Error {}

class ExitTransformer {
  private readonly uninit = new Map<string, Value>();
  private readonly trueV: Value;
  private readonly falseV: Value;

  constructor(private readonly g: Graph, private readonly kind: string) {
    const first = g.block.firstNode ?? g.block.returnNode;
    [this.trueV, this.falseV] = g.withInsertPoint(first, () => [
      insertConstant(g, { type: "bool", value: true }), insertConstant(g, { type: "bool", value: false }),
    ]);
    this.uninitialized({ kind: "bool" } as JitType);
  }

  private uninitialized(t: JitType): Value {
    const key = JSON.stringify(t);
    let v = this.uninit.get(key);
    if (!v) {
      v = this.g.prependNode(this.g.create("prim::Uninitialized", [], [t])).output();
      this.uninit.set(key, v);
    }
    return v;
  }

  /** Uninitialized stand-ins for `values` (made last to first: the order PyTorch's graphs show). */
  private matching(values: readonly Value[]): Value[] {
    const out = new Array<Value>(values.length);
    for (let i = values.length - 1; i >= 0; i--) out[i] = this.uninitialized(values[i]!.type);
    return out;
  }

  /** The graph's output placeholder (emitOutput's Uninitialized): stays until returns are lowered. */
  private isPlaceholder(m: Node): boolean {
    return m.outputs.some((o) => o.uses.some((u) => u.user === this.g.returnNode));
  }

  /** Adds if outputs (at the end, or from index `at`: exit outputs go before the variables SSA gave the if). */
  private addOutputs(n: Node, thenVals: readonly Value[], elseVals: readonly Value[], at?: number): Value[] {
    return thenVals.map((t, i) => {
      const type = unifyTypes(t.type, elseVals[i]!.type) ?? t.type;
      if (at === undefined) {
        n.blocks[0]!.registerOutput(t);
        n.blocks[1]!.registerOutput(elseVals[i]!);
        return n.addOutput(type);
      }
      n.blocks[0]!.insertOutput(at + i, t);
      n.blocks[1]!.insertOutput(at + i, elseVals[i]!);
      return n.insertOutput(at + i, type);
    });
  }

  private transformIf(n: Node, parent: Block): ExitPair {
    const [thenB, elseB] = [n.blocks[0]!, n.blocks[1]!];
    const thenPair = this.transform(thenB, false);
    let carried: Value[] = [];
    // a branch that raises leaves the code after the if where it is (PyTorch's `if c: raise` then `return None`)
    if (thenPair.status === "WILL") {
      // the rest of the block runs only when the then-branch did not exit: move it into else
      for (let m = n.next; m !== null && m !== parent.returnNode; ) {
        const next = m.next;
        if (!this.isPlaceholder(m)) m.moveBefore(elseB.returnNode);
        m = next;
      }
      // the moved code read the if's outputs (variables the else-branch set, refinements included):
      // inside the else-branch those are the branch's own values
      rebindInside(n, elseB);
      if (parent !== this.g.block) {
        carried = parent.outputs.slice();
        for (const v of carried) elseB.registerOutput(v);
        while (parent.outputs.length) parent.eraseOutput(0);
      }
    }
    const nCarried = carried.length;
    // a nested if in else that exits carries these outputs on in turn
    const elsePair = this.transform(elseB, false);
    const elseCarried = elseB.outputs.slice(elseB.outputs.length - nCarried);
    for (let i = 0; i < nCarried; i++) elseB.eraseOutput(elseB.outputs.length - 1);
    const ts = thenPair.status;
    const es = elsePair.status;
    let status: Status;
    if (ts === "THROWS" && es === "THROWS") status = "THROWS";
    else if ((ts === "WILL" || ts === "THROWS") && (es === "WILL" || es === "THROWS")) status = "WILL";
    else if (ts === "WONT" && es === "WONT") status = "WONT";
    else if (ts === "THROWS") status = es;
    else if (es === "THROWS") status = ts;
    else status = "MIGHT";
    const exiting = (p: ExitPair) => p.status === "WILL" || p.status === "MIGHT";
    const thenVals = exiting(thenPair) ? thenPair.values : this.matching(elsePair.values);
    const elseVals = exiting(elsePair) ? elsePair.values : this.matching(thenPair.values);
    let hasExited: Value | null = null;
    let values: Value[] = [];
    let at = 0;
    if (status === "MIGHT") {
      hasExited = this.addOutputs(n, [thenPair.hasExited ?? this.falseV], [elsePair.hasExited ?? this.falseV], at++)[0]!;
    }
    if (status === "MIGHT" || status === "WILL") values = this.addOutputs(n, thenVals, elseVals, at);
    if (nCarried && status !== "WILL" && status !== "THROWS") {
      const outs = this.addOutputs(n, this.matching(elseCarried), elseCarried);
      for (const o of outs) parent.registerOutput(o);
    }
    if (status === "WILL") return { status, hasExited: this.trueV, values };
    if (status === "MIGHT") return { status, hasExited, values };
    return status === "THROWS" ? THROWS : WONT;
  }

  /** Transforms `block`; `target`: the block the exits leave (the graph, or a loop body). */
  transform(block: Block, target: boolean): ExitPair {
    let pair = WONT;
    for (let n = block.firstNode; n !== null && n !== block.returnNode; ) {
      const node: Node = n;
      n = node.next;
      if (node.kind === "prim::RaiseException") pair = THROWS;
      else if (node.kind === this.kind) {
        pair = { status: "WILL", hasExited: this.trueV, values: node.inputs.slice() };
        node.destroy();
      } else if (node.kind === "prim::If") {
        pair = this.transformIf(node, block);
        n = node.next;
      } else if (node.kind === "prim::Loop" && this.kind === "prim::ReturnStmt") {
        pair = this.transformLoop(node);
      }
      if (pair.status === "WILL" || pair.status === "THROWS") {
        // everything after an exit is unreachable (destroyed last first, so uses go before definitions)
        const dead: Node[] = [];
        // (placeholders for variables the exiting branch leaves unset stay: they feed the block's outputs)
        for (let m = n; m !== null && m !== block.returnNode; m = m.next) if (!this.isPlaceholder(m) && m.kind !== "prim::Uninitialized") dead.push(m);
        for (const m of dead.reverse()) m.destroy();
        break;
      }
      if (pair.status === "MIGHT") {
        if (n !== null && n !== block.returnNode && this.hasRealNodes(n, block)) pair = this.guardBlockNodes(block, pair, n);
        break;
      }
    }
    if (target) this.finishTarget(block, pair);
    return pair;
  }

  /**
   * A `return` inside a loop (PyTorch's transformLoop): the body's exit becomes loop-carried
   * values (hasExited, then the return values), and the loop goes on only while it has not
   * exited: its condition becomes `if hasExited: False else: <condition>`.
   */
  private transformLoop(loop: Node): ExitPair {
    if (!containsKind(loop.blocks[0]!, "prim::ReturnStmt")) return WONT;
    const body = loop.blocks[0]!;
    const pair = this.transform(body, false);
    if (pair.status === "WONT" || pair.status === "THROWS") return WONT;
    const cond = this.g.create("prim::If", [pair.hasExited!], 0);
    body.appendNode(cond);
    cond.addBlock().registerOutput(this.falseV);
    cond.addBlock().registerOutput(body.outputs[0]!);
    body.replaceOutput(0, cond.addOutput({ kind: "bool" } as JitType));
    const carry = (init: Value, inner: Value): Value => {
      loop.addInput(init);
      body.addInput(undefined, inner.type);
      body.registerOutput(inner);
      return loop.addOutput(inner.type);
    };
    const hasExited = carry(this.falseV, pair.hasExited!);
    const values = pair.values.map((v) => carry(this.uninitialized(v.type), v));
    return { status: "MIGHT", hasExited, values };
  }

  private hasRealNodes(from: Node, block: Block): boolean {
    for (let m: Node | null = from; m !== null && m !== block.returnNode; m = m.next) if (!this.isPlaceholder(m)) return true;
    return false;
  }

  /**
   * After a node that MIGHT exit, the rest of the block runs only if it did not (PyTorch's
   * guardBlockNodes): `if hasExited: <exit again with the same values> else: <rest>`, and that
   * if is transformed like any other (its then-branch WILL exit).
   */
  private guardBlockNodes(block: Block, pair: ExitPair, from: Node): ExitPair {
    const guard = this.g.create("prim::If", [pair.hasExited!], 0);
    guard.insertBefore(from);
    const exitB = guard.addBlock();
    const restB = guard.addBlock();
    for (let m: Node | null = from; m !== null && m !== block.returnNode; ) {
      const next: Node | null = m.next;
      if (!this.isPlaceholder(m)) m.moveBefore(restB.returnNode);
      m = next;
    }
    exitB.appendNode(this.g.create(this.kind, pair.values.slice(), 0));
    return this.transformIf(guard, block);
  }

  private finishTarget(block: Block, pair: ExitPair): void {
    if (pair.status === "WILL") {
      while (block.outputs.length) block.eraseOutput(0);
      for (const v of pair.values) block.registerOutput(v);
    } else if (pair.status === "MIGHT") {
      const outs = block.outputs.slice();
      const sel = this.g.create("prim::If", [pair.hasExited!], 0);
      block.appendNode(sel);
      sel.addBlock();
      sel.addBlock();
      const chosen = this.addOutputs(sel, pair.values, outs);
      while (block.outputs.length) block.eraseOutput(0);
      for (const v of chosen) block.registerOutput(v);
    }
  }
}

/** Uses of `n`'s outputs by nodes inside `b` (nested too) read `b`'s matching output instead. */
function rebindInside(n: Node, b: Block): void {
  n.outputs.forEach((o, i) => {
    const inner = b.outputs[i];
    if (!inner) return;
    for (const u of o.uses.slice()) if (u.user !== b.returnNode && within(u.user, b)) u.user.replaceInput(u.offset, inner);
  });
}

function within(node: Node, b: Block): boolean {
  for (let blk: Block | null = node.owningBlock; blk !== null; blk = blk.owningNode?.owningBlock ?? null) if (blk === b) return true;
  return false;
}

function containsKind(b: Block, kind: string): boolean {
  for (const n of b.nodes()) if (n.kind === kind || n.blocks.some((x) => containsKind(x, kind))) return true;
  return false;
}

function loopBodies(b: Block, out: Block[]): Block[] {
  for (const n of b.nodes()) {
    for (const inner of n.blocks) loopBodies(inner, out);
    if (n.kind === "prim::Loop") out.push(n.blocks[0]!);
  }
  return out;
}

/** Lowers loop continuations (innermost loops first), then returns. */
export function transformExits(g: Graph): void {
  const loops = new ExitTransformer(g, "prim::LoopContinuation");
  for (const body of loopBodies(g.block, [])) loops.transform(body, true);
  new ExitTransformer(g, "prim::ReturnStmt").transform(g.block, true);
}
