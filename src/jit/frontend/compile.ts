/**
 * The compiler driver: modules and functions in, graphs out. A module becomes a ScriptModule
 * sharing its parameters, buffers and submodules (scripted recursively; already compiled
 * ones, traced included, are kept as they are); each method is compiled from its source on
 * first use, and free functions called by scripted code are compiled recursively.
 *
 * Pipeline per function (ir_emitter + ConvertToSSA + cleanup, PyTorch 1.13):
 *   emit (stores/loads, exit placeholders) → convertToSSA → transformExits (+ inlineConsecutiveIfs) → canonicalizeModifiedLoops
 *   → constantPropagation → eliminateDeadIfOutputs → eliminateDeadCode → constantPooling
 *   → canonicalizeOutputs → checkCompiledGraph (verifyGraph: an invalid graph is an internal error)
 */
import type TS from "typescript";
import { lazyTypescript as ts } from "../../util/typescript.js";
import { Module } from "../../nn/module.js";
import { ModuleDict, ModuleList, Sequential } from "../../nn/layers/container.js";
import { Parameter } from "../../nn/parameter.js";
import { Tensor } from "../../tensor/tensor.js";
import { Graph, Types, classType, listType, type ConstantValue, type JitType } from "../ir/index.js";
import { eliminateDeadCode } from "../passes/dead_code_elimination.js";
import { canonicalizeOutputs } from "../passes/canonicalize_outputs.js";
import { ScriptModule, compiledFunctions, makeScriptFunction, type ScriptFunction } from "../script_module.js";
import { baseQualifiedName, freshQualifiedName } from "../qualified_names.js";
import { checkCompiledGraph } from "./check_graph.js";
import { FunctionEmitter } from "./emit_function.js";
import { Environment } from "./environment.js";
import { locate, scriptError } from "./errors.js";
import { transformExits, UnsupportedExit } from "./exits.js";
import { libraryModule, librarySourceOf } from "./nn_library.js";
import { signatures, type CompiledFunction, type CompileHooks } from "./resolve.js";
import { classDecl, fieldTypes, functionDecl, methodDecl, sourceFor, type FunctionDecl, type SourceText } from "./source.js";
import { convertToSSA } from "./ssa.js";
import { eliminateDeadIfOutputs } from "./dead_if_outputs.js";
import { constantPooling } from "./constant_pooling.js";
import { canonicalizeModifiedLoops } from "./canonicalize_loops.js";
import { constantPropagation } from "./constant_propagation.js";
import type { ModuleInfo } from "./sugared.js";
import { broadcastLength, resolveType } from "./types.js";
import { markerOf } from "../api.js";

import type { ScriptOptions } from "./script_options.js";
export type { ScriptOptions } from "./script_options.js";

/** The type of a plain attribute value (what TorchScript infers from the Python value). */
function inferType(v: unknown): JitType | null {
  if (v instanceof Tensor) return Types.tensor;
  if (typeof v === "boolean") return Types.bool;
  if (typeof v === "number") return Number.isInteger(v) ? Types.int : Types.float;
  if (typeof v === "string") return Types.str;
  if (v === null) return Types.none;
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "number")) {
    return listType(v.every((x) => Number.isInteger(x)) ? Types.int : Types.float);
  }
  return null;
}

/** A module attribute's value as a constant of type `t` (Final / __constants__ attributes). */
function constantOf(v: unknown, t: JitType | null): ConstantValue | null {
  const inner = t?.kind === "Optional" ? t.element : t;
  if (typeof v === "boolean") return { type: "bool", value: v };
  if (typeof v === "number") return inner?.kind === "float" || !Number.isInteger(v) ? { type: "float", value: v } : { type: "int", value: v };
  if (typeof v === "string") return { type: "str", value: v };
  if (v === null) return { type: "None" };
  if (Array.isArray(v) && v.every((x) => typeof x === "number")) {
    const floats = (inner?.kind === "List" && inner.element.kind === "float") || v.some((x) => !Number.isInteger(x));
    return floats ? { type: "float[]", value: v as number[] } : { type: "int[]", value: v as number[] };
  }
  if (Array.isArray(v) && v.every((x) => typeof x === "boolean")) return { type: "bool[]", value: v as boolean[] };
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return { type: "str[]", value: v as string[] };
  return null;
}

/** The class on `module`'s prototype chain that defines method `name`. */
function ownerOf(module: object, name: string): Function | null {
  for (let p = Object.getPrototypeOf(module); p && p !== Module.prototype; p = Object.getPrototypeOf(p)) {
    if (Object.prototype.hasOwnProperty.call(p, name)) return (p as { constructor: Function }).constructor;
  }
  return null;
}

