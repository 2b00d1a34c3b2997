/**
 * The reference interpreter: runs any graph the IR can express. It is the semantics the
 * optimizing code generator (Step 7) must reproduce.
 *
 * A graph is compiled once into a plan (plan.ts): one register slot per value, one step per
 * node, resolved once (op_call.ts for registry ops, prim_ops.ts for prim:: kinds). Plans are
 * cached per Graph object; a pass that mutates a graph it has already run must call
 * `forgetPlan(graph)`.
 *
 * Tensor ops go through the op registry's `runOverload`, so outputs carry the same grad_fn
 * names as eager calls and `backward()` through an interpreted graph gives eager's gradients.
 */
import "./builtins.js";
import type { Block, Graph, Node, Value } from "../ir/index.js";
import { TorchScriptError } from "./errors.js";
import type { FunctionTable } from "./objects.js";
import { compileOpCall, unknownOpStep } from "./op_call.js";
import { runBlock, type CompileContext, type CompiledBlock, type Regs, type RunEnv, type Step } from "./plan.js";
import { PRIM_COMPILERS } from "./prim_ops.js";
import { checkInputs, graphSignature, type GraphSignature } from "./signature.js";
import { defaultValue, signatures as sourceSignatures } from "../ir/source_signature.js";

export interface Plan {
  readonly graph: Graph;
  readonly body: CompiledBlock;
  readonly inputSlots: readonly number[];
  readonly outputSlots: readonly number[];
  /** Constants already in place; each invocation starts from a copy. */
  readonly template: Regs;
}

class PlanBuilder implements CompileContext {
  private readonly slots = new Map<Value, number>();
  readonly template: Regs = [];

  slot(v: Value): number {
    let s = this.slots.get(v);
    if (s === undefined) {
      s = this.slots.size;
      this.slots.set(v, s);
      this.template.push(undefined);
    }
    return s;
  }

  constant(slot: number, value: unknown): void {
    this.template[slot] = value;
  }

  compileBlock(b: Block): CompiledBlock {
    const params = b.inputs.map((v) => this.slot(v));
    const steps: Step[] = [];
    const nodes: Node[] = [];
    for (const n of b.nodes()) {
      const step = this.compileNode(n);
      if (step !== null) {
        steps.push(step);
        nodes.push(n);
      }
    }
    return { steps, nodes, params, returns: b.outputs.map((v) => this.slot(v)) };
  }

  compileNode(n: Node): Step | null {
    const ins = n.inputs.map((v) => this.slot(v));
    const outs = n.outputs.map((v) => this.slot(v));
    const prim = Object.prototype.hasOwnProperty.call(PRIM_COMPILERS, n.kind) ? PRIM_COMPILERS[n.kind] : undefined;
    if (prim !== undefined) return prim(n, ins, outs, this);
    return compileOpCall(n, ins, outs) ?? unknownOpStep(n.kind);
  }

  invoke(graph: Graph, inputs: readonly unknown[], name: string, env: RunEnv): unknown[] {
    return runPlan(compileGraph(graph), inputs, name, env);
  }
}

/** A node run on its own: inputs in, outputs out (see nodeThunk). */
export type NodeThunk = (inputs: readonly unknown[], env: RunEnv) => unknown[];

/**
 * One node as a function of its input values, compiled exactly as the interpreter runs it:
 * the code generator (src/jit/executor) calls this for the kinds it does not emit itself, so
 * both paths share one meaning per node. A constant's thunk ignores its inputs.
 */
export function nodeThunk(n: Node): NodeThunk {
  const b = new PlanBuilder();
  const ins = n.inputs.map((v) => b.slot(v));
  const outs = n.outputs.map((v) => b.slot(v));
  const step = b.compileNode(n);
  const template = b.template;
  return (inputs, env) => {
    const r = template.slice();
    for (let k = 0; k < ins.length; k++) r[ins[k]!] = inputs[k];
    if (step !== null) step(r, env);
    const result = new Array<unknown>(outs.length);
    for (let k = 0; k < outs.length; k++) result[k] = r[outs[k]!];
    return result;
  };
}

