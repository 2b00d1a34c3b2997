/**
 * A Block is a list of nodes with parameters and returns: the body of a graph, or one branch
 * of a prim::If, or the body of a prim::Loop. As in TorchScript, parameters are the outputs of
 * a hidden prim::Param node and returns are the inputs of a hidden prim::Return node, so block
 * parameters are ordinary values (with a defining node) and block returns are ordinary uses
 * (replaceAllUsesWith updates them too). The return node also heads the circular node list.
 */
import type { Graph } from "./graph.js";
import { Node } from "./node.js";
import type { JitType } from "./types.js";
import type { Value } from "./value.js";

export class Block {
  readonly paramNode: Node;
  readonly returnNode: Node;

  constructor(
    readonly graph: Graph,
    /** The prim::If / prim::Loop owning this block; null for a graph's top-level block. */
    readonly owningNode: Node | null,
  ) {
    this.paramNode = new Node(graph, "prim::Param");
    this.returnNode = new Node(graph, "prim::Return");
    this.paramNode._owningBlock = this;
    const r = this.returnNode;
    r._owningBlock = this;
    r._prev = r;
    r._next = r;
  }

  get inputs(): readonly Value[] {
    return this.paramNode.outputs;
  }

  get outputs(): readonly Value[] {
    return this.returnNode.inputs;
  }

  /** The nodes in order. Safe to destroy or move the node just yielded. */
  *nodes(): IterableIterator<Node> {
    const end = this.returnNode;
    for (let n = end._next!; n !== end; ) {
      const next = n._next!;
      yield n;
      n = next;
    }
  }

  get firstNode(): Node | null {
    const n = this.returnNode._next;
    return n === this.returnNode ? null : n;
  }

  get lastNode(): Node | null {
    const n = this.returnNode._prev;
    return n === this.returnNode ? null : n;
  }

  get isEmpty(): boolean {
    return this.firstNode === null;
  }

  /** Adds a parameter; `name` may be omitted (the value prints as its number). */
  addInput(name?: string, type?: JitType): Value {
    return this.insertInput(this.inputs.length, name, type);
  }

  insertInput(i: number, name?: string, type?: JitType): Value {
    const v = this.paramNode.insertOutput(i, type);
    if (name !== undefined && name !== "") v.setDebugName(name);
    return v;
  }

  /** Removes parameter `i`, which must be unused. */
  eraseInput(i: number): void {
    this.paramNode.eraseOutput(i);
  }

  /** Appends `v` to the block's returns; returns its index. */
  registerOutput(v: Value): number {
    this.returnNode.addInput(v);
    return this.outputs.length - 1;
  }

  insertOutput(i: number, v: Value): void {
    this.returnNode.insertInput(i, v);
  }

  eraseOutput(i: number): void {
    this.returnNode.removeInput(i);
  }

  /** Replaces return `i` with `v`. */
  replaceOutput(i: number, v: Value): void {
    this.returnNode.replaceInput(i, v);
  }

  /** Appends a (not yet inserted) node at the end of the block. */
  appendNode(n: Node): Node {
    return n.insertBefore(this.returnNode);
  }

  /** Inserts a (not yet inserted) node at the start of the block. */
  prependNode(n: Node): Node {
    return n.insertAfter(this.returnNode);
  }

  /**
   * Fills this (empty) block with a copy of `src`, which may belong to another graph.
   * `env` maps values of `src`'s graph to values here; values defined outside `src` that it
   * uses must already be in `env`. Copied values get fresh numbers and keep their names.
   */
  cloneFrom(src: Block, env: Map<Value, Value>): void {
    for (const p of src.inputs) env.set(p, this.addInput().copyMetadata(p));
    for (const n of src.nodes()) this.appendNode(this.graph.createClone(n, env));
    for (const o of src.outputs) this.registerOutput(lookup(env, o));
  }

  /** Destroys all nodes (last first, so uses inside the block go before their definitions). */
  destroy(): void {
    while (this.outputs.length > 0) this.eraseOutput(this.outputs.length - 1);
    for (let n = this.lastNode; n !== null; n = this.lastNode) n.destroy();
    while (this.inputs.length > 0) this.eraseInput(this.inputs.length - 1);
  }
}

export function lookup(env: Map<Value, Value>, v: Value): Value {
  const m = env.get(v);
  if (m === undefined) throw new Error(`value ${v} is used before it is defined in the copied block`);
  return m;
}