class ModuleInfoImpl implements ModuleInfo {
  readonly children = new Map<string, ModuleInfoImpl>();
  private fields: Map<string, TS.TypeNode> | null = null;
  private fieldSrc: SourceText | null = null;

  constructor(readonly module: Module, readonly script: ScriptModule, private readonly constants: ReadonlySet<string>) {
    const cls = (module as { constructor: Function }).constructor;
    const lib = libraryModule(cls);
    if (lib) {
      this.fieldSrc = lib.src;
      const decl = classDecl(lib.src);
      this.fields = decl ? fieldTypes(decl) : null;
    } else if (!(module instanceof ScriptModule)) {
      try {
        this.fieldSrc = sourceFor(cls);
        const decl = classDecl(this.fieldSrc);
        this.fields = decl ? fieldTypes(decl) : null;
      } catch {
        this.fields = null;
      }
    }
  }

  /**
   * The attributes the class source declares (`_flat_weights: Tensor[]`): moduleInfo gives the
   * ScriptModule their values also where the loop over own fields does not see them (a getter,
   * a `_private` name), as PyTorch copies every attribute the concrete type has.
   */
  declaredAttributes(): string[] {
    return [...(this.fields?.keys() ?? [])];
  }

  private raw(name: string): unknown {
    return (this.module as unknown as Record<string, unknown>)[name];
  }

  attributeType(name: string): JitType | null {
    if (name === "training") return Types.bool;
    const child = this.children.get(name);
    if (child) return classType(child.script.qualifiedName);
    const own = Object.prototype.hasOwnProperty.call(this.module, name);
    // parameters and buffers are Tensors whatever the annotation (`bias: Tensor | null` holding one)
    if (own && this.raw(name) instanceof Tensor) return Types.tensor;
    const declared = this.fields?.get(name);
    if (declared && this.fieldSrc) return resolveType(this.fieldSrc, declared);
    if (!own) return null;
    return inferType(this.raw(name));
  }

  constant(name: string): ConstantValue | null {
    const declared = this.fields?.get(name);
    const isFinal = declared && ts.isTypeReferenceNode(declared) && ts.isIdentifier(declared.typeName) && declared.typeName.text === "Final";
    if (!this.constants.has(name) && !isFinal) return null;
    return constantOf(this.raw(name), this.attributeType(name));
  }

  submodule(name: string): ModuleInfo | null {
    return this.children.get(name) ?? null;
  }

  iterationOrder(): readonly string[] | null {
    if (!(this.module instanceof Sequential) && !(this.module instanceof ModuleList)) return null;
    return [...this.children.keys()];
  }

  marker(name: string): "ignore" | "unused" | "export" | undefined {
    if (this.module instanceof ScriptModule || this.isAccessor(name)) return undefined;
    const fn = this.raw(name);
    return typeof fn === "function" ? markerOf(fn) : undefined;
  }

  /** Methods marked @torch.jit.export, base classes' first (PyTorch compiles them besides forward). */
  exportedMethods(): string[] {
    if (this.module instanceof ScriptModule) return [];
    const chain: object[] = [];
    for (let p = Object.getPrototypeOf(this.module); p && p !== Module.prototype; p = Object.getPrototypeOf(p)) chain.unshift(p);
    const out: string[] = [];
    for (const p of chain) {
      for (const k of Object.getOwnPropertyNames(p)) {
        const d = Object.getOwnPropertyDescriptor(p, k);
        if (typeof d?.value === "function" && markerOf(d.value) === "export" && !out.includes(k)) out.push(k);
      }
    }
    return out;
  }

  isAccessor(name: string): boolean {
    for (let p = Object.getPrototypeOf(this.module); p && p !== Module.prototype; p = Object.getPrototypeOf(p)) {
      const d = Object.getOwnPropertyDescriptor(p, name);
      if (d) return d.get !== undefined || d.set !== undefined;
    }
    return false;
  }

  hasMethod(name: string): boolean {
    if (this.module instanceof ScriptModule) return this.module.getMethod(name) !== undefined;
    const lib = libraryModule((this.module as { constructor: Function }).constructor);
    if (lib) return methodDecl(classDecl(lib.src)!, name) !== null;
    if (this.isAccessor(name)) return false;
    return typeof this.raw(name) === "function" && ownerOf(this.module, name) !== null;
  }
}

export class Compiler implements CompileHooks {
  readonly globals: Readonly<Record<string, unknown>>;
  private readonly infos = new Map<Module, ModuleInfoImpl>();
  private readonly functions = new Map<Function, CompiledFunction>();
  private readonly inProgress = new Set<string>();

