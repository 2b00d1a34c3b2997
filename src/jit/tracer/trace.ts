/**
 * torch.jit.trace / trace_module: run a module or function on example inputs while recording
 * every op through the registry, then hand back compiled code (a ScriptModule or
 * ScriptFunction) that the interpreter runs.
 */
import { Tensor } from "../../tensor/tensor.js";
import { Module } from "../../nn/module.js";
import { warn } from "../../util/warnings.js";
import { RuntimeError } from "../../util/errors.js";
import { no_grad } from "../../autograd/grad_mode.js";
import { printGraph, tupleType, type Value } from "../ir/index.js";
import { ScriptModule, makeScriptFunction, type ScriptFunction } from "../script_module.js";
import { argumentNames } from "./arg_names.js";
import { TraceSession } from "./session.js";
import { tensorValue, type Frame } from "./values.js";
import { eliminateDeadCode } from "../passes/dead_code_elimination.js";

/** Graph text for check_trace's comparison: class names compare without their mangling. */
function comparable(g: import("../ir/index.js").Graph): string {
  return printGraph(g, { sourceLocations: false }).replace(/___torch_mangle_\d+\./g, "");
}

export interface TraceOptions {
  /** Re-run the trace on the inputs and compare (default true), warning as PyTorch does. */
  check_trace?: boolean;
  check_inputs?: unknown[][];
  check_tolerance?: number;
  strict?: boolean;
}

type Inputs = Tensor | unknown[];

function asArgs(inputs: Inputs): unknown[] {
  return inputs instanceof Tensor ? [inputs] : inputs;
}

/** Registers the traced forward's inputs, named after the JS parameters (as PyTorch names them). */
function addInputs(session: TraceSession, f: Frame, fn: Function, args: unknown[]): void {
  const names = argumentNames(fn);
  args.forEach((a, i) => {
    if (!(a instanceof Tensor)) {
      throw new RuntimeError(`Type '${typeof a}' cannot be traced. Only Tensors and (possibly nested) Lists, Dicts, and Tuples of Tensors can be traced`);
    }
    const v = f.graph.addInput(names[i] ?? `argument_${i + 1}`, session.inputType(a));
    f.values.set(a, v);
  });
}

/**
 * Registers what the traced top-level code returned: a tensor, or a tuple of tensors and
 * tuples (an LSTM's `(output, (h, c))`), kept nested as PyTorch keeps the top level's.
 */
function addOutputs(f: Frame, out: unknown): void {
  if (!isTensorTree(out)) {
    throw new RuntimeError(
      "Only tensors, lists, tuples of tensors, or dictionary of tensors can be output from traced functions",
    );
  }
  f.graph.registerOutput(outputValue(f, out));
}

function isTensorTree(o: unknown): boolean {
  return o instanceof Tensor || (Array.isArray(o) && o.every(isTensorTree));
}

function outputValue(f: Frame, o: unknown): Value {
  if (o instanceof Tensor) return tensorValue(f, o);
  const values = (o as unknown[]).map((x) => outputValue(f, x));
  return f.graph.insert("prim::TupleConstruct", values, [tupleType(values.map((v) => v.type))], { scope: null }).output();
}

/** Copies the eager module tree's parameters, buffers and submodules onto the traced modules. */
function buildHierarchy(session: TraceSession, root: Module): ScriptModule {
  for (const [, m] of root.named_modules()) {
    const s = session.scriptFor(m);
    if (s === m) continue;
    for (const [name, p] of m._ownParameters()) s.setAttr(name, p);
    for (const [name, b] of m._ownBuffers()) s.register_buffer(name, b);
    for (const [name, c] of m.named_children()) s.add_module(name, session.scriptFor(c));
    s.training = m.training;
  }
  return session.scriptFor(root);
}

function traceModuleMethods(mod: Module, methods: Record<string, Inputs>): ScriptModule {
  const session = new TraceSession(mod);
  session.start();
  try {
    for (const [method, inputs] of Object.entries(methods)) {
      const fn = (mod as unknown as Record<string, unknown>)[method];
      if (typeof fn !== "function") throw new RuntimeError(`'${mod._name()}' object has no attribute '${method}'`);
      const f = session.newFrame(mod, null, "self.1");
      const args = asArgs(inputs);
      addInputs(session, f, fn, args);
      session.frames.push(f);
      let out: unknown;
      try {
        out = session.runInFrame(fn, args, () => (fn as (...a: unknown[]) => unknown).apply(mod, args));
      } finally {
        session.frames.pop();
      }
      addOutputs(f, out);
      eliminateDeadCode(f.graph);
      session.scriptFor(mod)._defineMethod(method, f.graph);
    }
    session.finishNames();
  } finally {
    session.stop();
  }
  return buildHierarchy(session, mod);
}

