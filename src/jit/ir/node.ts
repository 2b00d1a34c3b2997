/**
 * A Node is one operation: a kind (`aten::add`, `prim::If`), input values, output values,
 * attributes, nested blocks (control flow), and where it came from. Nodes live in a block's
 * doubly linked list, in execution order; a node that is created but not yet inserted has no
 * block. Mutating methods keep every value's use list exact, so `replaceAllUsesWith` and
 * dead-code checks can trust `uses`.
 */
import type { OpOverload } from "../../tensor/registry.js";
import type { AttributeValue, TensorAttribute } from "./attributes.js";
import { Block } from "./block.js";
import type { Graph } from "./graph.js";
import { nodeHeader } from "./print_graph.js";
import type { SourceRange } from "./source_range.js";
import { Types, type JitType } from "./types.js";
import { Value, type Use } from "./value.js";

export class Node {
  /** @internal Linked-list links, maintained by Node and Block. */
  _prev: Node | null = null;
  /** @internal */
  _next: Node | null = null;
  /** @internal */
  _owningBlock: Block | null = null;
  private readonly _inputs: Value[] = [];
  private readonly _outputs: Value[] = [];
  private readonly _blocks: Block[] = [];
  private readonly _attributes = new Map<string, AttributeValue>();
  private _destroyed = false;
  /** Where the node came from, printed as ` # file:line:col`. */
  sourceRange: SourceRange | null = null;
  /** The module scope of a traced node, printed as `, scope: __module.linear`. */
  scope: string | null = null;
  /** The registry overload this node calls, where it is known (tracer, resolved script calls). */
  op: OpOverload | null = null;

  constructor(
    readonly graph: Graph,
    readonly kind: string,
  ) {}

  get inputs(): readonly Value[] {
    return this._inputs;
  }
  get outputs(): readonly Value[] {
    return this._outputs;
  }
  get blocks(): readonly Block[] {
    return this._blocks;
  }
  get owningBlock(): Block | null {
    return this._owningBlock;
  }
  /** The next node in the block, or null at the end (the return node is not a node of the block). */
  get next(): Node | null {
    const n = this._next;
    return n === null || n === this._owningBlock?.returnNode ? null : n;
  }
  get prev(): Node | null {
    const p = this._prev;
    return p === null || p === this._owningBlock?.returnNode ? null : p;
  }
  get isInserted(): boolean {
    return this._prev !== null;
  }
  get isDestroyed(): boolean {
    return this._destroyed;
  }

  input(i = 0): Value {
    const v = this._inputs[i];
    if (v === undefined) throw new Error(`${this.kind} has no input ${i} (it has ${this._inputs.length})`);
    return v;
  }
  output(i = 0): Value {
    const v = this._outputs[i];
    if (v === undefined) throw new Error(`${this.kind} has no output ${i} (it has ${this._outputs.length})`);
    return v;
  }
  block(i = 0): Block {
    const b = this._blocks[i];
    if (b === undefined) throw new Error(`${this.kind} has no block ${i} (it has ${this._blocks.length})`);
    return b;
  }

  // ---- inputs ----

  addInput(v: Value): Value {
    return this.insertInput(this._inputs.length, v);
  }

  insertInput(i: number, v: Value): Value {
    this.checkGraph(v);
    this._inputs.splice(i, 0, v);
    for (let j = i + 1; j < this._inputs.length; j++) this.renumberUse(this._inputs[j]!, j - 1, j);
    v._uses.push({ user: this, offset: i });
    return v;
  }

  /**
   * Replaces input `i`, returning the old value.
   *
   * Given   %c = aten::mul(%a, %b)
   * Execute c_node.replaceInput(1, a)
   * Result  %c = aten::mul(%a, %a)
   */
  replaceInput(i: number, v: Value): Value {
    this.checkGraph(v);
    const old = this.input(i);
    dropUse(old, this, i);
    this._inputs[i] = v;
    v._uses.push({ user: this, offset: i });
    return old;
  }

  /** Replaces every input that is `from` with `to`. */
  replaceInputWith(from: Value, to: Value): void {
    this._inputs.forEach((v, i) => {
      if (v === from) this.replaceInput(i, to);
    });
  }

  removeInput(i: number): void {
    dropUse(this.input(i), this, i);
    this._inputs.splice(i, 1);
    for (let j = i; j < this._inputs.length; j++) this.renumberUse(this._inputs[j]!, j + 1, j);
  }

  removeAllInputs(): void {
    while (this._inputs.length > 0) this.removeInput(this._inputs.length - 1);
  }