  constructor(opts: ScriptOptions = {}) {
    this.globals = opts.globals ?? {};
  }

  /** The ScriptModule for `m` with its state, its submodules scripted first. */
  moduleInfo(m: Module): ModuleInfoImpl {
    let info = this.infos.get(m);
    if (info) return info;
    if (m instanceof ScriptModule) {
      info = new ModuleInfoImpl(m, m, new Set());
      for (const [name, c] of m.named_children()) info.children.set(name, this.moduleInfo(c));
      this.infos.set(m, info);
      return info;
    }
    const lib = libraryModule((m as { constructor: Function }).constructor);
    const script = new ScriptModule(freshQualifiedName(baseQualifiedName(m)))._markRecursive();
    info = new ModuleInfoImpl(m, script, new Set(lib?.constants ?? []));
    this.infos.set(m, info);
    for (const [name, p] of m._ownParameters()) script.setAttr(name, p);
    for (const [name, b] of m._ownBuffers()) script.register_buffer(name, b);
    for (const [name, c] of m.named_children()) {
      const child = this.moduleInfo(c);
      info.children.set(name, child);
      script.add_module(name, child.script);
    }
    for (const [k, v] of Object.entries(m)) {
      if (v instanceof Module || v instanceof Parameter || v instanceof Tensor || k.startsWith("_")) continue;
      if (inferType(v) !== null && !(k in script)) script.setAttr(k, v);
    }
    for (const k of info.declaredAttributes()) {
      const v = (m as unknown as Record<string, unknown>)[k];
      const tensors = Array.isArray(v) && v.every((x) => x instanceof Tensor);
      if (!(k in script) && (tensors || (v !== undefined && inferType(v) !== null))) script.setAttr(k, v);
    }
    script.training = m.training;
    return info;
  }

  /** Scripts `m` and every submodule's forward; returns the ScriptModule. */
  scriptModule(m: Module): ScriptModule {
    const info = this.moduleInfo(m);
    const visit = (i: ModuleInfoImpl) => {
      for (const c of i.children.values()) visit(c);
      // ModuleList and ModuleDict have no forward of their own (PyTorch compiles none)
      if (!(i.module instanceof ScriptModule) && !(i.module instanceof ModuleList) && !(i.module instanceof ModuleDict)) {
        this.compileMethod(i, "forward", null);
        for (const name of i.exportedMethods()) this.compileMethod(i, name, null);
      }
    };
    visit(info);
    return info.script;
  }

  method(info: ModuleInfo, name: string, at: TS.Node): Graph {
    return this.compileMethod(info as ModuleInfoImpl, name, at);
  }

  returnType(info: ModuleInfo, name: string, at: TS.Node): JitType {
    const { src, decl } = this.methodSource(info as ModuleInfoImpl, name);
    if (!decl) throw scriptError(src, at, `cannot find the source of ${info.script.original_name}.${name}`);
    return decl.type ? resolveType(src, decl.type) : Types.tensor;
  }

  /** Where method `name` of a module is written: the library's source, or its class's. */
  private methodSource(info: ModuleInfoImpl, name: string): { src: SourceText; decl: FunctionDecl | null } {
    const lib = libraryModule((info.module as { constructor: Function }).constructor);
    if (lib) return { src: lib.src, decl: methodDecl(classDecl(lib.src)!, name) };
    const owner = ownerOf(info.module, name);
    if (!owner) throw new Error(`torch.jit.script: '${info.script.original_name}' has no method '${name}'`);
    const src = sourceFor(owner);
    const c = classDecl(src);
    return { src, decl: c ? methodDecl(c, name) : functionDecl(src) };
  }

  private compileMethod(info: ModuleInfoImpl, name: string, at: TS.Node | null): Graph {
    const existing = info.script.getMethod(name);
    if (existing) return existing.graph;
    const key = `${info.script.qualifiedName}.${name}`;
    const { src, decl } = this.methodSource(info, name);
    if (!decl) throw new Error(`torch.jit.script: cannot find the source of ${info.script.original_name}.${name}`);
    if (this.inProgress.has(key)) throw scriptError(src, at ?? decl, `Recursive calls are not supported in TorchScript (${key})`);
    this.inProgress.add(key);
    try {
      const g = this.compileBody(src, decl, { type: classType(info.script.qualifiedName), info }).graph;
      info.script._defineMethod(name, g);
      return g;
    } finally {
      this.inProgress.delete(key);
    }
  }

  func(fn: Function, qualifiedName: string | null, at: TS.Node): CompiledFunction {
    void at;
    return this.compileFunction(fn, qualifiedName).compiled;
  }

