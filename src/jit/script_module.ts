/**
 * ScriptModule and ScriptFunction: compiled code users hold. A ScriptModule is an nn.Module
 * (callable, parameters(), state_dict(), train/eval) whose methods are IR graphs run by the
 * interpreter, and a ScriptObject for graphs (prim::GetAttr / prim::CallMethod reach its
 * attributes and methods). Traced, scripted and loaded modules are all ScriptModules.
 */
import { RuntimeError } from "../util/errors.js";
import { Module } from "../nn/module.js";
import type { Graph, Value } from "./ir/index.js";
import { inlineCalls } from "./passes/inline.js";
import { printGraph } from "./ir/index.js";
import type { FunctionTable, ScriptMethod, ScriptObject } from "./runtime/objects.js";
import { signatureOf } from "./runtime/interpreter.js";
import { executeGraph } from "./executor/graph_executor.js";
import { displayBundle, printMethod } from "./printer/index.js";
import { unqualified } from "./qualified_names.js";
import { activeSession } from "./tracer/session.js";
import { callWhileTracing } from "./traced_calls.js";
import { argumentSpecs } from "./frontend/signature.js";

const JUPYTER_DISPLAY = Symbol.for("Jupyter.display");

/** Free functions compiled so far, by qualified name (prim::CallFunction looks here). */
export const compiledFunctions: Map<string, ScriptMethod> & FunctionTable = new Map();

function hidden(obj: object, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: false, configurable: true });
}

/** Unwraps the interpreter's outputs: one value, or None for none. */
function single(outs: readonly unknown[]): unknown {
  return outs.length === 0 ? null : outs.length === 1 ? outs[0] : outs;
}

export class ScriptModule extends Module implements ScriptObject {
  /**
   * Submodules, parameters and attributes by name (`traced.dg.code`, `loaded.cell`), as Python
   * reads a ScriptModule's attributes: their names come from the model or the archive, not
   * from this class.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [attribute: string]: any;
  declare _qualifiedName: string;
  declare _methods: Map<string, ScriptMethod>;
  declare _constants: unknown[];

  constructor(qualifiedName: string) {
    super();
    hidden(this, "_qualifiedName", qualifiedName);
    hidden(this, "_methods", new Map());
    hidden(this, "_constants", []);
  }

  get qualifiedName(): string {
    return this._qualifiedName;
  }

  get original_name(): string {
    return unqualified(this._qualifiedName);
  }

  /**
   * The class name printing shows. PyTorch prints a traced module under its original name
   * (TracedModule's repr) and everything torch.jit.script, load or freeze made as
   * `RecursiveScriptModule(original_name=...)` (seed output 3d); _markRecursive says which.
   */
  override _name(): string {
    return (this as unknown as { _recursive?: boolean })._recursive === true ? "RecursiveScriptModule" : this.original_name;
  }

  /** Prints as a RecursiveScriptModule (see _name). */
  _markRecursive(): this {
    hidden(this, "_recursive", true);
    return this;
  }

  override extra_repr(): string {
    return `original_name=${this.original_name}`;
  }

  getAttr(name: string): unknown {
    if (name === "training") return this.training;
    const v = (this as unknown as Record<string, unknown>)[name];
    if (v === undefined) throw new RuntimeError(`Module '${this.original_name}' has no attribute '${name}'`);
    return v;
  }

  setAttr(name: string, value: unknown): void {
    if (name === "training") this.training = value as boolean;
    else (this as unknown as Record<string, unknown>)[name] = value;
  }

  hasAttr(name: string): boolean {
    return name === "training" || Object.prototype.hasOwnProperty.call(this, name);
  }

  getMethod(name: string): ScriptMethod | undefined {
    return this._methods.get(name);
  }

  /** Adds a compiled method; methods other than forward become callable properties. */
  _defineMethod(name: string, graph: Graph): void {
    this._methods.set(name, { name, graph });
    if (name !== "forward") hidden(this, name, (...args: unknown[]) => this._runMethod(name, args));
  }

  /**
   * Note [ignored methods] (frontend/emit_expr.ts): a method left to JavaScript, called by
   * prim::PythonOp on `receiver`, the module that was scripted: its fields are all there (the
   * ScriptModule holds only what compiled code uses) and it shares parameters and buffers.
   */
  _defineIgnored(name: string, fn: Function, receiver: object): void {
    if (!Object.prototype.hasOwnProperty.call(this, "_ignored")) hidden(this, "_ignored", new Map<string, () => unknown>());
    (this as unknown as { _ignored: Map<string, Function> })._ignored.set(name, fn.bind(receiver));
  }

