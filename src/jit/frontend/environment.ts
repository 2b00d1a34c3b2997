/**
 * Variables before SSA (as TorchScript 1.13's ir_emitter): every assignment is a prim::Store
 * and every read a prim::Load, each block has a frame with the types of the variables it
 * assigns, and ssa.ts later turns loads and stores into block inputs/outputs. Names that are not
 * values (a module, a function, a namespace) live in the frame as sugared values, never stored.
 */
import { Attr, isSubtypeOf, printType, type Block, type Graph, type JitType, type Value } from "../ir/index.js";
import type { Sugared } from "./sugared.js";

export interface Frame {
  readonly block: Block;
  /** Variable types assigned in this block, in assignment order. */
  readonly vars: Map<string, JitType>;
  /** `let y: Tensor;` declarations not yet assigned: the type later assignments must have. */
  readonly declared: Map<string, JitType>;
  readonly sugared: Map<string, Sugared>;
}

/** A name TorchScript gives to a value: not empty, not `$`-prefixed, not `_` followed by digits. */
export function meaningfulName(name: string): boolean {
  if (name.length === 0 || name[0] === "$") return false;
  if (name[0] !== "_") return true;
  return !/^_\d*$/.test(name);
}

export class Environment {
  readonly frames: Frame[] = [];

  constructor(readonly graph: Graph) {}

  push(block: Block): Frame {
    const f: Frame = { block, vars: new Map(), declared: new Map(), sugared: new Map() };
    this.frames.push(f);
    return f;
  }

  pop(): Frame {
    const f = this.frames.pop();
    if (!f) throw new Error("script: environment underflow");
    return f;
  }

  get top(): Frame {
    return this.frames[this.frames.length - 1]!;
  }

  /** The type a variable has in any enclosing frame (assigned or declared), or null. */
  typeOf(name: string): JitType | null {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const f = this.frames[i]!;
      const t = f.vars.get(name) ?? f.declared.get(name);
      if (t) return t;
    }
    return null;
  }

  sugaredOf(name: string): Sugared | null {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const s = this.frames[i]!.sugared.get(name);
      if (s) return s;
      if (this.frames[i]!.vars.has(name)) return null;
    }
    return null;
  }

  declare(name: string, type: JitType): void {
    this.top.declared.set(name, type);
  }

  /**
   * Assigns `value` to `name`: names the value after the variable when it has no name and was
   * made in this block (ir_emitter's rule), checks the type against an earlier one, stores.
   * Returns an error message instead when the types disagree.
   */
  assign(name: string, value: Value): string | null {
    const prior = this.typeOf(name);
    let type = value.type;
    if (prior) {
      if (!isSubtypeOf(value.type, prior)) {
        return `Variable '${name}' previously had type ${printType(prior)} but is now being assigned to a value of type ${printType(value.type)}`;
      }
      // an Optional variable keeps its declared type
      type = prior;
    }
    if (!value.hasDebugName() && meaningfulName(name) && value.node.owningBlock === this.top.block) value.setDebugName(name);
    this.top.vars.set(name, type);
    this.top.sugared.delete(name);
    const store = this.graph.insert("prim::Store", [value], 0);
    store.setAttr("name", Attr.s(name));
    return null;
  }

  /** Stores a refined value (Note [refinement]): this frame sees `name` with the value's narrower type. */
  refine(name: string, value: Value): void {
    if (!value.hasDebugName() && meaningfulName(name) && value.node.owningBlock === this.top.block) value.setDebugName(name);
    this.top.vars.set(name, value.type);
    const store = this.graph.insert("prim::Store", [value], 0);
    store.setAttr("name", Attr.s(name));
  }

  bindSugared(name: string, s: Sugared): void {
    this.top.sugared.set(name, s);
  }

  /** A prim::Load of `name`, or null when no frame has it. */
  load(name: string): Value | null {
    const t = this.typeOf(name);
    if (!t) return null;
    const n = this.graph.insert("prim::Load", [], [t]);
    n.setAttr("name", Attr.s(name));
    return n.output();
  }
}
