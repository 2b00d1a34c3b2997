/**
 * Containers: Sequential, ModuleList, ModuleDict.
 *
 * Note [container order]: Module finds children by scanning own properties
 * (Note [registration by scanning]), and JS enumerates integer-like keys ("0", "10") first in
 * ascending order, whatever the insertion order. That is Sequential's and ModuleList's order
 * anyway, but not a ModuleDict's ({"b": ..., "1": ...} must stay b, 1) nor a Sequential built
 * from a Map with mixed names. So containers record their insertion order and override
 * named_children, which everything else (named_modules, parameters, state_dict, printing)
 * goes through.
 */
import { Module } from "../module.js";
import { IndexError, NotImplementedError, TorchError, TypeError_ } from "../../util/errors.js";
import { nameLocal } from "../../tensor/local_names.js";

const ORDER = Symbol("container order");

class KeyError extends TorchError {
  constructor(message: string) {
    super("KeyError", message);
  }
}

function typeName(v: unknown): string {
  if (v === null || v === undefined) return "NoneType";
  if (typeof v === "object" || typeof v === "function") return (v as object).constructor?.name ?? typeof v;
  return typeof v === "number" ? (Number.isInteger(v) ? "int" : "float") : typeof v;
}

/** Base of the containers: PyTorch's add_module checks, and Note [container order]. */
abstract class OrderedContainer extends Module {
  private readonly [ORDER]: string[] = [];

  override add_module(name: string, module: Module | null): void {
    if (!(module instanceof Module) && module !== null) {
      throw new TypeError_(`${typeName(module)} is not a Module subclass`);
    }
    if (typeof name !== "string") throw new TypeError_(`module name should be a string. Got ${typeName(name)}`);
    const own = this[ORDER].includes(name);
    if (!own && name in this) throw new KeyError(`attribute '${name}' already exists`);
    if (name.includes(".")) throw new KeyError(`module name can't contain ".", got: ${name}`);
    if (name === "") throw new KeyError(`module name can't be empty string ""`);
    if (!own) this[ORDER].push(name);
    (this as unknown as Record<string, unknown>)[name] = module;
  }

  override named_children(): [string, Module][] {
    const out: [string, Module][] = [];
    const self = this as unknown as Record<string, unknown>;
    for (const k of this[ORDER]) {
      const v = self[k];
      if (v instanceof Module) out.push([k, v]);
    }
    // children registered by plain assignment (not through add_module) follow, in property order
    for (const k of Object.keys(this)) {
      const v = self[k];
      if (v instanceof Module && !this[ORDER].includes(k)) out.push([k, v]);
    }
    return out;
  }

  /** Names in order, including slots holding null (PyTorch's `_modules.keys()`). */
  protected _keys(): string[] {
    return this[ORDER].slice();
  }

  protected _lookup(name: string): Module {
    return (this as unknown as Record<string, Module>)[name]!;
  }

  protected _remove(name: string): void {
    const i = this[ORDER].indexOf(name);
    if (i >= 0) this[ORDER].splice(i, 1);
    delete (this as unknown as Record<string, unknown>)[name];
  }

  /** After a deletion, renames the remaining children "0", "1", ... ("To preserve numbering"). */
  protected _renumber(): void {
    const mods = this[ORDER].map((k) => this._lookup(k));
    for (const k of this._keys()) this._remove(k);
    mods.forEach((m, i) => this.add_module(String(i), m));
  }

  /** Python's index normalisation for `self[idx]`. */
  protected _absIndex(idx: number): number {
    const n = this[ORDER].length;
    if (!Number.isInteger(idx)) throw new TypeError_(`'${typeName(idx)}' object cannot be interpreted as an integer`);
    if (!(-n <= idx && idx < n)) throw new IndexError(`index ${idx} is out of range`);
    return idx < 0 ? idx + n : idx;
  }

  override get length(): number {
    return this[ORDER].length;
  }
}

/** Python slice bounds, as list[start:end] clamps them. */
function sliceRange(n: number, start = 0, end = n): [number, number] {
  const norm = (i: number): number => (i < 0 ? Math.max(0, i + n) : Math.min(i, n));
  return [norm(start), norm(end)];
}

/**
 * torch.nn.Sequential: calls its children in order, each on the previous one's output.
 * `new nn.Sequential(a, b)` names them "0", "1"; `new nn.Sequential(new Map([["fc", a]]))`
 * keeps the given names (PyTorch's OrderedDict form).
 */
export class Sequential extends OrderedContainer {
  [index: number]: Module;

  constructor(...args: Module[] | [Map<string, Module>]) {
    super();
    const first = args[0];
    if (args.length === 1 && first instanceof Map) {
      for (const [k, m] of first) this.add_module(k, m);
    } else {
      (args as Module[]).forEach((m, i) => this.add_module(String(i), m));
    }
  }

  /** `seq[idx]`, negative indices counting from the end. */
  at(idx: number): Module {
    return this._lookup(this._keys()[this._absIndex(idx)]!);
  }

  get(idx: number): Module {
    return this.at(idx);
  }

  /** `seq[idx] = module`. */
  set(idx: number, module: Module): void {
    this.add_module(this._keys()[this._absIndex(idx)]!, module);
  }

  /** `seq[start:end]`: a new Sequential sharing the modules, keeping their names. */
  slice(start?: number, end?: number): Sequential {
    const [s, e] = sliceRange(this.length, start, end);
    return new Sequential(new Map(this._keys().slice(s, e).map((k) => [k, this._lookup(k)] as [string, Module])));
  }

  /** `del seq[idx]`; the remaining children are renumbered from 0. */
  delete(idx: number): void {
    this._remove(this._keys()[this._absIndex(idx)]!);
    this._renumber();
  }