  compileFunction(fn: Function, qualifiedName: string | null): { compiled: CompiledFunction; script: ScriptFunction | null } {
    const done = this.functions.get(fn);
    if (done) return { compiled: done, script: null };
    const src = librarySourceOf(fn) ?? sourceFor(fn);
    const decl = functionDecl(src);
    if (!decl || !decl.body) throw new Error(`torch.jit.script: cannot find the source of function '${fn.name}'`);
    const qn = qualifiedName ?? `__torch__.${fn.name || "fn"}`;
    if (this.inProgress.has(qn)) throw scriptError(src, decl, `Recursive calls are not supported in TorchScript (${qn})`);
    this.inProgress.add(qn);
    try {
      const { graph, defaults } = this.compileBody(src, decl, null);
      const compiled: CompiledFunction = { qualifiedName: qn, graph, defaults };
      this.functions.set(fn, compiled);
      const script = makeScriptFunction(qn, graph);
      return { compiled, script };
    } finally {
      this.inProgress.delete(qn);
    }
  }

  private compileBody(src: SourceText, decl: FunctionDecl, self: { type: JitType; info: ModuleInfo } | null): { graph: Graph; defaults: (ConstantValue | null)[] } {
    if (decl.asteriskToken) throw scriptError(src, decl, "Generators are not supported in TorchScript");
    if (decl.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) throw scriptError(src, decl, "async functions are not supported in TorchScript");
    if (ts.isMethodDeclaration(decl) || ts.isFunctionDeclaration(decl)) {
      // getters and setters are not MethodDeclarations, so nothing else to check here
    }
    const g = new Graph();
    const env = new Environment(g);
    env.push(g.block);
    const selfValue = self ? g.addInput("self", self.type) : null;
    const emitter = new FunctionEmitter(g, env, src, this, selfValue && self ? { value: selfValue, info: self.info } : null);
    const defaults: (ConstantValue | null)[] = [];
    const names: string[] = [];
    const broadcast: (number | null)[] = [];
    for (const p of decl.parameters) {
      if (!ts.isIdentifier(p.name)) throw scriptError(src, p, "Destructured parameters are not supported in TorchScript");
      if (p.dotDotDotToken) throw scriptError(src, p, "Rest parameters are not supported in TorchScript");
      const type = p.type ? resolveType(src, p.type) : Types.tensor;
      const v = g.addInput(p.name.text, type);
      env.declare(p.name.text, type);
      const err = env.assign(p.name.text, v);
      if (err) throw scriptError(src, p, err);
      defaults.push(p.initializer ? literalConstant(src, p.initializer, type) : null);
      names.push(p.name.text);
      broadcast.push(p.type ? broadcastLength(p.type) : null);
    }
    const declaredReturn = decl.type ? resolveType(src, decl.type) : null;
    emitter.emitBody(decl.body!, declaredReturn);
    try {
      convertToSSA(g);
      transformExits(g);
    } catch (err) {
      if (err instanceof UnsupportedExit) throw scriptError(src, decl, err.message);
      throw err;
    }
    canonicalizeModifiedLoops(g);
    constantPropagation(g);
    eliminateDeadIfOutputs(g);
    eliminateDeadCode(g);
    constantPooling(g);
    canonicalizeOutputs(g); // PyTorch's runCleanupPasses ends with it ("for jitter")
    checkCompiledGraph(g, describeFunction(src, decl)); // Graph::lint: an invalid graph is our bug, not the user's
    signatures.set(g, { names, defaults, broadcast });
    return { graph: g, defaults };
  }
}

/** "'name' (file, line N)", for messages about a compiled function. */
function describeFunction(src: SourceText, decl: FunctionDecl): string {
  const name = decl.name && ts.isIdentifier(decl.name) ? decl.name.text : "<anonymous>";
  return `'${name}' (${src.file}, line ${locate(src, decl).line})`;
}

function literalConstant(src: SourceText, e: TS.Expression, type: JitType): ConstantValue {
  const inner = type.kind === "Optional" ? type.element : type;
  if (e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword) return { type: "bool", value: e.kind === ts.SyntaxKind.TrueKeyword };
  if (e.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(e) && e.text === "undefined")) return { type: "None" };
  if (ts.isStringLiteral(e)) return { type: "str", value: e.text };
  const neg = ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken;
  const num = neg ? (e as TS.PrefixUnaryExpression).operand : e;
  if (ts.isNumericLiteral(num)) {
    const v = (neg ? -1 : 1) * Number(num.text);
    return inner.kind === "float" ? { type: "float", value: v } : { type: "int", value: v };
  }
  throw scriptError(src, e, "A parameter default must be a literal (number, string, boolean or null) in TorchScript");
}

export { compiledFunctions };
