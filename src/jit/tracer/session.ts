/**
 * A tracing session: observes every outermost op call (through the op registry's observer) and
 * every submodule call (through nn.Module's call observer), and records them into one graph
 * per module method, keeping the module hierarchy as PyTorch does: a submodule call becomes
 * `prim::GetAttr` + `prim::CallMethod` in the caller and a method of its own traced module.
 */
import { Tensor, conversionHooks } from "../../tensor/tensor.js";
import { dispatchState, type OpObserver, type OpOverload } from "../../tensor/registry.js";
import { Module, moduleCallState, type ModuleCallObserver } from "../../nn/module.js";
import { warn } from "../../util/warnings.js";
import { RuntimeError } from "../../util/errors.js";
import {
  Graph, Types, classType, insertConstant, listType, tensorTypeOf, tupleType, type JitType, type Value,
} from "../ir/index.js";
import { ScriptModule } from "../script_module.js";
import { baseQualifiedName, freshQualifiedName } from "../qualified_names.js";
import { argumentValue, getAttrChain, tensorValue, type Frame } from "./values.js";
import { callerLocation } from "./location.js";
import { argumentNames } from "./arg_names.js";
import { enterNameFrame, leaveNameFrame, localNameOf, startLocalNames, stopLocalNames, type NameFrame } from "../../tensor/local_names.js";
import { recordedForm } from "./recorded_forms.js";
import { literalCalls } from "./literals.js";
import { eliminateDeadCode } from "../passes/dead_code_elimination.js";

const TRACER_WARNING = (what: string) =>
  `Converting a tensor to a Python ${what} might cause the trace to be incorrect. We can't record the data flow of Python values, so this value will be treated as a constant in the future. This means that the trace might not generalize to other inputs!`;

export let activeSession: TraceSession | null = null;

export class TraceSession implements OpObserver, ModuleCallObserver {
  readonly frames: Frame[] = [];
  /** The traced ScriptModule standing for each eager module met. */
  readonly scripts = new Map<Module, ScriptModule>();
  private readonly methodCounts = new Map<Module, number>();
  /**
   * Note [argument names]: PyTorch traces into one flat graph and names a value when an op
   * consumes it (Note [local names] in local_names.ts); only afterwards does it cut the graph
   * into one method per submodule call, where a submodule's input copies the name of the
   * caller's value and the caller's result of a call is a fresh, unnamed value. We record one
   * graph per method as we go, so each value that stands in for another links to it here: a
   * submodule's input to the caller's argument, a traced call's result to the value the callee
   * returned. Naming applies to the end of that chain (the flat graph's value), and inputs copy
   * their caller's names once the whole trace is done (`finishNames`).
   */
  private readonly origins = new Map<Value, Value>();
  /** Submodule inputs and the caller's values they stand for, in creation order. */
  private readonly inputCopies: [Value, Value][] = [];
  private saved: [OpObserver | null, ModuleCallObserver | null, typeof conversionHooks.onScalarRead] | null = null;
  private savedNames: NameFrame | null = null;

  constructor(readonly root: Module | null) {}

  scriptFor(m: Module): ScriptModule {
    if (m instanceof ScriptModule) return m;
    let s = this.scripts.get(m);
    if (!s) {
      s = new ScriptModule(freshQualifiedName(baseQualifiedName(m)));
      this.scripts.set(m, s);
    }
    return s;
  }

  /** A frame for `module`'s method (or a free function when module is null). */
  newFrame(module: Module | null, scope: string | null, selfName: string, path: readonly string[] = []): Frame {
    const graph = new Graph();
    graph.currentScope = scope;
    const attrPaths = new Map<Tensor, string[]>();
    const moduleTypes = new Map<string, string>();
    let self: Value | null = null;
    if (module) {
      self = graph.addInput(selfName, classType(this.scriptFor(module).qualifiedName));
      for (const [name, sub] of module.named_modules()) {
        const prefix = name ? name.split(".") : [];
        if (name) moduleTypes.set(name, this.scriptFor(sub).qualifiedName);
        for (const [n, t] of [...sub._ownParameters(), ...sub._ownBuffers()]) {
          if (!attrPaths.has(t)) attrPaths.set(t, [...prefix, n]);
        }
      }
    }
    return { graph, module, path, self, values: new Map(), attrPaths, attrCache: new Map(), moduleTypes, scope };
  }

  /** The type of a traced input: the tensor's full detail, requires_grad included. */
  inputType(t: Tensor): JitType {
    return tensorTypeOf(t);
  }

  get top(): Frame {
    const f = this.frames[this.frames.length - 1];
    if (!f) throw new Error("tracer: no active frame");
    return f;
  }

  start(): void {
    if (activeSession) throw new RuntimeError("torch.jit.trace cannot be nested inside another trace");
    this.saved = [dispatchState.observer, moduleCallState.observer, conversionHooks.onScalarRead];
    dispatchState.observer = this;
    moduleCallState.observer = this;
    conversionHooks.onScalarRead = (t, what) => this.onScalarRead(t, what);
    this.savedNames = startLocalNames();
    activeSession = this;
  }

