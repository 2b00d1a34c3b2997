/**
 * Code generation: a specialized graph becomes one JavaScript function.
 *
 * Each value is a JS local; prim::If and prim::Loop become `if` and `for`; tuples and lists
 * become array literals; a registry op becomes a direct call of its overload through
 * `runOverload` (so autograd records what eager records and grad_fn names are PyTorch's) or
 * of a builtin's implementation, both chosen once here. Every other node runs as the
 * interpreter runs it (`nodeThunk`), so a kind the generator does not know still has exactly
 * the interpreter's meaning. Constants are evaluated once and bound in the prologue.
 *
 * Errors: the function keeps the index of the node running (`at`); a failure is reported as
 * the interpreter reports it (Note [error frames] in runtime/errors.ts), naming the node of
 * the user's graph and one frame per call it was inlined through (specialize.ts's Origin).
 *
 * Identifiers in the generated text are only `v<n>` locals, fixed helper names and numeric
 * indices into the tables passed in: nothing from a graph (names, strings, constants from an
 * archive) is spliced into the source.
 */
import { invokerOf, type OpOverload } from "../../tensor/registry.js";
import { linearTransposedInto } from "../../tensor/ops/linalg.js";
import type { Block, Node, Value } from "../ir/index.js";
import { TorchScriptError, wrapNodeError } from "../runtime/errors.js";
import { nodeThunk, type NodeThunk } from "../runtime/interpreter.js";
import { directCall, type Convert } from "../runtime/op_call.js";
import type { RunEnv } from "../runtime/plan.js";
import type { BuiltinFn } from "../runtime/builtin_registry.js";
import type { Origin, Specialized } from "./specialize.js";
import { makeRecordingFusedKernel } from "./fused_autograd.js";
import { planBufferReuse, type ReuseKind } from "./buffer_reuse.js";
import { makeFusedKernel, type FusedKernel } from "./fused_kernel.js";
import { makeScalarCondition, type ScalarConditionKernel } from "./scalar_condition.js";

export type CompiledGraphFn = (inputs: readonly unknown[], env: RunEnv) => unknown[];

export interface GeneratedCode {
  /** The function body, for tests and for reading what the generator made. */
  readonly source: string;
  readonly run: CompiledGraphFn;
}

/** Kinds whose emitted code cannot throw, so they need no `at` bookkeeping. */
const CANNOT_FAIL = new Set(["prim::TupleConstruct", "prim::ListConstruct", "prim::TupleUnpack"]);

class Generator {
  private readonly names = new Map<Value, string>();
  private readonly lines: string[] = [];
  private readonly prologue: string[] = [];
  readonly constants: unknown[] = [];
  readonly overloads: OpOverload[] = [];
  readonly builtins: BuiltinFn[] = [];
  readonly thunks: NodeThunk[] = [];
  readonly converters: ((v: unknown) => unknown)[] = [];
  /** Fused groups' kernels and scalar conditions: each returns undefined when its inputs do not fit. */
  readonly fused: (FusedKernel | ScalarConditionKernel)[] = [];
  readonly nodes: Node[] = [];
  private depth = 1;
  private temp = 0;

  /**
   * Note [grad-free plans]: a plan made for grad mode off (the argument spec includes it) calls
   * an op's forward directly: with nothing to record, runOverload would only count dispatch
   * depth for a tracer, and plans never run while a tracer records. In-place ops still go
   * through runOverload, which bumps the storage version.
   */
  /** Note [buffer reuse]: which fused groups write into a dead result (grad-free plans only). */
  private readonly reuse: ReadonlyMap<Node, ReuseKind>;
  /** Per reusing group, the variables holding its last results, newest first. */
  private readonly rings = new Map<Node, string[]>();

  constructor(
    private readonly spec: Specialized,
    private readonly gradFree: boolean,
  ) {
    this.reuse = gradFree ? planBufferReuse(spec.graph) : new Map();
  }

  name(v: Value): string {
    let n = this.names.get(v);
    if (n === undefined) this.names.set(v, (n = `v${this.names.size}`));
    return n;
  }

  private fresh(base: string): string {
    return `${base}${this.temp++}`;
  }

  private emit(line: string): void {
    this.lines.push(`${"  ".repeat(this.depth)}${line}`);
  }

  private list(vs: readonly Value[]): string {
    return vs.map((v) => this.name(v)).join(", ");
  }

  generate(): string {
    const g = this.spec.graph;
    this.emit(`const [${this.list(g.inputs)}] = inputs;`);
    this.emitBlockBody(g.block);
    this.emit(`return [${this.list(g.outputs)}];`);
    return [
      "let at = -1;",
      ...this.prologue,
      "try {",
      ...this.lines,
      "} catch (e) {",
      "  throw FAIL(e, at);",
      "}",
    ].join("\n");
  }

  private emitBlockBody(b: Block): void {
    for (const n of b.nodes()) this.emitNode(n);
  }

  /** Marks `n` as the running node (for error reports) unless it cannot fail. */
  private track(n: Node): void {
    if (CANNOT_FAIL.has(n.kind)) return;
    this.nodes.push(n);
    this.emit(`at = ${this.nodes.length - 1};`);
  }

