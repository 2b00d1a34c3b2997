/**
 * torch.jit.load: the driver (torchscript-format.md §1 load order).
 *
 *   1. open the zip (hardened reader), take the prefix from entry 0, check the version (1 … 10);
 *   2. unpickle constants.pkl (tensors from constants/<key>) → the CONSTANTS table;
 *   3. unpickle data.pkl (tensors from data/<key>); each GLOBAL naming a class asks the
 *      SourceImporter (src/jit/import) to compile code/<qualifier>.py, and the object is built
 *      from its state: declared attributes are looked up by name and type-checked, parameters
 *      and buffers registered, methods installed; `__setstate__` runs when the class has it;
 *   4. the root object is the module; `_extra_files` are filled from extra/.
 */
import { Module } from "../../nn/module.js";
import { Parameter } from "../../nn/parameter.js";
import { Tensor } from "../../tensor/tensor.js";
import { TorchScriptArchiveError } from "./errors.js";
import { SourceImporter, describeImportedClass, type AttributeDecl, type ImportedClass } from "../import/index.js";
import type { Graph } from "../ir/index.js";
import type { ScriptObject } from "../runtime/objects.js";
import { runGraph } from "../runtime/interpreter.js";
import { ArchiveReader, archiveBytes, type ArchiveSource } from "./archive_reader.js";
import { withLimits, type ArchiveLimits } from "./limits.js";
import { LoadedScriptModule, ScriptClassObject, ScriptEnumValue, archiveFunctions, methodTable } from "./loaded_objects.js";
import { globalResolver } from "./pickle_globals.js";
import { isTuple, tuple } from "./pickle_values.js";
import { storageLoader } from "./tensor_records.js";
import { PickleCallable, unpickle } from "./unpickler.js";
import { typeMismatch } from "./value_check.js";
import { compiledFunctions, type ScriptModule } from "../script_module.js";
import { calledFunctions } from "./module_classes.js";

export interface JitLoadOptions {
  /** "cpu": storages saved on another device load onto the CPU (the only device here). */
  readonly map_location?: string;
  /** Names to read from extra/; the Map's values are replaced with the files' contents. */
  readonly _extra_files?: Map<string, string>;
  readonly limits?: Partial<ArchiveLimits>;
}

class ArchiveLoader {
  readonly archive: ArchiveReader;
  readonly limits: ArchiveLimits;
  readonly version: number;
  private importer!: SourceImporter;
  private functions!: ReturnType<typeof archiveFunctions>;

  /** `ownsBytes`: read from a file here, so tensors may view the bytes (Note [storage views of the archive]). */
  constructor(bytes: Uint8Array, private readonly opts: JitLoadOptions, private readonly ownsBytes: boolean) {
    this.limits = withLimits(opts.limits);
    this.archive = new ArchiveReader(bytes, this.limits);
    this.version = this.archive.version();
  }

  load(): ScriptModule {
    const constants = this.unpickleRecord("constants.pkl", "constants", () => undefined);
    if (!Array.isArray(constants) || !isTuple(constants)) {
      throw new TorchScriptArchiveError(this.archive.recordName("constants.pkl"), "is not a tuple");
    }
    this.importer = new SourceImporter((path) => {
      const name = `code/${path}`;
      return this.archive.has(name) ? this.archive.readText(name) : undefined;
    }, constants, this.version);
    this.functions = archiveFunctions(this.importer.functionTable());
    const root = this.unpickleRecord("data.pkl", "data", (q) => this.classCallable(q));
    if (!(root instanceof LoadedScriptModule)) {
      throw new TorchScriptArchiveError(this.archive.recordName("data.pkl"), "does not hold a module object");
    }
    this.fillExtraFiles();
    this.publishFunctions(root);
    return root;
  }

