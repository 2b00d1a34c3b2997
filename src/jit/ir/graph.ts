/**
 * A Graph is a TorchScript function body: a top-level block whose parameters are the
 * function's arguments (`%self`, `%x`) and whose returns are its results, plus the bookkeeping
 * that spans blocks: the value numbering, the unique-name table and the insertion point.
 *
 * @example
 * const g = new Graph();
 * const x = g.addInput("x");
 * const one = insertConstant(g, { type: "int", value: 1 });
 * const add = g.insert("aten::add", [x, x, one]);
 * g.registerOutput(add.output());
 * String(g);
 * // graph(%x : Tensor):
 * //   %1 : int = prim::Constant[value=1]()
 * //   %2 : Tensor = aten::add(%x, %x, %1)
 * //   return (%2)
 */
import { Block, lookup } from "./block.js";
import { Node } from "./node.js";
import { printGraph } from "./print_graph.js";
import type { SourceRange } from "./source_range.js";
import { Types, type JitType } from "./types.js";
import type { Value } from "./value.js";

export interface CreateOptions {
  sourceRange?: SourceRange | null;
  scope?: string | null;
}

export class Graph {
  readonly block: Block;
  /** debug name -> the value holding it (Note [value names] in value.ts). */
  readonly uniqueNames = new Map<string, Value>();
  /** For each name base, the next `.N` suffix to try. */
  readonly nameBaseSuffix = new Map<string, number>();
  /** The module scope new nodes get (the tracer sets it while inside a submodule's forward). */
  currentScope: string | null = null;
  private nextUnique = 0;
  private insertPointNode: Node;

  constructor() {
    this.block = new Block(this, null);
    this.insertPointNode = this.block.returnNode;
  }

  get inputs(): readonly Value[] {
    return this.block.inputs;
  }
  get outputs(): readonly Value[] {
    return this.block.outputs;
  }
  get returnNode(): Node {
    return this.block.returnNode;
  }
  get paramNode(): Node {
    return this.block.paramNode;
  }

  /** Top-level nodes in order. */
  nodes(): IterableIterator<Node> {
    return this.block.nodes();
  }

  /** Every node, depth first, each before the nodes of its blocks. */
  *allNodes(): IterableIterator<Node> {
    function* walk(b: Block): IterableIterator<Node> {
      for (const n of b.nodes()) {
        yield n;
        for (const inner of n.blocks) yield* walk(inner);
      }
    }
    yield* walk(this.block);
  }

  addInput(name?: string, type: JitType = Types.tensor): Value {
    return this.block.addInput(name, type);
  }
  insertInput(i: number, name?: string, type: JitType = Types.tensor): Value {
    return this.block.insertInput(i, name, type);
  }
  eraseInput(i: number): void {
    this.block.eraseInput(i);
  }
  registerOutput(v: Value): number {
    return this.block.registerOutput(v);
  }
  eraseOutput(i: number): void {
    this.block.eraseOutput(i);
  }

  /**
   * A new node, not yet inserted. `outputs` is a count (each typed Tensor) or the output types.
   * It takes the graph's current scope.
   */
  create(kind: string, inputs: readonly Value[] = [], outputs: number | readonly JitType[] = 1, opts: CreateOptions = {}): Node {
    const n = new Node(this, kind);
    for (const v of inputs) n.addInput(v);
    if (typeof outputs === "number") for (let i = 0; i < outputs; i++) n.addOutput();
    else for (const t of outputs) n.addOutput(t);
    n.scope = opts.scope !== undefined ? opts.scope : this.currentScope;
    n.sourceRange = opts.sourceRange ?? null;
    return n;
  }

  /** Inserts a (not yet inserted) node at the insertion point. */
  insertNode(n: Node): Node {
    return n.insertBefore(this.insertPointNode);
  }

  /** `create` then `insertNode`. */
  insert(kind: string, inputs: readonly Value[] = [], outputs: number | readonly JitType[] = 1, opts: CreateOptions = {}): Node {
    return this.insertNode(this.create(kind, inputs, outputs, opts));
  }

  /** Appends a (not yet inserted) node at the end of the top-level block. */
  appendNode(n: Node): Node {
    return this.block.appendNode(n);
  }

  prependNode(n: Node): Node {
    return this.block.prependNode(n);
  }

  /** New nodes go before this node (initially the end of the top-level block). */
  get insertPoint(): Node {
    return this.insertPointNode;
  }

  /** Sets where new nodes go: before a node, or at the end of a block. */
  setInsertPoint(at: Node | Block): void {
    const n = at instanceof Block ? at.returnNode : at;
    if (n.graph !== this) throw new Error("insertion point belongs to another graph");
    this.insertPointNode = n;
  }

  /** Runs `fn` with the insertion point at `at`, then restores it (TorchScript's WithInsertPoint). */
  withInsertPoint<T>(at: Node | Block, fn: () => T): T {
    const saved = this.insertPointNode;
    this.setInsertPoint(at);
    try {
      return fn();
    } finally {
      this.insertPointNode = saved;
    }
  }

  /**
   * A copy of `n` for this graph (not inserted): same kind, attributes, source range, scope and
   * op; inputs mapped through `env`; new outputs (named like the old ones, and recorded in
   * `env`), then copies of its blocks, in that order, as TorchScript numbers them.
   */
  createClone(n: Node, env: Map<Value, Value>): Node {
    const c = new Node(this, n.kind);
    for (const name of n.attributeNames()) c.setAttr(name, n.attr(name)!);
    c.sourceRange = n.sourceRange;
    c.scope = n.scope;
    c.op = n.op;
    for (const v of n.inputs) c.addInput(lookup(env, v));
    for (const o of n.outputs) env.set(o, c.addOutput(o.type).copyMetadata(o));
    for (const b of n.blocks) c.addBlock().cloneFrom(b, env);
    return c;
  }

  /** A deep copy; values are renumbered in order and keep their names (as Graph::copy does). */
  copy(): Graph {
    const g = new Graph();
    g.block.cloneFrom(this.block, new Map());
    g.currentScope = this.currentScope;
    return g;
  }

  /** @internal The next value number. */
  freshUnique(): number {
    return this.nextUnique++;
  }

  /** @internal Gives `v` the number `n` (the parser keeps the numbers of `%12`-style names). */
  adoptUnique(v: Value, n: number): void {
    v.unique = n;
    if (n >= this.nextUnique) this.nextUnique = n + 1;
  }

  /** @internal Forgets a value that is being removed (its name becomes free again). */
  freeValue(v: Value): void {
    if (v.hasDebugName() && this.uniqueNames.get(v.debugName) === v) this.uniqueNames.delete(v.debugName);
  }

  /** The graph text, as PyTorch's `str(graph)` prints it. */
  toString(): string {
    return printGraph(this);
  }

  /** How console.log and the REPL show a graph: its text. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  /** Jupyter display protocol (Symbol.for("Jupyter.display")): the graph as text. */
  [Symbol.for("Jupyter.display")](): Record<string, string> {
    return { "text/plain": this.toString() };
  }
}