  private emitNode(n: Node): void {
    switch (n.kind) {
      case "prim::Constant":
        return this.emitConstant(n);
      case "prim::If":
        return this.emitIf(n);
      case "prim::Loop":
        return this.emitLoop(n);
      case "prim::TupleConstruct":
      case "prim::ListConstruct":
        this.emit(`const ${this.name(n.output())} = [${this.list(n.inputs)}];`);
        return;
      case "prim::FusionGroup":
        return this.emitFusionGroup(n);
      case "prim::ScalarCondition":
        return this.emitScalarCondition(n);
      case "tsjit::linear_t":
        if (this.rings.has(n)) return this.emitLinearInto(n);
        break;
      case "prim::TupleUnpack": {
        const t = this.name(n.input());
        this.emit(`const ${n.outputs.map((o, i) => `${this.name(o)} = ${t}[${i}]`).join(", ")};`);
        return;
      }
    }
    this.track(n);
    const call = directCall(n);
    if (call !== null && "overload" in call) {
      this.overloads.push(call.overload);
      const j = this.overloads.length - 1;
      const args = n.inputs.map((v, i) => this.converted(v, call.convert[i] ?? null)).join(", ");
      // Note [grad-free plans]
      this.assign(n, this.gradFree && !call.overload.inplace ? `OV[${j}].forward(${args})` : `R[${j}]([${args}])`);
    } else if (call !== null) {
      this.builtins.push(call.builtin);
      this.assign(n, `B[${this.builtins.length - 1}](${this.list(n.inputs)})`);
    } else {
      this.thunks.push(nodeThunk(n));
      const tmp = this.fresh("t");
      this.emit(`const ${tmp} = T[${this.thunks.length - 1}]([${this.list(n.inputs)}], env);`);
      n.outputs.forEach((o, i) => this.emit(`const ${this.name(o)} = ${tmp}[${i}];`));
    }
  }

  /** Note [fused float32 semantics]: the loop when the inputs fit it, else the group op by op. */
  private emitFusionGroup(n: Node): void {
    this.track(n);
    const a = n.attr("Subgraph");
    if (a?.kind !== "g") throw new Error("prim::FusionGroup has no Subgraph");
    // Note [fused groups under autograd]
    this.fused.push(this.gradFree ? makeFusedKernel(a.value) : makeRecordingFusedKernel(a.value));
    this.thunks.push(nodeThunk(n));
    const ins = this.list(n.inputs);
    const out = this.name(n.output());
    const ring = this.rings.get(n);
    const reuse = ring === undefined ? "" : `, ${ring[ring.length - 1]}`;
    this.emit(`let ${out} = FK[${this.fused.length - 1}]([${ins}]${reuse});`);
    this.emit(`if (${out} === undefined) ${out} = T[${this.thunks.length - 1}]([${ins}], env)[0];`);
    if (ring !== undefined) this.advanceRing(ring, out);
  }

  /** Note [buffer reuse]: the ring holds the last results, newest first. */
  private advanceRing(ring: readonly string[], out: string): void {
    for (let k = ring.length - 1; k > 0; k--) this.emit(`${ring[k]} = ${ring[k - 1]};`);
    this.emit(`${ring[0]} = ${out};`);
  }

  /** A loop's linear writing into its dead result (Note [buffer reuse]). */
  private emitLinearInto(n: Node): void {
    this.track(n);
    const ring = this.rings.get(n)!;
    const out = this.name(n.output());
    this.emit(`const ${out} = LINEAR_INTO(${ring[ring.length - 1]}, ${this.list(n.inputs)});`);
    this.advanceRing(ring, out);
  }

  /**
   * A condition computed on numbers (scalar_condition.ts) when its input fits; otherwise its
   * subgraph's nodes, emitted here as any others (so a failure names the user's node, as the
   * interpreter's does).
   */
  private emitScalarCondition(n: Node): void {
    const a = n.attr("Subgraph");
    if (a?.kind !== "g") throw new Error("prim::ScalarCondition has no Subgraph");
    const sub = a.value;
    this.fused.push(makeScalarCondition(sub));
    const out = this.name(n.output());
    this.emit(`let ${out} = FK[${this.fused.length - 1}]([${this.list(n.inputs)}]);`);
    this.emit(`if (${out} === undefined) {`);
    this.depth++;
    sub.inputs.forEach((v, i) => this.names.set(v, this.name(n.inputs[i]!)));
    this.emitBlockBody(sub.block);
    this.emit(`${out} = ${this.name(sub.outputs[0]!)};`);
    this.depth--;
    this.emit("}");
  }

  /** Declares, in front of a loop, the rings of results its fused groups and linears write into again. */
  private declareRings(body: Block): void {
    for (const n of body.nodes()) {
      const kind = this.reuse.get(n);
      if (kind === undefined) continue;
      const ring = (kind === "previous" ? ["a"] : ["a", "b"]).map(() => this.fresh("r"));
      this.rings.set(n, ring);
      this.emit(`let ${ring.map((r) => `${r} = null`).join(", ")};`);
    }
  }