  stop(): void {
    if (this.saved) [dispatchState.observer, moduleCallState.observer, conversionHooks.onScalarRead] = this.saved;
    this.saved = null;
    stopLocalNames(this.savedNames);
    this.savedNames = null;
    activeSession = null;
  }

  /** The flat-graph value `v` stands for (Note [argument names]). */
  private originOf(v: Value): Value {
    let cur = v;
    for (let next = this.origins.get(cur); next !== undefined; next = this.origins.get(cur)) cur = next;
    return cur;
  }

  /** An op takes `t`: name its value after the local holding it, if it has no name yet. */
  private nameOnUse(f: Frame, t: Tensor): void {
    const v = f.values.get(t);
    if (v === undefined) return;
    const origin = this.originOf(v);
    if (origin.hasDebugName()) return;
    const name = localNameOf(t);
    if (name !== null) origin.setDebugName(name);
  }

  /** After the trace: each submodule input takes its caller's value's final name, as PyTorch's lifting copies it. */
  finishNames(): void {
    for (const [input, outer] of this.inputCopies) {
      if (!input.hasDebugName() && outer.hasDebugName()) input.setDebugName(outer.debugName);
    }
  }

  /** Runs a traced function body in its own name frame, its parameters bound (Note [local names]). */
  runInFrame(fn: Function, args: readonly unknown[], run: () => unknown): unknown {
    const frame = enterNameFrame(argumentNames(fn), args);
    try {
      return run();
    } finally {
      leaveNameFrame(frame);
    }
  }

  private onScalarRead(t: Tensor, what: "bool" | "number" | "list"): void {
    if (!this.frames.some((f) => f.values.has(t))) return;
    const kind = what === "list" ? "list" : what === "bool" || t.dtype.isBool ? "boolean" : "number";
    warn("TracerWarning", TRACER_WARNING(kind));
  }

  record(called: OpOverload, calledArgs: readonly unknown[], out: unknown): void {
    const f = this.top;
    const { op, args } = recordedForm(called, calledArgs);
    const params = op.schema.args;
    const inputs = params.map((p, i) => {
      const a = args[i];
      if (a instanceof Tensor) this.nameOnUse(f, a);
      else if (Array.isArray(a)) for (const t of a) if (t instanceof Tensor) this.nameOnUse(f, t);
      return argumentValue(f, a, p);
    });
    const results = op.schema.returns;
    const outs: unknown[] = results.length > 1 && Array.isArray(out) ? out : [out];
    const types = outs.map((o, i) => valueType(o, results[i]?.kind));
    const node = f.graph.insert(op.schema.name, inputs, types, { scope: f.scope, sourceRange: callerLocation() });
    node.op = op;
    outs.forEach((o, i) => this.bindOutput(f, node.outputs[i]!, o));
  }

  /**
   * torch.tensor(data) made `t` while tracing: recorded as PyTorch records it (Note [tensor
   * literals]), so `t` is the output of `aten::detach` of `aten::to` of a constant.
   */
  recordLiteral(t: Tensor): void {
    // only torch.tensor called by traced code, not by an op's own forward
    if (this.frames.length === 0 || dispatchState.depth !== 0) return;
    for (const { op, args } of literalCalls(t)) this.record(op, args, t);
  }

  /**
   * Maps what an op or call returned to the value that stands for it (unpacking lists, and
   * tuples nested in tuples: a scripted LSTM's `(output, (h, c))`).
   */
  private bindOutput(f: Frame, v: Value, o: unknown): void {
    if (o instanceof Tensor) {
      f.values.set(o, v);
    } else if (Array.isArray(o) && o.length > 0 && o.every((x) => x instanceof Tensor)) {
      const kind = v.type.kind === "Tuple" ? "prim::TupleUnpack" : "prim::ListUnpack";
      const unpack = f.graph.insert(kind, [v], o.map((t: Tensor) => tensorTypeOf(t)), { scope: f.scope });
      o.forEach((t: Tensor, i) => f.values.set(t, unpack.outputs[i]!));
    } else if (Array.isArray(o) && v.type.kind === "Tuple" && v.type.elements.length === o.length) {
      const elements = v.type.elements;
      const types = o.map((x, i) => (x instanceof Tensor ? tensorTypeOf(x) : elements[i]!));
      const unpack = f.graph.insert("prim::TupleUnpack", [v], types, { scope: f.scope });
      o.forEach((x, i) => this.bindOutput(f, unpack.outputs[i]!, x));
    }
  }