  private renumberUse(v: Value, from: number, to: number): void {
    const k = v._uses.findIndex((u) => u.user === this && u.offset === from);
    if (k >= 0) v._uses[k] = { user: this, offset: to };
  }

  // ---- outputs ----

  addOutput(type?: JitType): Value {
    return this.insertOutput(this._outputs.length, type);
  }

  insertOutput(i: number, type?: JitType): Value {
    const v = new Value(this, i, this.graph.freshUnique(), type ?? Types.tensor);
    this._outputs.splice(i, 0, v);
    for (let j = i + 1; j < this._outputs.length; j++) this._outputs[j]!.offset = j;
    return v;
  }

  /** Removes output `i`, which must be unused. */
  eraseOutput(i: number): void {
    const v = this.output(i);
    if (v.hasUses()) throw new Error(`cannot erase output ${v} of ${this.kind}: it is used by ${describeUse(v._uses[0]!)}`);
    this._outputs.splice(i, 1);
    this.graph.freeValue(v);
    for (let j = i; j < this._outputs.length; j++) this._outputs[j]!.offset = j;
  }

  // ---- blocks ----

  addBlock(): Block {
    const b = new Block(this.graph, this);
    this._blocks.push(b);
    return b;
  }

  eraseBlock(i: number): void {
    const b = this.block(i);
    this._blocks.splice(i, 1);
    b.destroy();
  }

  // ---- attributes ----

  attributeNames(): string[] {
    return [...this._attributes.keys()];
  }
  hasAttribute(name: string): boolean {
    return this._attributes.has(name);
  }
  hasAttributes(): boolean {
    return this._attributes.size > 0;
  }
  attr(name: string): AttributeValue | undefined {
    return this._attributes.get(name);
  }
  /** Sets an attribute; a new name goes last, so printing keeps insertion order as PyTorch does. */
  setAttr(name: string, value: AttributeValue): this {
    this._attributes.set(name, value);
    return this;
  }
  removeAttribute(name: string): void {
    this._attributes.delete(name);
  }

  /** Typed attribute readers: throw naming the node when the attribute is missing or of another kind. */
  i(name: string): bigint {
    return this.typedAttr(name, "i").value;
  }
  f(name: string): number {
    return this.typedAttr(name, "f").value;
  }
  s(name: string): string {
    return this.typedAttr(name, "s").value;
  }
  t(name: string): TensorAttribute {
    return this.typedAttr(name, "t");
  }
  ty(name: string): JitType {
    return this.typedAttr(name, "ty").value;
  }

  private typedAttr<K extends AttributeValue["kind"]>(name: string, kind: K): Extract<AttributeValue, { kind: K }> {
    const a = this._attributes.get(name);
    if (a === undefined) throw new Error(`${this.kind} has no attribute '${name}'`);
    if (a.kind !== kind) throw new Error(`attribute '${name}' of ${this.kind} is of kind ${a.kind}, not ${kind}`);
    return a as Extract<AttributeValue, { kind: K }>;
  }

  // ---- position ----

  /**
   * Inserts this (not yet inserted) node just before `n`.
   *
   * Given   %a = f() ; %b = g(%a)          and a new node %c = h(%a)
   * Execute c_node.insertBefore(b_node)
   * Result  %a = f() ; %c = h(%a) ; %b = g(%a)
   */
  insertBefore(n: Node): this {
    const prev = n._prev;
    if (prev === null || n._owningBlock === null) throw new Error(`cannot insert ${this.kind} before ${n.kind}: ${n.kind} is not in a block`);
    return this.linkBetween(prev, n);
  }

  /**
   * Inserts this (not yet inserted) node just after `n`.
   *
   * Given   %a = f() ; %b = g(%a)          and a new node %c = h(%a)
   * Execute c_node.insertAfter(a_node)
   * Result  %a = f() ; %c = h(%a) ; %b = g(%a)
   */
  insertAfter(n: Node): this {
    const next = n._next;
    if (next === null || n._owningBlock === null) throw new Error(`cannot insert ${this.kind} after ${n.kind}: ${n.kind} is not in a block`);
    return this.linkBetween(n, next);
  }

  private linkBetween(prev: Node, next: Node): this {
    if (this.isInserted) throw new Error(`${this.kind} is already in a block; use moveBefore/moveAfter`);
    if (this._destroyed) throw new Error(`${this.kind} was destroyed`);
    if (prev.graph !== this.graph) throw new Error(`cannot insert ${this.kind} into another graph`);
    this._owningBlock = next._owningBlock;
    this._prev = prev;
    this._next = next;
    prev._next = this;
    next._prev = this;
    return this;
  }