function traceFunction(fn: (...a: unknown[]) => unknown, inputs: Inputs): ScriptFunction {
  const session = new TraceSession(null);
  session.start();
  const f = session.newFrame(null, null, "");
  try {
    const args = asArgs(inputs);
    addInputs(session, f, fn, args);
    session.frames.push(f);
    addOutputs(f, session.runInFrame(fn, args, () => fn(...args)));
    eliminateDeadCode(f.graph);
    session.finishNames();
  } finally {
    session.frames.pop();
    session.stop();
  }
  return makeScriptFunction(`__torch__.${fn.name || "fn"}`, f.graph);
}

function allClose(a: unknown, b: unknown, rtol: number, atol: number): boolean {
  if (a instanceof Tensor && b instanceof Tensor) {
    if (a.shape.join() !== b.shape.join()) return false;
    const x = a.contiguousData();
    const y = b.contiguousData();
    for (let i = 0; i < x.length; i++) {
      const d = Math.abs(x[i]! - y[i]!);
      if (!(d <= atol + rtol * Math.abs(y[i]!)) && !(Number.isNaN(x[i]!) && Number.isNaN(y[i]!))) return false;
    }
    return true;
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => allClose(x, b[i], rtol, atol));
  return a === b;
}

/**
 * PyTorch's check_trace: trace again on each check input (its TracerWarnings appear again, as in
 * PyTorch) and compare the graphs and the outputs against eager, warning on differences.
 */
function checkTrace(
  retrace: (inputs: unknown[]) => { graph: string; call: (a: unknown[]) => unknown },
  eager: (a: unknown[]) => unknown,
  first: string,
  checkInputs: unknown[][],
  tolerance: number,
): void {
  for (const inputs of checkInputs) {
    const again = retrace(inputs);
    if (again.graph !== first) {
      warn("TracerWarning", "Trace had nondeterministic nodes. Did you forget call .eval() on your model? Nodes:\nGraphs differed across invocations!");
    }
    const [expected, actual] = no_grad(() => [eager(inputs), again.call(inputs)]);
    if (!allClose(actual, expected, tolerance, 1e-5)) {
      warn(
        "TracerWarning",
        "Output nr 1. of the traced function does not match the corresponding output of the Python function. Detailed error:\nTensor-likes are not close!",
      );
    }
  }
}

export function trace(fn: Module, example_inputs: Inputs, opts?: TraceOptions): ScriptModule;
export function trace(fn: (...a: any[]) => unknown, example_inputs: Inputs, opts?: TraceOptions): ScriptFunction;
export function trace(
  fn: Module | ((...a: any[]) => unknown), example_inputs: Inputs, opts: TraceOptions = {},
): ScriptModule | ScriptFunction {
  if (fn instanceof ScriptModule) {
    warn("UserWarning", "The input to trace is already a ScriptModule, tracing it is a no-op. Returning the object as is.");
    return fn;
  }
  const args = asArgs(example_inputs);
  // one tracer for both kinds; check_trace runs it again on the check inputs
  const traceOnce = fn instanceof Module
    ? (inputs: unknown[]) => traceModuleMethods(fn, { forward: inputs })
    : (inputs: unknown[]) => traceFunction(fn, inputs);
  const traced = traceOnce(args);
  if (opts.check_trace !== false) {
    checkTrace(
      (inputs) => {
        const t = traceOnce(inputs);
        return { graph: comparable(t.graph), call: (a) => (t as (...x: unknown[]) => unknown)(...a) };
      },
      (a) => (fn as (...x: unknown[]) => unknown)(...a),
      comparable(traced.graph),
      opts.check_inputs ?? [args],
      opts.check_tolerance ?? 1e-5,
    );
  }
  return traced;
}

/** torch.jit.trace_module(mod, {forward: inputs, encode: inputs}): several methods, one module. */
export function trace_module(mod: Module, inputs: Record<string, Inputs>, _opts: TraceOptions = {}): ScriptModule {
  return traceModuleMethods(mod, inputs);
}