  /**
   * Loaded modules call the archive's functions through their own table, but code run by
   * others — a traced or scripted module holding this one, a frozen copy — looks them up in
   * the process-wide table; a name compiled in this process already keeps its function.
   */
  private publishFunctions(root: LoadedScriptModule): void {
    // instances of one class share their method graphs: scan each graph once
    const graphs = new Set<Graph>();
    for (const m of root.modules()) {
      if (m instanceof LoadedScriptModule) for (const method of m._methods.values()) graphs.add(method.graph);
    }
    const pending: string[] = [];
    for (const g of graphs) pending.push(...calledFunctions(g));
    const seen = new Set<string>();
    while (pending.length > 0) {
      const q = pending.pop()!;
      if (seen.has(q)) continue;
      seen.add(q);
      const fn = this.importer.loadType(q);
      if (fn?.kind !== "function") continue;
      if (!compiledFunctions.has(q)) compiledFunctions.set(q, { name: q, graph: fn.function.graph });
      pending.push(...calledFunctions(fn.function.graph));
    }
  }

  private unpickleRecord(name: string, folder: string, resolveClass: (q: string) => PickleCallable | undefined): unknown {
    const entry = this.archive.recordName(name);
    return unpickle(this.archive.read(name), {
      entry,
      limits: this.limits,
      resolveGlobal: globalResolver({ entry, limits: this.limits, mode: "torchscript", resolveClass }),
      persistentLoad: storageLoader({
        entry, limits: this.limits, mapToCpu: this.opts.map_location !== undefined, shareRecordBytes: this.ownsBytes,
        recordName: (key) => this.archive.recordName(`${folder}/${key}`),
        read: (n) => (this.archive.zip.has(n) ? this.archive.zip.read(n) : undefined),
      }),
    });
  }

  /** What a GLOBAL naming a TorchScript class pushes. */
  private classCallable(q: string): PickleCallable | undefined {
    const entry = this.archive.recordName("data.pkl");
    let found;
    try {
      found = this.importer.loadType(q);
    } catch (err) {
      if (err instanceof TorchScriptArchiveError) throw err;
      throw new TorchScriptArchiveError(`code of ${q}`, (err as Error).message);
    }
    if (!found || found.kind !== "class") return undefined;
    const cls = found;
    if (cls.classKind === "enum") {
      return new PickleCallable(q, (value) => {
        const member = cls.enumMembers.find((m) => m.value === value);
        if (!member) throw new TorchScriptArchiveError(entry, `${q} has no member with value ${String(value)}`);
        return new ScriptEnumValue(q, member.name, member.value);
      });
    }
    if (cls.classKind !== "module" && cls.classKind !== "class") {
      throw new TorchScriptArchiveError(entry, `objects of ${cls.classKind} ${q} cannot be unpickled`);
    }
    const build = (state: unknown) => this.buildObject(cls, state, entry);
    return new PickleCallable(q, build, build);
  }

  private createObject = (q: string): ScriptObject => {
    const found = this.importer.loadType(q);
    if (!found || found.kind !== "class") throw new TorchScriptArchiveError("<code>", `Unknown type name '${q}'`);
    return found.classKind === "module" ? this.newModule(found) : new ScriptClassObject(q, methodTable(found.methods));
  };

  /** The printer's description of each class, made once per class, not per instance (it is read-only). */
  private readonly descriptions = new Map<ImportedClass, ReturnType<typeof describeImportedClass>>();

  private newModule(cls: ImportedClass): LoadedScriptModule {
    const m = new LoadedScriptModule(cls.qualifiedName, this.functions, this.createObject);
    for (const [name, method] of cls.methods) {
      m._defineMethod(name, method.graph);
      m._defaults.set(name, method.params.slice(1).map((p) => p.default));
    }
    this.installHooks(m, cls);
    let desc = this.descriptions.get(cls);
    if (!desc) this.descriptions.set(cls, (desc = describeImportedClass(cls)));
    if (desc.kind === "module") m._classDescription = desc;
    m._importer = this.importer;
    return m;
  }

