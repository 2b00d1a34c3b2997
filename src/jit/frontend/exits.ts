/**
 * Lowering exits (TorchScript's TransformExits, exit_transforms.cpp in PyTorch 1.13):
 * `return` (prim::ReturnStmt) leaves the graph, `break`/`continue` (prim::LoopContinuation)
 * leave a loop body. Each block reports whether it WILL, MIGHT or WONT exit (or THROWS), and a
 * `hasExited` value with the exit values. An `if` that might exit gets outputs [hasExited,
 * exit values...]; the rest of a block after a node that might exit runs under
 * `if hasExited: <exit again> else: <rest>` (guardBlockNodes), whose outputs become the block's;
 * the block the exits target (loop body, graph) ends with `if hasExited: exit values else:
 * its outputs`. Last, inlineConsecutiveIfs folds each such `if hasExited` into the if that
 * decided it, which is where the code after `if c: break` ends up in the else-branch.
 */
import { insertConstant, unifyTypes, type Block, type Graph, type JitType, type Node, type Value } from "../ir/index.js";
import { inlineConsecutiveIfs } from "./inline_consecutive_ifs.js";

type Status = "WILL" | "MIGHT" | "WONT" | "THROWS";
interface ExitPair {
  /** trueV: WILL, falseV: WONT, throwsV: THROWS, anything else: MIGHT (as PyTorch's ExitPair). */
  readonly hasExited: Value;
  readonly values: readonly Value[];
}

export class UnsupportedExit extends Error {}

const BOOL = { kind: "bool" } as JitType;

class ExitTransformer {
  private readonly unit = new Map<string, Value>();
  private readonly unitByObject = new Map<JitType, Value>();
  private readonly trueV: Value;
  private readonly falseV: Value;
  private readonly throwsV: Value;
  /** The block the exits being lowered leave (a loop body for continuations, the graph for returns). */
  private target: Block | null = null;

  constructor(private readonly g: Graph, private readonly kind: "prim::LoopContinuation" | "prim::ReturnStmt") {
    const first = g.block.firstNode ?? g.block.returnNode;
    [this.trueV, this.falseV] = g.withInsertPoint(first, () => [
      insertConstant(g, { type: "bool", value: true }), insertConstant(g, { type: "bool", value: false }),
    ]);
    this.throwsV = this.unitValue(BOOL);
  }

  /** One prim::Uninitialized per type, hoisted to the graph start (PyTorch's getUnitValue). */
  private unitValue(t: JitType): Value {
    // types are frozen and mostly shared objects: the identity lookup saves serializing the type
    const known = this.unitByObject.get(t);
    if (known) return known;
    const key = JSON.stringify(t);
    let v = this.unit.get(key);
    if (!v) {
      v = this.g.prependNode(this.g.create("prim::Uninitialized", [], [t])).output();
      this.unit.set(key, v);
    }
    this.unitByObject.set(t, v);
    return v;
  }

  /** Placeholders for `values`, made last to first: the order PyTorch's graphs show (control_flow_scripted). */
  private matching(values: readonly Value[]): Value[] {
    const out = new Array<Value>(values.length);
    for (let i = values.length - 1; i >= 0; i--) out[i] = this.unitValue(values[i]!.type);
    return out;
  }

  private status(p: ExitPair): Status {
    if (p.hasExited === this.trueV) return "WILL";
    if (p.hasExited === this.falseV) return "WONT";
    if (p.hasExited === this.throwsV) return "THROWS";
    return "MIGHT";
  }

  private wont(): ExitPair {
    return { hasExited: this.falseV, values: [] };
  }

  private addIfOutputs(n: Node, thenVals: readonly Value[], elseVals: readonly Value[]): Value[] {
    return thenVals.map((t, i) => {
      const e = elseVals[i]!;
      n.blocks[0]!.registerOutput(t);
      n.blocks[1]!.registerOutput(e);
      return n.addOutput(unifyTypes(t.type, e.type) ?? t.type);
    });
  }

  transform(block: Block): ExitPair {
    const outerTarget = this.target;
    const owner = block.owningNode;
    if ((owner?.kind === "prim::Loop" && this.kind === "prim::LoopContinuation") || (owner === null && this.kind === "prim::ReturnStmt")) {
      this.target = block;
    }
    let pair = this.wont();
    for (let n = block.firstNode; n !== null && n !== block.returnNode; ) {
      const node: Node = n;
      n = node.next;
      if (node.kind === "prim::RaiseException") pair = { hasExited: this.throwsV, values: [] };
      else if (node.kind === this.kind) {
        pair = { hasExited: this.trueV, values: node.inputs.slice() };
        node.destroy();
      } else if (node.kind === "prim::If") pair = this.transformIf(node);
      else if (node.kind === "prim::Loop") pair = this.transformLoop(node);
      const status = this.status(pair);
      if (status === "WILL" || status === "THROWS") {
        this.deleteAfterExit(block, n);
        break;
      }
      if (status === "MIGHT") {
        if (n !== null && n !== block.returnNode) pair = this.guardBlockNodes(block, pair, n);
        break;
      }
    }
    if (this.target === block) {
      this.finishTarget(block, pair);
      // an exit only reaches its target block
      pair = this.wont();
    }
    this.target = outerTarget;
    return pair;
  }