const plans = new WeakMap<Graph, Plan>();

/** The plan of `graph`, made on first use. */
export function compileGraph(graph: Graph): Plan {
  let plan = plans.get(graph);
  if (plan === undefined) {
    const b = new PlanBuilder();
    const inputSlots = graph.inputs.map((v) => b.slot(v));
    const body = b.compileBlock(graph.block);
    plan = { graph, body, inputSlots, outputSlots: body.returns, template: b.template };
    plans.set(graph, plan);
  }
  return plan;
}

/** Told when a graph changed after it ran, so whatever was made from it is dropped too. */
export const forgetPlanListeners: ((graph: Graph) => void)[] = [];

/** Drops the cached plan of a graph that was changed after it ran. */
export function forgetPlan(graph: Graph): void {
  plans.delete(graph);
  for (const listener of forgetPlanListeners) listener(graph);
}

/** Runs a plan on inputs already checked; `name` names its frame in errors. */
export function runPlan(plan: Plan, inputs: readonly unknown[], name: string, env: RunEnv): unknown[] {
  const r = plan.template.slice();
  const slots = plan.inputSlots;
  for (let k = 0; k < slots.length; k++) r[slots[k]!] = inputs[k];
  try {
    runBlock(plan.body, r, env);
  } catch (e) {
    if (e instanceof TorchScriptError) e.nameFrame(name);
    throw e;
  }
  const outs = plan.outputSlots;
  const result = new Array<unknown>(outs.length);
  for (let k = 0; k < outs.length; k++) result[k] = r[outs[k]!];
  return result;
}

export interface RunGraphEnv extends RunEnv {
  readonly functions?: FunctionTable;
  /** The function's name in messages (default "forward"). */
  readonly name?: string;
}

const signatures = new WeakMap<Graph, Map<string, GraphSignature>>();

/** The signature of `graph` as function `name` (cached), e.g. for a ScriptModule's messages. */
export function signatureOf(graph: Graph, name: string): GraphSignature {
  let byName = signatures.get(graph);
  if (byName === undefined) signatures.set(graph, (byName = new Map()));
  let sig = byName.get(name);
  if (sig === undefined) byName.set(name, (sig = graphSignature(graph, name)));
  return sig;
}

/**
 * Runs `graph` on `inputs` (a method's `self` first) and returns its outputs. Inputs are
 * checked against the graph's signature first; a failure inside names the node that failed
 * (TorchScriptError).
 *
 * @example
 * const g = parseGraph(`graph(%x : Tensor):
 *   %1 : Tensor = aten::neg(%x)
 *   return (%1)`);
 * runGraph(g, [torch.ones([2])]); // [tensor([-1., -1.])]
 */
/**
 * A call that leaves out trailing parameters with defaults in the source (`s: int | null =
 * null`) gets those defaults, as TorchScript fills them from the schema.
 */
export function withSourceDefaults(graph: Graph, inputs: readonly unknown[]): readonly unknown[] {
  const sig = sourceSignatures.get(graph);
  if (sig === undefined) return inputs;
  const offset = graph.inputs.length - sig.defaults.length; // 1 for a method's self
  if (inputs.length >= graph.inputs.length || inputs.length < offset) return inputs;
  const full = inputs.slice();
  for (let i = inputs.length; i < graph.inputs.length; i++) {
    const d = sig.defaults[i - offset];
    if (d === null || d === undefined) return inputs; // checkInputs names the missing argument
    full.push(defaultValue(d));
  }
  return full;
}

export function runGraph(graph: Graph, inputs: readonly unknown[], env: RunGraphEnv = {}): unknown[] {
  const name = env.name ?? "forward";
  const full = withSourceDefaults(graph, inputs);
  checkInputs(signatureOf(graph, name), full);
  return runPlan(compileGraph(graph), full, name, env);
}
