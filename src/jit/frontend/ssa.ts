/**
 * Loads and stores to SSA (TorchScript's convert_to_ssa.cpp, 1.13): ControlFlowLoadStores
 * gives each prim::If an output per variable assigned in both branches (sorted by name, as
 * its std::set), and each prim::Loop a carried value per variable the body assigns that
 * exists before the loop (Note [variable order]); LoopContinuations turns break/continue into
 * prim::LoopContinuation(cond, carried...); EraseLoadStores then replaces every load by the
 * value last stored.
 */
import {
  Attr, Types, constantValue, unifyTypes, type Block, type Graph, type JitType, type Node, type Value,
} from "../ir/index.js";
import { meaningfulName } from "./environment.js";
import { unorderedMapOrder } from "./std_unordered.js";

type TypeFrame = { vars: Map<string, JitType>; order: string[] };

function createLoad(g: Graph, name: string, type: JitType): Node {
  const n = g.create("prim::Load", [], [type]);
  n.setAttr("name", Attr.s(name));
  return n;
}

function createStore(g: Graph, name: string, v: Value): Node {
  const n = g.create("prim::Store", [v], 0);
  n.setAttr("name", Attr.s(name));
  return n;
}

class ControlFlowLoadStores {
  private readonly stack: TypeFrame[] = [];

  constructor(private readonly g: Graph) {}

  private find(name: string): JitType | null {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const t = this.stack[i]!.vars.get(name);
      if (t) return t;
    }
    return null;
  }

  private addBlockOutput(b: Block, type: JitType, name: string): void {
    const load = createLoad(this.g, name, type);
    b.appendNode(load);
    b.registerOutput(load.output());
  }

  private addNodeOutput(n: Node, type: JitType, name: string): void {
    const out = n.addOutput(type);
    if (meaningfulName(name)) out.setDebugName(name);
    createStore(this.g, name, out).insertAfter(n);
  }

  private addIf(n: Node): void {
    const t = this.run(n.blocks[0]!);
    const f = this.run(n.blocks[1]!);
    const findIn = (fr: TypeFrame, name: string) => fr.vars.get(name) ?? this.find(name);
    const mutated = new Set<string>();
    for (const v of t.vars.keys()) if (findIn(f, v)) mutated.add(v);
    for (const v of f.vars.keys()) if (findIn(t, v)) mutated.add(v);
    for (const x of [...mutated].sort()) {
      const tt = findIn(t, x)!;
      const ft = findIn(f, x)!;
      const u = unifyTypes(tt, ft);
      if (!u) continue;
      this.addBlockOutput(n.blocks[0]!, tt, x);
      this.addBlockOutput(n.blocks[1]!, ft, x);
      this.addNodeOutput(n, u, x);
    }
  }

  private addLoop(n: Node): void {
    const body = n.blocks[0]!;
    const vars = this.run(body);
    const max = constantValue(n.inputs[0]!.node);
    const isWhile = max?.type === "int" && BigInt(max.value) === 9223372036854775807n;
    for (const name of unorderedMapOrder(vars.order, !isWhile)) {
      const parent = this.find(name);
      if (!parent) continue;
      const blockType = vars.vars.get(name)!;
      const u = unifyTypes(parent, blockType) ?? parent;
      n.addInput(createLoad(this.g, name, parent).insertBefore(n).output());
      const param = body.addInput(name, u);
      body.prependNode(createStore(this.g, name, param));
      this.addBlockOutput(body, blockType, name);
      this.addNodeOutput(n, u, name);
    }
  }

  run(block: Block): TypeFrame {
    const frame: TypeFrame = { vars: new Map(), order: [] };
    this.stack.push(frame);
    // a live walk: the stores added after an if/loop are visited next, as TorchScript's pass does
    for (let n = block.firstNode; n !== null && n !== block.returnNode; n = n.next) {
      if (n.kind === "prim::If") this.addIf(n);
      else if (n.kind === "prim::Loop") this.addLoop(n);
      else if (n.kind === "prim::Store") {
        const name = n.s("name");
        if (!frame.vars.has(name)) frame.order.push(name);
        frame.vars.set(name, n.input().type);
      }
    }
    this.stack.pop();
    return frame;
  }
}

/** break → LoopContinuation(false, carried...); continue → LoopContinuation(cond, carried...). */
function loopContinuations(g: Graph, block: Block, loop: Node | null): void {
  for (const n of block.nodes()) {
    if (n.kind === "prim::Loop") {
      loopContinuations(g, n.blocks[0]!, n);
      continue;
    }
    for (const b of n.blocks) loopContinuations(g, b, loop);
    if ((n.kind !== "prim::BreakStmt" && n.kind !== "prim::ContinueStmt") || !loop) continue;
    const cond = n.kind === "prim::BreakStmt"
      ? g.withInsertPoint(n, () => g.insert("prim::Constant", [], [Types.bool]).setAttr("value", Attr.i(0)).output())
      : n.inputs[0] ?? loop.inputs[1]!;
    const cont = g.create("prim::LoopContinuation", [cond], 0);
    cont.insertBefore(n);
    const body = loop.blocks[0]!;
    for (const out of body.outputs.slice(1)) {
      const load = out.node;
      cont.addInput(createLoad(g, load.s("name"), out.type).insertBefore(cont).output());
    }
    n.destroy();
  }
}

function eraseLoadStores(block: Block, stack: Map<string, Value>[]): void {
  const frame = new Map<string, Value>();
  stack.push(frame);
  const find = (name: string): Value | undefined => {
    for (let i = stack.length - 1; i >= 0; i--) {
      const v = stack[i]!.get(name);
      if (v) return v;
    }
    return undefined;
  };
  for (const n of block.nodes()) {
    if (n.kind === "prim::Store") {
      frame.set(n.s("name"), n.input());
      n.destroy();
    } else if (n.kind === "prim::Load") {
      const v = find(n.s("name"));
      if (!v) throw new Error(`script: variable '${n.s("name")}' is read before it is assigned on some path`);
      n.output().replaceAllUsesWith(v);
      n.destroy();
    } else for (const b of n.blocks) eraseLoadStores(b, stack);
  }
  stack.pop();
}

/** The SSA conversion up to exits (exits.ts lowers returns and loop continuations next). */
export function convertToSSA(g: Graph): void {
  new ControlFlowLoadStores(g).run(g.block);
  loopContinuations(g, g.block, null);
  eraseLoadStores(g.block, []);
}
