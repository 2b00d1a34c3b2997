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

  private addOutputs(n: Node, thenVals: readonly Value[], elseVals: readonly Value[]): Value[] {
    return thenVals.map((t, i) => {
      n.blocks[0]!.registerOutput(t);
      n.blocks[1]!.registerOutput(elseVals[i]!);
      return n.addOutput(unifyTypes(t.type, elseVals[i]!.type) ?? t.type);
    });
  }

  private transformIf(n: Node, parent: Block): ExitPair {
    const [thenB, elseB] = [n.blocks[0]!, n.blocks[1]!];
    const thenPair = this.transform(thenB, false);
    let carried: Value[] = [];
    if (thenPair.status === "WILL" || thenPair.status === "THROWS") {
      // the rest of the block runs only when the then-branch did not exit: move it into else
      for (let m = n.next; m !== null && m !== parent.returnNode; ) {
        const next = m.next;
        if (!this.isPlaceholder(m)) m.moveBefore(elseB.returnNode);
        m = next;
      }
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
    if (status === "MIGHT") {
      hasExited = this.addOutputs(n, [thenPair.hasExited ?? this.falseV], [elsePair.hasExited ?? this.falseV])[0]!;
    }
    if (status === "MIGHT" || status === "WILL") values = this.addOutputs(n, thenVals, elseVals);
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
        if (containsKind(node.blocks[0]!, "prim::ReturnStmt")) throw new UnsupportedExit("return inside a loop is not supported yet");
      }
      if (pair.status === "WILL" || pair.status === "THROWS") {
        // everything after an exit is unreachable (destroyed last first, so uses go before definitions)
        const dead: Node[] = [];
        for (let m = n; m !== null && m !== block.returnNode; m = m.next) if (!this.isPlaceholder(m)) dead.push(m);
        for (const m of dead.reverse()) m.destroy();
        break;
      }
      if (pair.status === "MIGHT") {
        if (n !== null && n !== block.returnNode) throw new UnsupportedExit("an exit inside this construct is not supported yet (move the code after it into an else branch)");
        break;
      }
    }
    if (target) this.finishTarget(block, pair);
    return pair;
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