  /**
   * Moves this node to just before `n` (in any block of the same graph).
   *
   * Given   %a = f() ; %b = g() ; %c = h(%a)
   * Execute b_node.moveBefore(a_node)
   * Result  %b = g() ; %a = f() ; %c = h(%a)
   */
  moveBefore(n: Node): this {
    this.removeFromList();
    return this.insertBefore(n);
  }

  /** Moves this node to just after `n`. */
  moveAfter(n: Node): this {
    this.removeFromList();
    return this.insertAfter(n);
  }

  /** Unlinks this node from its block, leaving its inputs, outputs and uses as they are. */
  removeFromList(): void {
    if (!this.isInserted) return;
    this._prev!._next = this._next;
    this._next!._prev = this._prev;
    this._prev = null;
    this._next = null;
    this._owningBlock = null;
  }

  /**
   * Removes this node from the graph: its outputs must be unused. Its input uses are dropped
   * and its blocks destroyed.
   *
   * Given   %a = f() ; %b = g(%a) ; return (%a)
   * Execute b_node.destroy()
   * Result  %a = f() ; return (%a)
   */
  destroy(): void {
    if (this._destroyed) return;
    for (const o of this._outputs) {
      if (o.hasUses()) throw new Error(`cannot destroy ${this.kind}: its output ${o} is still used by ${describeUse(o._uses[0]!)}`);
    }
    while (this._outputs.length > 0) this.eraseOutput(this._outputs.length - 1);
    while (this._blocks.length > 0) this.eraseBlock(this._blocks.length - 1);
    this.removeAllInputs();
    this.removeFromList();
    this._destroyed = true;
  }

  /**
   * Makes every use of this node's outputs use `other`'s outputs instead (same output count).
   *
   * Given   %b = aten::neg(%a) ; %c = aten::neg(%a) ; %d = f(%b, %c)
   * Execute c_node.replaceAllUsesWith(b_node)
   * Result  %b = aten::neg(%a) ; %c = aten::neg(%a) ; %d = f(%b, %b)
   */
  replaceAllUsesWith(other: Node): void {
    if (other._outputs.length !== this._outputs.length) {
      throw new Error(`cannot replace ${this.kind} (${this._outputs.length} outputs) with ${other.kind} (${other._outputs.length} outputs)`);
    }
    this._outputs.forEach((o, i) => o.replaceAllUsesWith(other._outputs[i]!));
  }

  /** Whether this node runs before `n`. A node containing `n` in its blocks counts as before it. */
  isBefore(n: Node): boolean {
    return this !== n && comparePositions(this, n) < 0;
  }

  isAfter(n: Node): boolean {
    return this !== n && comparePositions(this, n) > 0;
  }

  /** The node whose block contains this node's block, or null at the top level. */
  get owningNode(): Node | null {
    return this._owningBlock?.owningNode ?? null;
  }

  /** The node's line of graph text (without its blocks). */
  toString(): string {
    return nodeHeader(this);
  }

  /** How console.log and the REPL show a node: its line of graph text. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return nodeHeader(this);
  }

  private checkGraph(v: Value): void {
    if (v.graph !== this.graph) throw new Error(`${v} belongs to another graph than ${this.kind}`);
  }
}

function dropUse(v: Value, user: Node, offset: number): void {
  const k = v._uses.findIndex((u) => u.user === user && u.offset === offset);
  if (k >= 0) v._uses.splice(k, 1);
}

function describeUse(u: Use): string {
  return `input ${u.offset} of ${u.user.kind}`;
}

/** The chain [n, node owning n's block, ...] up to the top level. */
function ancestry(n: Node): Node[] {
  const chain: Node[] = [];
  for (let m: Node | null = n; m !== null; m = m.owningNode) chain.push(m);
  return chain;
}

/**
 * Negative when a runs before b, positive after. Note [node order]: nodes are compared where
 * their ancestries meet in one block; a node that contains the other in its blocks runs first;
 * nodes in different blocks of the same node (the two branches of an If) are unordered (0).
 */
function comparePositions(a: Node, b: Node): number {
  const ca = ancestry(a);
  const cb = ancestry(b);
  for (const x of ca) {
    const y = cb.find((m) => m._owningBlock === x._owningBlock);
    if (y === undefined) continue;
    if (x === y) return x === a ? -1 : x === b ? 1 : 0;
    for (let m = x._next; m !== null && m !== x._owningBlock?.returnNode; m = m._next) if (m === y) return -1;
    return 1;
  }
  throw new Error(`${a.kind} and ${b.kind} are not in the same graph`);
}