  /** Runs the @torch.jit.ignore method `name` (Note [ignored methods]). */
  callIgnored(name: string, args: readonly unknown[]): unknown {
    const fn = (this as unknown as { _ignored?: Map<string, Function> })._ignored?.get(name);
    if (fn === undefined) throw new RuntimeError(`'${this.original_name}' has no @torch.jit.ignore method '${name}'`);
    return fn(...args);
  }

  _runMethod(name: string, args: unknown[]): unknown {
    const m = this._methods.get(name);
    if (!m) throw new RuntimeError(`'${this.original_name}' object has no attribute or method '${name}'`);
    // runGraph checks the arguments against the method's schema, with PyTorch's messages
    return single(executeGraph(m.graph, [this, ...args], { functions: compiledFunctions, name }));
  }

  override forward(...args: unknown[]): unknown {
    return this._runMethod("forward", args);
  }

  private forwardGraph(): Graph {
    const m = this._methods.get("forward");
    if (!m) throw new RuntimeError(`Method 'forward' is not defined on ${this.original_name}`);
    return m.graph;
  }

  get graph(): Graph {
    return this.forwardGraph();
  }

  /** forward with every method call inlined, as PyTorch's `inlined_graph`. */
  get inlined_graph(): Graph {
    const g = this.forwardGraph().copy();
    inlineCalls(g, (call) => {
      if (call.kind !== "prim::CallMethod") return null;
      const target = this.staticObject(call.inputs[0]!, g);
      return target?.getMethod(call.s("name"))?.graph ?? null;
    });
    return g;
  }

  /** The object a value of a method graph holds, when it is a GetAttr chain from `self`. */
  private staticObject(v: Value, g: Graph): ScriptObject | null {
    if (v === g.inputs[0]) return this;
    const n = v.node;
    if (n.kind !== "prim::GetAttr") return null;
    const owner = this.staticObject(n.inputs[0]!, g);
    const attr = owner?.hasAttr(n.s("name")) ? owner.getAttr(n.s("name")) : null;
    return attr instanceof ScriptModule ? attr : null;
  }

  get code(): string {
    const g = this.forwardGraph();
    return printMethod(g, { name: "forward", constants: this._constants, args: argumentSpecs(g, true) });
  }

  /** The code of every method, as an archive's class body lists them. */
  get codeAll(): string {
    return [...this._methods.values()]
      .map((m) => printMethod(m.graph, { name: m.name, constants: this._constants, args: argumentSpecs(m.graph, true) }))
      .join("\n");
  }

  get code_with_constants(): [string, Map<string, unknown>] {
    const consts = new Map<string, unknown>(this._constants.map((c, i) => [`c${i}`, c]));
    return [this.code, consts];
  }

  [JUPYTER_DISPLAY](): Record<string, string> {
    return displayBundle(this.codeAll, this._methods.has("forward") ? printGraph(this.forwardGraph()) : undefined);
  }
}

/** A compiled free function: callable, with `.code`, `.graph` and `.schema`. */
export interface ScriptFunction {
  (...args: unknown[]): unknown;
  readonly name: string;
  readonly qualified_name: string;
  readonly graph: Graph;
  readonly code: string;
  readonly schema: string;
}

export function makeScriptFunction(qualifiedName: string, graph: Graph, constants: unknown[] = []): ScriptFunction {
  const name = unqualified(qualifiedName);
  const method: ScriptMethod = { name, graph };
  compiledFunctions.set(qualifiedName, method);
  const run = (args: unknown[]) => single(executeGraph(graph, args, { functions: compiledFunctions, name }));
  // called while tracing, a scripted function is recorded as one call, as PyTorch's tracer does
  const fn = (...args: unknown[]): unknown =>
    activeSession !== null ? callWhileTracing(fn as unknown as ScriptFunction, args, () => run(args)) : run(args);
  const code = () => printMethod(graph, { name, constants, isFunction: true, args: argumentSpecs(graph, false) });
  Object.defineProperties(fn, {
    name: { value: name },
    qualified_name: { value: qualifiedName },
    graph: { value: graph },
    code: { get: code },
    schema: { get: () => signatureOf(graph, name).text },
    [JUPYTER_DISPLAY]: { value: () => displayBundle(code(), printGraph(graph)) },
    [Symbol.for("nodejs.util.inspect.custom")]: { value: () => `<torch.jit.ScriptFunction ${name}>` },
  });
  return fn as ScriptFunction;
}