  pop(idx: number): Module {
    const m = this.at(idx);
    this.delete(idx);
    return m;
  }

  append(module: Module): this {
    this.add_module(String(this.length), module);
    return this;
  }

  insert(index: number, module: Module): this {
    if (!(module instanceof Module)) {
      throw new TorchError("AssertionError", "module should be of type: <class 'torch.nn.modules.module.Module'>");
    }
    const n = this.length;
    if (!(-n <= index && index <= n)) throw new IndexError(`Index out of range: ${index}`);
    const at = index < 0 ? index + n : index;
    const mods = [...this];
    mods.splice(at, 0, module);
    for (const k of this._keys()) this._remove(k);
    mods.forEach((m, i) => this.add_module(String(i), m));
    return this;
  }

  extend(modules: Iterable<Module>): this {
    for (const m of [...modules]) this.append(m);
    return this;
  }

  *[Symbol.iterator](): IterableIterator<Module> {
    for (const k of this._keys()) yield this._lookup(k);
  }

  override forward(input: unknown): unknown {
    let x = input;
    // PyTorch's `input = module(input)`: the frame's `input` follows (Note [local names])
    for (const m of this) x = nameLocal(m(x), "input");
    return x;
  }
}

/** torch.nn.ModuleList: a list of registered submodules, with no forward of its own. */
export class ModuleList extends OrderedContainer {
  [index: number]: Module;

  constructor(modules?: Iterable<Module> | null) {
    super();
    if (modules !== undefined && modules !== null) this.extend(modules);
  }

  at(idx: number): Module {
    return this._lookup(String(this._absIndex(idx)));
  }

  get(idx: number): Module {
    return this.at(idx);
  }

  set(idx: number, module: Module): void {
    this.add_module(String(this._absIndex(idx)), module);
  }

  slice(start?: number, end?: number): ModuleList {
    const [s, e] = sliceRange(this.length, start, end);
    return new ModuleList([...this].slice(s, e));
  }

  delete(idx: number): void {
    this._remove(String(this._absIndex(idx)));
    this._renumber();
  }

  pop(idx = -1): Module {
    const m = this.at(idx);
    this.delete(idx);
    return m;
  }

  append(module: Module): this {
    this.add_module(String(this.length), module);
    return this;
  }

  extend(modules: Iterable<Module>): this {
    if (modules === null || typeof (modules as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== "function") {
      throw new TypeError_(`ModuleList.extend should be called with an iterable, but got ${typeName(modules)}`);
    }
    const offset = this.length;
    [...modules].forEach((m, i) => this.add_module(String(offset + i), m));
    return this;
  }

  /** Inserts before `index` (Python list semantics: negative counts from the end, clamped). */
  insert(index: number, module: Module): void {
    const n = this.length;
    const at = index < 0 ? Math.max(0, index + n) : Math.min(index, n);
    const mods = [...this];
    mods.splice(at, 0, module);
    for (const k of this._keys()) this._remove(k);
    mods.forEach((m, i) => this.add_module(String(i), m));
  }

  *[Symbol.iterator](): IterableIterator<Module> {
    for (const k of this._keys()) yield this._lookup(k);
  }

  override forward(..._args: unknown[]): unknown {
    throw new NotImplementedError(`Module [${this._name()}] is missing the required "forward" function`);
  }
}

type ModuleEntries = Map<string, Module> | ModuleDict | Iterable<readonly [string, Module]> | Record<string, Module>;

/**
 * torch.nn.ModuleDict: registered submodules by name, in insertion order. Pass a Map or an
 * array of pairs to keep the order of integer-like names (a plain object lists them first).
 */
export class ModuleDict extends OrderedContainer {
  constructor(modules?: ModuleEntries | null) {
    super();
    if (modules !== undefined && modules !== null) this.update(modules);
  }

  get(key: string): Module {
    if (!this.has(key)) throw new KeyError(`'${key}'`);
    return this._lookup(key);
  }

  set(key: string, module: Module): void {
    this.add_module(key, module);
  }

  has(key: string): boolean {
    return this._keys().includes(key);
  }

  delete(key: string): void {
    if (!this.has(key)) throw new KeyError(`'${key}'`);
    this._remove(key);
  }

  pop(key: string): Module {
    const m = this.get(key);
    this.delete(key);
    return m;
  }

  clear(): void {
    for (const k of this._keys()) this._remove(k);
  }

  keys(): string[] {
    return this._keys();
  }

  values(): Module[] {
    return this._keys().map((k) => this._lookup(k));
  }

  items(): [string, Module][] {
    return this._keys().map((k) => [k, this._lookup(k)]);
  }

  update(modules: ModuleEntries): void {
    if (modules instanceof ModuleDict || modules instanceof Map) {
      const entries = modules instanceof ModuleDict ? modules.items() : modules;
      for (const [k, m] of entries) this.set(k, m);
      return;
    }
    if (typeof (modules as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function") {
      [...(modules as Iterable<readonly [string, Module]>)].forEach((pair, j) => {
        if (!Array.isArray(pair)) {
          throw new TypeError_(`ModuleDict update sequence element #${j} should be Iterable; is${typeName(pair)}`);
        }
        if (pair.length !== 2) {
          throw new TorchError("ValueError", `ModuleDict update sequence element #${j} has length ${pair.length}; 2 is required`);
        }
        this.set(pair[0], pair[1]);
      });
      return;
    }
    for (const [k, m] of Object.entries(modules as Record<string, Module>)) this.set(k, m);
  }

  *[Symbol.iterator](): IterableIterator<string> {
    yield* this._keys();
  }

  override forward(..._args: unknown[]): unknown {
    throw new NotImplementedError(`Module [${this._name()}] is missing the required "forward" function`);
  }
}
