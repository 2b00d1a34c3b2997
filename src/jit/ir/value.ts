/**
 * A Value is one SSA value: an output of exactly one node (block parameters are outputs of
 * the block's prim::Param node), with a type and the list of places that use it.
 *
 * Note [value names]: a value prints as `%` + its debug name, or its graph-wide unique number
 * when it has none (`%x`, `%self.1`, `%20`). Names are unique within a graph: giving a value a
 * name another value holds renames the other one with a `.N` suffix, exactly as TorchScript's
 * Value::setDebugName does, which is where the `%x.1`, `%y.43` of scripted graphs come from.
 */
import type { Graph } from "./graph.js";
import type { Node } from "./node.js";
import { printType } from "./type_print.js";
import type { JitType } from "./types.js";

/** One use of a value: input number `offset` of node `user` (a block's return node for block outputs). */
export interface Use {
  readonly user: Node;
  readonly offset: number;
}

export class Value {
  /** @internal Maintained by Node; read `uses`. */
  _uses: Use[] = [];
  /** @internal Maintained by setDebugName; read `debugName`. */
  _name: string | null = null;

  constructor(
    /** The node this value is an output of. */
    readonly node: Node,
    /** Which output of `node` this is (kept current when outputs are inserted or erased). */
    public offset: number,
    /** Graph-wide number, printed when the value has no name. */
    public unique: number,
    private _type: JitType,
  ) {}

  get graph(): Graph {
    return this.node.graph;
  }

  get type(): JitType {
    return this._type;
  }

  setType(t: JitType): this {
    this._type = t;
    return this;
  }

  get uses(): readonly Use[] {
    return this._uses;
  }

  hasUses(): boolean {
    return this._uses.length > 0;
  }

  hasDebugName(): boolean {
    return this._name !== null;
  }

  /** The name printed after `%` (Note [value names]). */
  get debugName(): string {
    return this._name ?? String(this.unique);
  }

  /** The name without a trailing `.N` suffix: `x` for `x.3`. */
  debugNameBase(): string {
    return splitSuffix(this.debugName).base;
  }

  /**
   * Names this value; "" clears the name. A name held by another value moves here and the other
   * value is renamed `base.N` with the next free N (Note [value names]).
   *
   * Given   %x : int = ...  ;  %5 : int = ...
   * Execute v5.setDebugName("x")
   * Result  %x.1 : int = ...  ;  %x : int = ...
   */
  setDebugName(name: string): this {
    if (/^\d+$/.test(name)) throw new Error(`Invalid name: '${name}'`);
    const names = this.graph.uniqueNames;
    if (this._name !== null) {
      names.delete(this._name);
      this._name = null;
    }
    if (name === "") return this;
    const holder = names.get(name);
    if (holder !== undefined) {
      const { base, suffix } = splitSuffix(name);
      const suffixes = this.graph.nameBaseSuffix;
      let n = Math.max(suffix ?? 1, (suffixes.get(base) ?? 0) + 1);
      let replacement: string;
      do replacement = `${base}.${n++}`;
      while (names.has(replacement));
      suffixes.set(base, n);
      holder.setDebugName(replacement);
    }
    names.set(name, this);
    this._name = name;
    return this;
  }

  /** Takes `from`'s type and name (used when copying graphs and inlining). */
  copyMetadata(from: Value): this {
    this.setType(from.type);
    if (from.hasDebugName()) this.setDebugName(from.debugName);
    return this;
  }

  /**
   * Makes every user of this value use `v` instead.
   *
   * Given   %b = aten::neg(%a) ; %c = aten::mul(%b, %b)
   * Execute b.replaceAllUsesWith(a)
   * Result  %b = aten::neg(%a) ; %c = aten::mul(%a, %a)   (%b is now unused)
   */
  replaceAllUsesWith(v: Value): void {
    checkSameGraph(this, v);
    while (this._uses.length > 0) this.replaceFirstUseWith(v);
  }

  /** Moves the first use of this value to `v`. */
  replaceFirstUseWith(v: Value): void {
    checkSameGraph(this, v);
    const u = this._uses[0];
    if (u === undefined) return;
    u.user.replaceInput(u.offset, v);
  }

  /**
   * Replaces the uses that come after `node` (in its block, or in blocks after it).
   *
   * Given   %b = f(%a) ; %c = g(%a) ; %d = h(%a)
   * Execute a.replaceAllUsesAfterNodeWith(c_node, x)
   * Result  %b = f(%a) ; %c = g(%a) ; %d = h(%x)
   */
  replaceAllUsesAfterNodeWith(node: Node, v: Value): void {
    checkSameGraph(this, v);
    for (const u of this._uses.slice()) if (u.user.isAfter(node)) u.user.replaceInput(u.offset, v);
  }

  toString(): string {
    return `%${this.debugName}`;
  }

  /** How console.log and the REPL show a value: `%x : Tensor`. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `%${this.debugName} : ${printType(this._type)}`;
  }
}

/** `x.3` -> base `x`, suffix 3; a name without a numeric suffix has suffix null. */
export function splitSuffix(name: string): { base: string; suffix: number | null } {
  const m = /^(.*)\.(\d+)$/.exec(name);
  return m ? { base: m[1]!, suffix: Number(m[2]) } : { base: name, suffix: null };
}

function checkSameGraph(a: Value, b: Value): void {
  if (a.graph !== b.graph) throw new Error(`cannot replace ${a} with ${b}: they belong to different graphs`);
}
