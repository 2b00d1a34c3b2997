/**
 * The graph executor: how ScriptModules and ScriptFunctions run their graphs. Like PyTorch's
 * profiling executor, it specializes: the first call with a new input signature (Note
 * [argument specs]) makes a plan, specialize.ts's graph compiled to JavaScript by
 * codegen.ts, and caches it per graph and receiver; later calls with the same signature
 * check the plan's guards (Note [structure guards]) and run it.
 *
 * The interpreter (src/jit/runtime) stays the reference and the fallback: it runs a graph
 * while a tracer records (the tracer observes op calls one by one), when optimized execution
 * is off (`torch.jit.optimized_execution(false, fn)`), and where code generation fails.
 */
import { gradState } from "../../autograd/grad_mode.js";
import { dispatchState } from "../../tensor/registry.js";
import { Tensor } from "../../tensor/tensor.js";
import type { Graph } from "../ir/index.js";
import { TorchScriptError } from "../runtime/errors.js";
import { compileGraph, forgetPlanListeners, runPlan, signatureOf, withSourceDefaults, type RunGraphEnv } from "../runtime/interpreter.js";
import { checkInputs } from "../runtime/signature.js";
import { isScriptObject, type FunctionTable } from "../runtime/objects.js";
import { generateCode, type CompiledGraphFn } from "./codegen.js";
import { specialize, type Guard } from "./specialize.js";

interface CompiledPlan {
  readonly run: CompiledGraphFn;
  readonly guards: readonly Guard[];
  readonly source: string;
}

/** Plans per graph, per receiver (for methods), per argument spec. */
const plans = new WeakMap<Graph, WeakMap<object, Map<string, CompiledPlan | "interpret">>>();
const NO_RECEIVER = {};
forgetPlanListeners.push((graph) => plans.delete(graph));

export const executorState = {
  /** torch.jit.optimized_execution: false runs every graph in the interpreter. */
  optimize: true,
  /** Plans made so far (for tests and benchmarks). */
  plansMade: 0,
  /** Graphs code generation failed on, run by the interpreter instead (tests expect none). */
  fallbacks: 0,
};

/**
 * Note [argument specs]: what a plan may assume about its inputs: each tensor's dtype, shape
 * and requires_grad, each other value's kind, and whether grad mode is on. The receiver
 * (`self`) is not in the spec: plans are kept per receiver.
 */
export function argumentSpec(inputs: readonly unknown[], from: number): string {
  let key = gradState.enabled ? "G" : "N";
  for (let i = from; i < inputs.length; i++) {
    const v = inputs[i];
    if (v instanceof Tensor) key += `|${v.dtype.name}${v.requires_grad ? "!" : ""}[${v.shape.join(",")}]`;
    else key += `|${v === null ? "null" : typeof v}`;
  }
  return key;
}

function guardsHold(guards: readonly Guard[], self: unknown, functions: FunctionTable | undefined): boolean {
  for (const g of guards) {
    if (g.kind === "function") {
      if (functions?.get(g.name)?.graph !== g.graph) return false;
      continue;
    }
    let o: unknown = self;
    for (const name of g.path) {
      if (!isScriptObject(o) || !o.hasAttr(name)) return false;
      o = o.getAttr(name);
    }
    if (o !== g.object || g.object.getMethod(g.method)?.graph !== g.graph) return false;
    const m = o as { _forwardHooks?: Map<unknown, unknown>; _forwardPreHooks?: Map<unknown, unknown> };
    if ((m._forwardHooks?.size ?? 0) > 0 || (m._forwardPreHooks?.size ?? 0) > 0) return false;
  }
  return true;
}

function makePlan(graph: Graph, inputs: readonly unknown[], functions: FunctionTable | undefined): CompiledPlan | "interpret" {
  const self = inputs[0];
  executorState.plansMade++;
  try {
    const gradFree = !gradState.enabled;
    const spec = specialize(graph, self, functions, { gradFree, inputs });
    const code = generateCode(spec, { gradFree });
    return { run: code.run, guards: spec.guards, source: code.source };
  } catch (e) {
    executorState.fallbacks++;
    if (process.env["TSJIT_EXECUTOR_DEBUG"]) console.warn(`tsjit executor: interpreting (${e instanceof Error ? e.message : String(e)})`);
    return "interpret";
  }
}

function planFor(graph: Graph, inputs: readonly unknown[], functions: FunctionTable | undefined): CompiledPlan | "interpret" {
  const self = inputs[0];
  const receiver = isScriptObject(self) ? (self as object) : NO_RECEIVER;
  let byReceiver = plans.get(graph);
  if (byReceiver === undefined) plans.set(graph, (byReceiver = new WeakMap()));
  let bySpec = byReceiver.get(receiver);
  if (bySpec === undefined) byReceiver.set(receiver, (bySpec = new Map()));
  const key = argumentSpec(inputs, receiver === NO_RECEIVER ? 0 : 1);
  let plan = bySpec.get(key);
  if (plan !== undefined && plan !== "interpret" && !guardsHold(plan.guards, self, functions)) plan = undefined;
  if (plan === undefined) bySpec.set(key, (plan = makePlan(graph, inputs, functions)));
  return plan;
}

/** The JavaScript a graph's plan runs for these inputs (for tests and curious users). */
export function compiledSource(graph: Graph, inputs: readonly unknown[], env: { functions?: FunctionTable } = {}): string | null {
  const plan = planFor(graph, withSourceDefaults(graph, inputs), env.functions);
  return plan === "interpret" ? null : plan.source;
}

/**
 * Runs `graph` on `inputs` (a method's `self` first), as runGraph does: defaults filled in,
 * inputs checked against the signature, errors reported as the interpreter reports them.
 */
export function executeGraph(graph: Graph, inputs: readonly unknown[], env: RunGraphEnv = {}): unknown[] {
  const name = env.name ?? "forward";
  const full = withSourceDefaults(graph, inputs);
  checkInputs(signatureOf(graph, name), full);
  if (!executorState.optimize || dispatchState.observer !== null) return runPlan(compileGraph(graph), full, name, env);
  const plan = planFor(graph, full, env.functions);
  if (plan === "interpret") return runPlan(compileGraph(graph), full, name, env);
  try {
    return plan.run(full, env);
  } catch (e) {
    if (e instanceof TorchScriptError) e.nameFrame(name);
    throw e;
  }
}

/** torch.jit.optimized_execution(should_optimize, fn): runs fn with the executor on or off. */
export function optimized_execution<T>(shouldOptimize: boolean, fn: () => T): T {
  const before = executorState.optimize;
  executorState.optimize = shouldOptimize;
  try {
    return fn();
  } finally {
    executorState.optimize = before;
  }
}
