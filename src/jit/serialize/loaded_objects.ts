/**
 * What archive objects become: modules are ScriptModules whose methods are the imported graphs
 * and whose free functions come from the same archive; plain TorchScript class instances are
 * ScriptClassObjects; enum values are ScriptEnumValues.
 */
import { RuntimeError } from "../../util/errors.js";
import type { Graph } from "../ir/index.js";
import type { FunctionTable, ScriptMethod, ScriptObject } from "../runtime/objects.js";
import { runGraph } from "../runtime/interpreter.js";
import { ScriptModule, compiledFunctions } from "../script_module.js";
import { printMethod, type ScriptClassDescription } from "../printer/index.js";
import type { SourceImporter } from "../import/index.js";

/** Functions of the archive first, then those compiled in this process. */
export function archiveFunctions(archive: FunctionTable): FunctionTable {
  return { get: (q) => archive.get(q) ?? compiledFunctions.get(q) };
}

const single = (outs: readonly unknown[]): unknown => (outs.length === 0 ? null : outs.length === 1 ? outs[0] : outs);

export class LoadedScriptModule extends ScriptModule {
  declare _functions: FunctionTable;
  declare _createObject: (qualifiedName: string) => ScriptObject;
  /** Per method, the default of each argument after self (`{value}`), as the code declares them. */
  declare _defaults: Map<string, readonly ({ readonly value: unknown } | null)[]>;
  /** The class as the archive declared it (attribute types, constants, signatures), for re-saving. */
  declare _classDescription: ScriptClassDescription | undefined;
  /** The archive's code, for the free functions its methods call. */
  declare _importer: SourceImporter | undefined;

  constructor(qualifiedName: string, functions: FunctionTable, createObject: (qualifiedName: string) => ScriptObject) {
    super(qualifiedName);
    this._markRecursive();
    Object.defineProperty(this, "_functions", { value: functions, enumerable: false, writable: true });
    Object.defineProperty(this, "_createObject", { value: createObject, enumerable: false, writable: true });
    Object.defineProperty(this, "_defaults", { value: new Map(), enumerable: false, writable: true });
    Object.defineProperty(this, "_classDescription", { value: undefined, enumerable: false, writable: true });
    Object.defineProperty(this, "_importer", { value: undefined, enumerable: false, writable: true });
  }

  /**
   * `.code` with the archive's signature of forward: defaults (`s: __torch__.Scale=__torch__.Scale.HALF`)
   * live in the code, not in the graph, so the graph alone would print without them.
   */
  override get code(): string {
    const graph = this._methods.get("forward")?.graph;
    const sig = this._classDescription?.methods?.find((x) => x.name === "forward");
    if (graph === undefined || sig?.graph !== graph) return super.code;
    return printMethod(graph, { ...sig, constants: this._constants });
  }

  override _runMethod(name: string, args: unknown[]): unknown {
    const m = this._methods.get(name);
    if (!m) throw new RuntimeError(`'${this.original_name}' object has no attribute or method '${name}'`);
    const defaults = this._defaults.get(name);
    if (defaults && args.length < defaults.length) {
      args = args.slice();
      for (let i = args.length; i < defaults.length && defaults[i]; i++) args.push(defaults[i]!.value);
    }
    return single(runGraph(m.graph, [this, ...args], { functions: this._functions, createObject: this._createObject, name }));
  }
}

/** An instance of a TorchScript class (`@torch.jit.script class Pair`). */
export class ScriptClassObject implements ScriptObject {
  private readonly attrs = new Map<string, unknown>();
  constructor(readonly qualifiedName: string, private readonly methods: ReadonlyMap<string, ScriptMethod>) {}
  getAttr(name: string): unknown {
    if (!this.attrs.has(name)) throw new RuntimeError(`'${this.qualifiedName}' object has no attribute '${name}'`);
    return this.attrs.get(name);
  }
  setAttr(name: string, value: unknown): void {
    this.attrs.set(name, value);
  }
  hasAttr(name: string): boolean {
    return this.attrs.has(name);
  }
  getMethod(name: string): ScriptMethod | undefined {
    return this.methods.get(name);
  }
  attributeNames(): string[] {
    return [...this.attrs.keys()];
  }
}

/** A member of a TorchScript Enum class (kept here too: the archive code imports it from here). */
export { ScriptEnumValue } from "../runtime/enum_value.js";

export function methodTable(methods: ReadonlyMap<string, { readonly name: string; readonly graph: Graph }>): Map<string, ScriptMethod> {
  return new Map([...methods].map(([k, m]) => [k, { name: m.name, graph: m.graph }]));
}