  private buildObject(cls: ImportedClass, state: unknown, entry: string): ScriptObject {
    const obj = this.createObject(cls.qualifiedName);
    const setstate = cls.methods.get("__setstate__");
    if (setstate) {
      runGraph(setstate.graph, [obj, state], { functions: this.functions, createObject: this.createObject, name: "__setstate__" });
    } else {
      if (!(state instanceof Map)) throw new TorchScriptArchiveError(entry, `the state of ${cls.qualifiedName} is not a dict`);
      for (const a of cls.attributes) {
        if (!state.has(a.name)) throw new TorchScriptArchiveError(entry, `${cls.qualifiedName}: attribute '${a.name}' is missing from the object's state`);
        this.setAttribute(obj, a, state.get(a.name), entry, cls.qualifiedName);
      }
    }
    for (const a of cls.attributes) {
      if (!obj.hasAttr(a.name) && a.type.kind !== "Optional" && a.type.kind !== "NoneType") {
        throw new TorchScriptArchiveError(entry, `The field '${a.name}' was left uninitialized after '__setstate__'`);
      }
    }
    return obj;
  }

  private setAttribute(obj: ScriptObject, a: AttributeDecl, value: unknown, entry: string, q: string): void {
    const why = typeMismatch(value, a.type);
    if (why) throw new TorchScriptArchiveError(entry, `${q}: attribute '${a.name}': ${why}`);
    if (!(obj instanceof LoadedScriptModule)) return obj.setAttr(a.name, value);
    // Module attributes are JS properties: a name the object already answers to (`forward`,
    // `_buffers`, `__proto__`, `parameters`, a method) would replace machinery, not add an attribute.
    if (a.name !== "training" && (a.name === "__proto__" || a.name in obj)) {
      throw new TorchScriptArchiveError(entry, `${q}: attribute name '${a.name}' collides with a method or internal property`);
    }
    if (a.name === "training") {
      obj.training = value as boolean;
    } else if (a.isParameter && value instanceof Tensor) {
      const p = new Parameter(value, value.requires_grad);
      (obj as unknown as Record<string, unknown>)[a.name] = p;
    } else if (a.isBuffer) {
      obj.register_buffer(a.name, value as Tensor | null);
    } else if (value instanceof Module) {
      obj.add_module(a.name, value);
    } else if (a.name === "_is_full_backward_hook") {
      Object.defineProperty(obj, a.name, { value, writable: true, enumerable: false, configurable: true });
    } else {
      (obj as unknown as Record<string, unknown>)[a.name] = value;
    }
  }

  /** Scripted forward (pre-)hooks run when the module is called, as PyTorch's do. */
  private installHooks(m: LoadedScriptModule, cls: ImportedClass): void {
    const run = (name: string, args: unknown[]): unknown => {
      const g = cls.methods.get(name)!.graph;
      const out = runGraph(g, [m, ...args], { functions: this.functions, createObject: this.createObject, name });
      return out.length === 0 ? null : out[0];
    };
    for (const name of cls.forwardPreHooks) {
      m.register_forward_pre_hook((_mod, input) => run(name, [tuple([...input])]));
    }
    for (const name of cls.forwardHooks) {
      m.register_forward_hook((_mod, input, output) => run(name, [tuple([...input]), output]));
    }
  }

  private fillExtraFiles(): void {
    const wanted = this.opts._extra_files;
    if (!wanted) return;
    for (const name of wanted.keys()) {
      const rec = `extra/${name}`;
      if (this.archive.has(rec)) wanted.set(name, this.archive.readText(rec));
    }
  }
}

/**
 * torch.jit.load(pathOrBuffer, {map_location, _extra_files}): a ScriptModule callable through
 * the interpreter. Every failure is a TorchScriptArchiveError: errors raised while building the
 * module (the importer's syntax and type errors, runtime errors of `__setstate__`) are wrapped,
 * naming the archive and keeping the original as `cause`.
 */
export function load(f: ArchiveSource, opts: JitLoadOptions = {}): ScriptModule {
  const bytes = archiveBytes(f);
  try {
    return new ArchiveLoader(bytes, opts, typeof f === "string").load();
  } catch (err) {
    if (err instanceof TorchScriptArchiveError) throw err;
    const e = err as Error;
    const wrapped = new TorchScriptArchiveError(typeof f === "string" ? f : "<archive>", `${e.name}: ${e.message}`);
    (wrapped as { cause?: unknown }).cause = err;
    throw wrapped;
  }
}