  /** A submodule call: record it as a method of the submodule's traced module. */
  call(module: Module, args: unknown[], run: () => unknown): unknown {
    const parent = this.frames[this.frames.length - 1];
    const path = parent ? attributePath(parent.module as Module | null, module) : null;
    // not an attribute: its ops record inline, but its forward is still a frame of its own
    if (!parent || path === null) return this.runInFrame(module.forward, args, run);
    const subValue = getAttrChain(parent, path);
    const argValues = args.filter((a): a is Tensor => a instanceof Tensor).map((t) => tensorValue(parent, t));
    if (module instanceof ScriptModule) return this.callCompiled(parent, module, subValue, argValues, run);

    const count = this.methodCounts.get(module) ?? 0;
    this.methodCounts.set(module, count + 1);
    const method = count === 0 ? "forward" : `forward${count}`;
    const fullPath = [...parent.path, ...path];
    const scope = [parent.scope, `__module.${fullPath.join(".")}`].filter(Boolean).join("/");
    const child = this.newFrame(module, scope, "self", fullPath);
    args.forEach((a) => {
      if (!(a instanceof Tensor)) return;
      const outer = tensorValue(parent, a);
      // unnamed for now: it takes the caller's name when the trace is done (Note [argument names])
      const input = child.graph.addInput(undefined, tensorTypeOf(a));
      this.origins.set(input, outer);
      this.inputCopies.push([input, outer]);
      child.values.set(a, input);
    });
    this.frames.push(child);
    let out: unknown;
    try {
      out = this.runInFrame(module.forward, args, run);
    } finally {
      this.frames.pop();
    }
    const returned = this.finishMethod(child, out);
    eliminateDeadCode(child.graph);
    this.scriptFor(module)._defineMethod(method, child.graph);
    const callNode = parent.graph.insert("prim::CallMethod", [subValue, ...argValues], [returned.type], { scope: parent.scope });
    callNode.setAttr("name", { kind: "s", value: method });
    if (returned.tensors.length === 1 && returned.type.kind !== "Tuple") {
      parent.values.set(returned.tensors[0]!, callNode.output());
      this.origins.set(callNode.output(), returned.values[0]!);
    } else if (returned.tensors.length > 1) {
      this.bindOutput(parent, callNode.output(), returned.tensors);
      returned.tensors.forEach((t, i) => this.origins.set(parent.values.get(t)!, returned.values[i]!));
    }
    return out;
  }

  /** An already compiled (scripted) submodule: called, not traced into. */
  private callCompiled(parent: Frame, module: ScriptModule, subValue: Value, argValues: Value[], run: () => unknown): unknown {
    const observer = dispatchState.observer;
    dispatchState.observer = null;
    moduleCallState.observer = null;
    let out: unknown;
    try {
      out = run();
    } finally {
      dispatchState.observer = observer;
      moduleCallState.observer = this;
    }
    const graph = module.getMethod("forward")?.graph;
    const type = graph && graph.outputs.length === 1 ? graph.outputs[0]!.type : valueType(out, undefined);
    const node = parent.graph.insert("prim::CallMethod", [subValue, ...argValues], [type], { scope: parent.scope });
    node.setAttr("name", { kind: "s", value: "forward" });
    this.bindOutput(parent, node.output(), out);
    return out;
  }

  /**
   * Registers a method's return. Nested tuples are flattened (an LSTM's `(output, (h, n))` is
   * returned as three tensors, as PyTorch's trace lowering flattens a submodule's outputs); a
   * returned tensor that is one of the method's own inputs is dropped, as that lowering drops
   * block outputs defined outside the block; with nothing left the method returns None (the
   * article's traced gate: `-> NoneType`).
   */
  finishMethod(f: Frame, out: unknown): { type: JitType; tensors: Tensor[]; values: Value[] } {
    const g = f.graph;
    const items = out instanceof Tensor ? [out] : Array.isArray(out) ? flattenTensors(out) : [];
    const inputs = new Set(g.inputs);
    const kept = items.filter((t): t is Tensor => t instanceof Tensor && !inputs.has(tensorValue(f, t)));
    if (kept.length === 0) {
      g.registerOutput(insertConstant(g, { type: "None" }));
      return { type: Types.none, tensors: [], values: [] };
    }
    const values = kept.map((t) => tensorValue(f, t));
    if (out instanceof Tensor || kept.length === 1) {
      g.registerOutput(values[0]!);
      return { type: Types.tensor, tensors: kept, values };
    }
    const tuple = g.insert("prim::TupleConstruct", values, [tupleType(values.map((v) => v.type))], { scope: null });
    g.registerOutput(tuple.output());
    return { type: tupleType(kept.map(() => Types.tensor)), tensors: kept, values };
  }

}

/** The tensors of a (possibly nested) array, in order; other items are left out. */
function flattenTensors(items: readonly unknown[]): unknown[] {
  return items.flatMap((x) => (Array.isArray(x) ? flattenTensors(x) : [x]));
}

/** Where `target` sits among `root`'s submodules, or null when it is not one of them. */
function attributePath(root: Module | null, target: Module): string[] | null {
  if (!root) return null;
  for (const [name, m] of root.named_modules()) if (m === target && name) return name.split(".");
  return null;
}

function valueType(o: unknown, kind: string | undefined): JitType {
  if (o instanceof Tensor) return tensorTypeOf(o);
  if (Array.isArray(o) && o.every((x) => x instanceof Tensor)) return listType(Types.tensor);
  if (typeof o === "boolean") return Types.bool;
  if (typeof o === "number") return kind === "float" || !Number.isInteger(o) ? Types.float : Types.int;
  if (o === null || o === undefined) return Types.none;
  return Types.tensor;
}

