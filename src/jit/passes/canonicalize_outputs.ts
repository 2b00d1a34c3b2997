/**
 * CanonicalizeOutputs (TorchScript's canonicalize.cpp, run by runCleanupPasses "for jitter"):
 * the outputs of every prim::If and prim::Loop are reordered by where each is first used, so
 * the order does not depend on how the frontend happened to create them. This is what makes
 * code/ text stable under load: `_5, _6, ..., _11 = ...` assigned in both branches of an if
 * become If outputs in std::set order (`_10` before `_5`), and this pass restores the order in
 * which the code uses them, as PyTorch's importer does.
 *
 * Note [first use order]: uses are ordered by their user nodes in a pre-order walk of the
 * graph (a node, then the nodes of its blocks in order, each block's return last), then by
 * input offset. This is the order PyTorch 1.13's loader produces on every corpus archive: an
 * if's condition comes before the values its then-branch returns, which come before the
 * else-branch's (checked on control_flow_scripted, where the outputs are created in std::set
 * order `_10, _11, _12, _6, ...` and come out in the order the code uses them). Unused
 * outputs go last, in their original order.
 */
import type { Block, Graph, Node, Use, Value } from "../ir/index.js";

class Positions {
  private readonly order = new Map<Node, number>();

  constructor(g: Graph) {
    const walk = (b: Block) => {
      for (const n of b.nodes()) {
        this.order.set(n, this.order.size);
        for (const inner of n.blocks) walk(inner);
      }
      this.order.set(b.returnNode, this.order.size);
    };
    walk(g.block);
  }

  private at(n: Node): number {
    const i = this.order.get(n);
    if (i === undefined) throw new Error(`canonicalizeOutputs: ${n.kind} is not in the graph`);
    return i;
  }

  private compare(a: Use, b: Use): number {
    return a.user === b.user ? a.offset - b.offset : this.at(a.user) - this.at(b.user);
  }

  firstUse(v: Value): Use | null {
    let first: Use | null = null;
    for (const u of v.uses) if (first === null || this.compare(u, first) < 0) first = u;
    return first;
  }

  /** sort_indexes: output positions ordered by first use; unused last, in place. */
  sortIndexes(values: readonly Value[]): number[] {
    const firsts = values.map((v) => this.firstUse(v));
    return values.map((_, i) => i).sort((i1, i2) => {
      const a = firsts[i1]!;
      const b = firsts[i2]!;
      if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
      return this.compare(a, b);
    });
  }
}

/** Replaces output i of `n` by a fresh output in the new order (uses and names move along). */
function permuteNodeOutputs(n: Node, order: readonly number[]): void {
  const old = n.outputs.slice();
  const fresh = order.map((i) => n.addOutput(old[i]!.type));
  order.forEach((i, k) => {
    const from = old[i]!;
    const to = fresh[k]!;
    from.replaceAllUsesWith(to);
    moveName(from, to);
  });
  for (let i = old.length - 1; i >= 0; i--) n.eraseOutput(i);
}

function moveName(from: Value, to: Value): void {
  if (!from.hasDebugName()) return;
  const name = from.debugName;
  from.setDebugName("");
  to.setDebugName(name);
}

/** Block outputs from index `skip` on, permuted. */
function permuteBlockOutputs(b: Block, order: readonly number[], skip: number): void {
  const outs = b.outputs.slice(skip);
  for (let i = b.outputs.length - 1; i >= skip; i--) b.eraseOutput(i);
  for (const i of order) b.registerOutput(outs[i]!);
}

function permuteIf(n: Node, order: readonly number[]): void {
  permuteNodeOutputs(n, order);
  for (const b of n.blocks) permuteBlockOutputs(b, order, 0);
}

/** LoopView::permuteLoopCarried: outputs, carried inputs, body parameters and body outputs. */
function permuteLoop(n: Node, order: readonly number[]): void {
  permuteNodeOutputs(n, order);
  const carried = n.inputs.slice(2);
  for (let i = n.inputs.length - 1; i >= 2; i--) n.removeInput(i);
  for (const i of order) n.addInput(carried[i]!);
  const body = n.blocks[0]!;
  const params = body.inputs.slice(1);
  const fresh = order.map((i) => body.addInput(undefined, params[i]!.type));
  order.forEach((i, k) => {
    params[i]!.replaceAllUsesWith(fresh[k]!);
    moveName(params[i]!, fresh[k]!);
  });
  for (let i = params.length; i >= 1; i--) body.eraseInput(i);
  permuteBlockOutputs(body, order, 1);
}

function isIdentity(order: readonly number[]): boolean {
  return order.every((v, i) => v === i);
}

function canonicalizeBlock(b: Block, pos: Positions): void {
  // in reverse: a node's output order depends on the uses after it
  for (const n of [...b.nodes()].reverse()) {
    if (n.kind === "prim::If" || n.kind === "prim::Loop") {
      const order = pos.sortIndexes(n.outputs);
      if (!isIdentity(order)) (n.kind === "prim::If" ? permuteIf : permuteLoop)(n, order);
    }
    for (const inner of n.blocks) canonicalizeBlock(inner, pos);
  }
}

export function canonicalizeOutputs(g: Graph): void {
  canonicalizeBlock(g.block, new Positions(g));
}