  /** An argument after its conversion: done here for a constant, emitted as a call otherwise. */
  private converted(v: Value, convert: Convert): string {
    if (convert === null) return this.name(v);
    if (v.node.kind === "prim::Constant") {
      this.constants.push(convert(nodeThunk(v.node)([], {})[0]));
      return `K[${this.constants.length - 1}]`;
    }
    this.converters.push(convert);
    return `CV[${this.converters.length - 1}](${this.name(v)})`;
  }

  /** Binds a registry call's result: one output, or the elements of its tuple. */
  private assign(n: Node, expr: string): void {
    if (n.outputs.length === 0) return this.emit(`${expr};`);
    if (n.outputs.length === 1) return this.emit(`const ${this.name(n.output())} = ${expr};`);
    const tmp = this.fresh("t");
    this.emit(`const ${tmp} = ${expr};`);
    n.outputs.forEach((o, i) => this.emit(`const ${this.name(o)} = ${tmp}[${i}];`));
  }

  private emitConstant(n: Node): void {
    const [value] = nodeThunk(n)([], {});
    this.constants.push(value);
    this.prologue.push(`const ${this.name(n.output())} = K[${this.constants.length - 1}];`);
  }

  private emitIf(n: Node): void {
    const outs = n.outputs.map((o) => this.name(o));
    if (outs.length > 0) this.emit(`let ${outs.join(", ")};`);
    this.emit(`if (${this.name(n.input())}) {`);
    this.emitBranch(n.block(0), outs);
    this.emit("} else {");
    this.emitBranch(n.block(1), outs);
    this.emit("}");
  }

  private emitBranch(b: Block, outs: readonly string[]): void {
    this.depth++;
    this.emitBlockBody(b);
    b.outputs.forEach((v, i) => this.emit(`${outs[i]} = ${this.name(v)};`));
    this.depth--;
  }

  /**
   * TorchScript's loop (runtime/control_flow.ts): the body runs while `i < max && cond`, with
   * the carried values as its parameters; the node's outputs are the last carried values.
   */
  private emitLoop(n: Node): void {
    const body = n.block(0);
    const [maxV, condV, ...init] = n.inputs;
    const [iterV, ...params] = body.inputs;
    const [condRet, ...rets] = body.outputs;
    const max = this.fresh("max");
    const cond = this.fresh("cond");
    const iter = this.fresh("i");
    this.emit(`const ${max} = ${this.name(maxV!)};`);
    this.emit(`let ${cond} = ${this.name(condV!)};`);
    if (params.length > 0) this.emit(`let ${params.map((p, k) => `${this.name(p)} = ${this.name(init[k]!)}`).join(", ")};`);
    this.declareRings(body);
    this.emit(`for (let ${iter} = 0; ${iter} < ${max} && ${cond}; ${iter}++) {`);
    this.depth++;
    this.emit(`const ${this.name(iterV!)} = ${iter};`);
    this.emitBlockBody(body);
    this.emit(`${cond} = ${this.name(condRet!)};`);
    // read every carried return before writing a parameter: a body may swap them
    const next = rets.map(() => this.fresh("next"));
    rets.forEach((r, k) => this.emit(`const ${next[k]} = ${this.name(r)};`));
    params.forEach((p, k) => this.emit(`${this.name(p)} = ${next[k]};`));
    this.depth--;
    this.emit("}");
    n.outputs.forEach((o, k) => this.emit(`const ${this.name(o)} = ${this.name(params[k]!)};`));
  }
}

/** Note [error frames] for a node of the specialized graph: its origin and the calls above it. */
function failure(e: unknown, node: Node | undefined, origin: Origin | undefined): unknown {
  if (node === undefined || origin === undefined) return e;
  const err = wrapNodeError(e, origin.node);
  // a failure raised with the specialized node (prim::RaiseException) names the user's node
  const first = err.frames[0];
  if (first !== undefined && first.node === node) err.frames[0] = { fn: first.fn, node: origin.node };
  for (let k = origin.calls.length - 1; k >= 0; k--) {
    const call = origin.calls[k]!;
    err.nameFrame(call.name);
    err.addCallerFrame(call.node);
  }
  return err;
}

export function generateCode(spec: Specialized, opts: { gradFree: boolean }): GeneratedCode {
  const gen = new Generator(spec, opts.gradFree);
  const source = gen.generate();
  const { constants, overloads, builtins, thunks, converters, fused, nodes } = gen;
  const fail = (e: unknown, at: number): unknown => {
    const node = nodes[at];
    const err = failure(e, node, node === undefined ? undefined : spec.origins.get(node));
    return err instanceof TorchScriptError || node === undefined ? err : wrapNodeError(err, node);
  };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the generated text holds no graph data (header comment)
  const make = new Function("K", "OV", "B", "T", "CV", "FK", "R", "FAIL", "LINEAR_INTO", `return function compiledGraph(inputs, env) {\n${source}\n};`);
  // R[j]: overload j's own runOverload (Note [one function per op])
  const run = make(constants, overloads, builtins, thunks, converters, fused, overloads.map(invokerOf), fail, linearTransposedInto) as CompiledGraphFn;
  return { source, run };
}