  private finishTarget(block: Block, pair: ExitPair): void {
    const status = this.status(pair);
    if (status === "MIGHT") {
      const sel = this.g.create("prim::If", [pair.hasExited], 0);
      sel.insertBefore(block.returnNode);
      sel.addBlock();
      sel.addBlock();
      const chosen = this.addIfOutputs(sel, pair.values, block.outputs.slice());
      replaceOutputs(block, chosen);
    } else if (status === "WILL") replaceOutputs(block, pair.values);
  }

  private transformIf(n: Node): ExitPair {
    let thenPair = this.transform(n.blocks[0]!);
    let elsePair = this.transform(n.blocks[1]!);
    const ts = this.status(thenPair);
    const es = this.status(elsePair);
    const status = ifStatus(ts, es);
    if (status === "THROWS") return { hasExited: this.throwsV, values: [] };
    if (status === "WONT") return this.wont();
    // the exit values of a branch that does not exit are never read
    if (ts === "WONT" || ts === "THROWS") thenPair = { hasExited: thenPair.hasExited, values: this.matching(elsePair.values) };
    else if (es === "WONT" || es === "THROWS") elsePair = { hasExited: elsePair.hasExited, values: this.matching(thenPair.values) };
    let hasExited = this.trueV;
    if (status !== "WILL") hasExited = this.addIfOutputs(n, [thenPair.hasExited], [elsePair.hasExited])[0]!;
    const values = this.addIfOutputs(n, thenPair.values, elsePair.values);
    return { hasExited, values };
  }

  /**
   * A loop whose body might exit (a `return` inside it): hasExited and the exit values become
   * loop-carried, and the loop goes on only while it has not exited:
   * its condition becomes `if hasExited: False else: <condition>`.
   */
  private transformLoop(loop: Node): ExitPair {
    const body = loop.blocks[0]!;
    const pair = this.transform(body);
    const status = this.status(pair);
    if (status === "WONT" || status === "THROWS") return this.wont();
    const cond = this.g.create("prim::If", [pair.hasExited], 0);
    body.appendNode(cond);
    cond.addBlock().registerOutput(this.falseV);
    cond.addBlock().registerOutput(body.outputs[0]!);
    body.replaceOutput(0, cond.addOutput(BOOL));
    const carry = (init: Value, inner: Value, type: JitType): Value => {
      loop.addInput(init);
      body.addInput(undefined, type);
      body.registerOutput(inner);
      return loop.addOutput(type);
    };
    // we did not exit if we did not enter the loop
    const hasExited = carry(this.falseV, pair.hasExited, BOOL);
    const values = pair.values.map((v) => carry(this.unitValue(v.type), v, v.type));
    return { hasExited, values };
  }

  /**
   * After a node that MIGHT exit, the rest of the block runs only if it did not:
   * `if hasExited: <exit again with the same values> else: <rest>`; the if returns the block's
   * outputs (placeholders when it exited) and is transformed like any other.
   */
  private guardBlockNodes(block: Block, pair: ExitPair, from: Node): ExitPair {
    const guard = this.g.create("prim::If", [pair.hasExited], 0);
    guard.insertBefore(from);
    const exitB = guard.addBlock();
    const restB = guard.addBlock();
    for (let m: Node | null = from; m !== null && m !== block.returnNode; ) {
      const next: Node | null = m.next;
      m.moveBefore(restB.returnNode);
      m = next;
    }
    const outs = block.outputs.slice();
    const placeholders = this.matching(outs);
    const guarded = this.addIfOutputs(guard, placeholders, outs);
    replaceOutputs(block, guarded);
    exitB.appendNode(this.g.create(this.kind, pair.values.slice(), 0));
    return this.transformIf(guard);
  }

  /**
   * Nodes after an exit never run; their values may still feed the block's outputs, which are
   * never read after the exit, so those uses read placeholders (destroyed last first).
   */
  private deleteAfterExit(block: Block, from: Node | null): void {
    if (from === null || from === block.returnNode) return;
    const dead: Node[] = [];
    for (let m: Node | null = from; m !== null && m !== block.returnNode; m = m.next) dead.push(m);
    for (const m of dead.reverse()) {
      for (const o of m.outputs) if (o.uses.length) o.replaceAllUsesWith(this.unitValue(o.type));
      m.destroy();
    }
  }
}

function ifStatus(ts: Status, es: Status): Status {
  // a branch that throws takes the status of the other
  if (ts === "THROWS") return es;
  if (es === "THROWS") return ts;
  if (ts === "WONT" && es === "WONT") return "WONT";
  if (ts === "WILL" && es === "WILL") return "WILL";
  return "MIGHT";
}

function replaceOutputs(b: Block, outs: readonly Value[]): void {
  while (b.outputs.length) b.eraseOutput(0);
  for (const v of outs) b.registerOutput(v);
}

/** Lowers loop continuations, then returns; then folds `if hasExited` into the if deciding it. */
export function transformExits(g: Graph): void {
  new ExitTransformer(g, "prim::LoopContinuation").transform(g.block);
  new ExitTransformer(g, "prim::ReturnStmt").transform(g.block);
  inlineConsecutiveIfs(g);
}
