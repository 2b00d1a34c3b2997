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
   * Note [argument names]: PyTorch names a traced value after the Python variable holding it
   * when an op consumes it. JS cannot look into callers' variables, so we keep the part of that
   * rule the seed outputs rely on: an op result of the top-level method (or the result of an
   * already compiled submodule) passed into a traced submodule takes the name of the callee's
   * forward parameter (`input = (dg).forward(x, )` before `(linear).forward(input, )`).
   */
  private readonly nameable = new WeakSet<Value>();
  private saved: [OpObserver | null, ModuleCallObserver | null, typeof conversionHooks.onScalarRead] | null = null;

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
    activeSession = this;
  }

  stop(): void {
    if (this.saved) [dispatchState.observer, moduleCallState.observer, conversionHooks.onScalarRead] = this.saved;
    this.saved = null;
    activeSession = null;
  }

  private onScalarRead(t: Tensor, what: "bool" | "number" | "list"): void {
    if (!this.frames.some((f) => f.values.has(t))) return;
    const kind = what === "list" ? "list" : what === "bool" || t.dtype.isBool ? "boolean" : "number";
    warn("TracerWarning", TRACER_WARNING(kind));
  }

  record(op: OpOverload, args: readonly unknown[], out: unknown): void {
    const f = this.top;
    const params = op.schema.args;
    const inputs = params.map((p, i) => argumentValue(f, args[i], p));
    const results = op.schema.returns;
    const outs: unknown[] = results.length > 1 && Array.isArray(out) ? out : [out];
    const types = outs.map((o, i) => valueType(o, results[i]?.kind));
    const node = f.graph.insert(op.schema.name, inputs, types, { scope: f.scope, sourceRange: callerLocation() });
    node.op = op;
    if (this.frames.length === 1) for (const o of node.outputs) this.nameable.add(o);
    outs.forEach((o, i) => this.bindOutput(f, node.outputs[i]!, o));
  }

  /** Maps what an op or call returned to the value that stands for it (unpacking lists). */
  private bindOutput(f: Frame, v: Value, o: unknown): void {
    if (o instanceof Tensor) {
      f.values.set(o, v);
    } else if (Array.isArray(o) && o.length > 0 && o.every((x) => x instanceof Tensor)) {
      const kind = v.type.kind === "Tuple" ? "prim::TupleUnpack" : "prim::ListUnpack";
      const unpack = f.graph.insert(kind, [v], o.map((t: Tensor) => tensorTypeOf(t)), { scope: f.scope });
      o.forEach((t: Tensor, i) => f.values.set(t, unpack.outputs[i]!));
    }
  }

  /** A submodule call: record it as a method of the submodule's traced module. */
  call(module: Module, args: unknown[], run: () => unknown): unknown {
    const parent = this.frames[this.frames.length - 1];
    const path = parent ? attributePath(parent.module as Module | null, module) : null;
    if (!parent || path === null) return run(); // not an attribute: its ops record inline
    const subValue = getAttrChain(parent, path);
    const argValues = args.filter((a): a is Tensor => a instanceof Tensor).map((t) => tensorValue(parent, t));
    if (module instanceof ScriptModule) return this.callCompiled(parent, module, subValue, argValues, run);

    const count = this.methodCounts.get(module) ?? 0;
    this.methodCounts.set(module, count + 1);
    const method = count === 0 ? "forward" : `forward${count}`;
    const fullPath = [...parent.path, ...path];
    const scope = [parent.scope, `__module.${fullPath.join(".")}`].filter(Boolean).join("/");
    const child = this.newFrame(module, scope, "self", fullPath);
    const paramNames = argumentNames(module.forward);
    args.forEach((a, i) => {
      if (!(a instanceof Tensor)) return;
      const pv = parent.values.get(a);
      const pname = paramNames[i];
      if (pv && !pv.hasDebugName() && this.nameable.has(pv) && pname) pv.setDebugName(pname);
      const name = pv?.hasDebugName() ? pv.debugName : `argument_${i + 1}`;
      const input = child.graph.addInput(name, tensorTypeOf(a));
      child.values.set(a, input);
    });
    this.frames.push(child);
    let out: unknown;
    try {
      out = run();
    } finally {
      this.frames.pop();
    }
    const returned = this.finishMethod(child, out);
    eliminateDeadCode(child.graph);
    this.scriptFor(module)._defineMethod(method, child.graph);
    const callNode = parent.graph.insert("prim::CallMethod", [subValue, ...argValues], [returned.type], { scope: parent.scope });
    callNode.setAttr("name", { kind: "s", value: method });
    if (returned.tensors.length === 1 && returned.type.kind !== "Tuple") parent.values.set(returned.tensors[0]!, callNode.output());
    else if (returned.tensors.length > 1) this.bindOutput(parent, callNode.output(), returned.tensors);
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
    if (this.frames.length === 1) this.nameable.add(node.output());
    this.bindOutput(parent, node.output(), out);
    return out;
  }

  /**
   * Registers a method's return. A returned tensor that is one of the method's own inputs is
   * dropped, as PyTorch's trace lowering drops block outputs defined outside the block; with
   * nothing left the method returns None (the article's traced gate: `-> NoneType`).
   */
  finishMethod(f: Frame, out: unknown): { type: JitType; tensors: Tensor[] } {
    const g = f.graph;
    const items = out instanceof Tensor ? [out] : Array.isArray(out) ? (out as unknown[]) : [];
    const inputs = new Set(g.inputs);
    const kept = items.filter((t): t is Tensor => t instanceof Tensor && !inputs.has(tensorValue(f, t)));
    if (kept.length === 0) {
      g.registerOutput(insertConstant(g, { type: "None" }));
      return { type: Types.none, tensors: [] };
    }
    if (out instanceof Tensor || kept.length === 1) {
      g.registerOutput(tensorValue(f, kept[0]!));
      return { type: Types.tensor, tensors: kept };
    }
    const values = kept.map((t) => tensorValue(f, t));
    const tuple = g.insert("prim::TupleConstruct", values, [tupleType(values.map((v) => v.type))], { scope: null });
    g.registerOutput(tuple.output());
    return { type: tupleType(kept.map(() => Types.tensor)), tensors: kept };
  }

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

