/**
 * nn.Module. Instances are callable as in PyTorch: `cell(x, h)` runs forward pre-hooks,
 * `forward`, then forward hooks.
 *
 * Note [callable modules]: the base constructor returns an arrow function whose prototype is
 * set to the subclass's prototype, so `new MyCell()` is both a function and a MyCell; class
 * fields then land on that function object. The interface below gives TypeScript the call
 * signature.
 *
 * Note [registration by scanning]: PyTorch registers parameters and submodules in
 * `__setattr__`. TypeScript class fields are *defined*, not assigned, so no setter sees them;
 * instead a module's parameters and children are its own properties holding a Parameter or a
 * Module, in property order (= assignment order, PyTorch's registration order). Buffers are
 * named by register_buffer. This costs nothing on the hot path (no Proxy).
 */
import { NotImplementedError, RuntimeError, TorchError, TypeError_ } from "../util/errors.js";
import { Tensor } from "../tensor/tensor.js";
import { DType, toDType, float32, float64, roundToDType } from "../tensor/dtype.js";
import { no_grad } from "../autograd/grad_mode.js";
import { Parameter } from "./parameter.js";

export type StateDict = Map<string, Tensor>;
type ForwardHook = (module: Module, input: unknown[], output: unknown) => unknown;
type ForwardPreHook = (module: Module, input: unknown[]) => unknown;

/** Observes module calls: the tracer (Step 2) uses this to keep the module hierarchy. */
export interface ModuleCallObserver {
  call(module: Module, args: unknown[], run: () => unknown): unknown;
}
export const moduleCallState = { observer: null as ModuleCallObserver | null };

const INTERNAL = new Set(["training", "_buffers", "_forwardHooks", "_forwardPreHooks", "_nonPersistent", "_childSlots"]);

export interface Module {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  (...args: any[]): any;
}

export class Module {
  training!: boolean;
  _buffers!: Set<string>;
  _nonPersistent!: Set<string>;
  _forwardHooks!: Map<number, ForwardHook>;
  _forwardPreHooks!: Map<number, ForwardPreHook>;
  /** Names registered as submodule slots holding None (printed as `(name): None`). */
  _childSlots?: Set<string>;

  constructor() {
    // Note [hook-free module calls]: with no hook and no observer, a call of one or two
    // arguments goes straight to forward without gathering them into an array. A method
    // (unlike `function`) has no `prototype` of its own to shadow a field.
    const self = {
      module(a0?: unknown, a1?: unknown): unknown {
        const n = arguments.length;
        if (liveHooks === 0 && moduleCallState.observer === null && n <= 2) {
          return n === 2 ? self.forward(a0, a1) : n === 1 ? self.forward(a0) : self.forward();
        }
        return callModule(self, Array.prototype.slice.call(arguments));
      },
    }.module as unknown as Module;
    // A function's own `name` and `length` would shadow fields of those names.
    delete (self as { name?: unknown }).name;
    delete (self as { length?: unknown }).length;
    Object.setPrototypeOf(self, new.target.prototype);
    for (const [k, v] of [
      ["training", true], ["_buffers", new Set<string>()], ["_nonPersistent", new Set<string>()],
      ["_forwardHooks", new Map()], ["_forwardPreHooks", new Map()],
    ] as const) {
      Object.defineProperty(self, k, { value: v, writable: true, enumerable: false, configurable: true });
    }
    return self;
  }

  forward(..._args: unknown[]): unknown {
    throw new NotImplementedError(`Module [${this._name()}] is missing the required "forward" function`);
  }

  _name(): string {
    return this.constructor.name;
  }

  // ---- registration -------------------------------------------------------------------------

  /** PyTorch's name checks for register_buffer / register_parameter / add_module. */
  private checkNewName(what: string, name: string, allowExisting: (v: unknown) => boolean): void {
    if (typeof name !== "string") throw new TypeError_(`${what} name should be a string. Got ${typeof name}`);
    if (name.includes(".")) throw new TorchError("KeyError", `${what} name can't contain "."`);
    if (name === "") throw new TorchError("KeyError", `${what} name can't be empty string ""`);
    const self = this as unknown as Record<string, unknown>;
    if (name in self && !allowExisting(self[name])) {
      throw new TorchError("KeyError", `attribute '${name}' already exists`);
    }
  }

  register_buffer(name: string, tensor: Tensor | null, persistent = true): void {
    this.checkNewName("buffer", name, (v) => this._buffers.has(name) || v === undefined);
    if (tensor !== null && !(tensor instanceof Tensor)) {
      throw new TypeError_(`cannot assign '${typeof tensor}' object to buffer '${name}' (torch Tensor or None required)`);
    }
    (this as unknown as Record<string, unknown>)[name] = tensor;
    this._buffers.add(name);
    if (persistent) this._nonPersistent.delete(name);
    else this._nonPersistent.add(name);
  }

  register_parameter(name: string, param: Parameter | null): void {
    this.checkNewName("parameter", name, (v) => v === null || v === undefined || v instanceof Parameter);
    if (param !== null && !(param instanceof Parameter)) {
      throw new TypeError_(`cannot assign 'Tensor' object to parameter '${name}' (torch.nn.Parameter or None required)`);
    }
    (this as unknown as Record<string, unknown>)[name] = param;
  }

  add_module(name: string, module: Module | null): void {
    if (module !== null && !(module instanceof Module)) {
      throw new TypeError_(`${typeof module} is not a Module subclass`);
    }
    this.checkNewName("module", name, (v) => v === null || v === undefined || v instanceof Module);
    (this as unknown as Record<string, unknown>)[name] = module;
    if (module === null) {
      if (!this._childSlots) Object.defineProperty(this, "_childSlots", { value: new Set<string>(), writable: true, enumerable: false });
      this._childSlots!.add(name);
    }
  }

  register_module(name: string, module: Module | null): void {
    this.add_module(name, module);
  }

  /** Own entries in registration order: [name, value] for parameters, buffers and children. */
  private ownEntries(): [string, unknown][] {
    const out: [string, unknown][] = [];
    for (const key of Object.keys(this)) {
      if (INTERNAL.has(key)) continue;
      out.push([key, (this as unknown as Record<string, unknown>)[key]]);
    }
    return out;
  }

  named_children(): [string, Module][] {
    return this.ownEntries().filter((e): e is [string, Module] => e[1] instanceof Module);
  }

  children(): Module[] {
    return this.named_children().map((e) => e[1]);
  }

  named_modules(prefix = "", memo = new Set<Module>()): [string, Module][] {
    if (memo.has(this)) return [];
    memo.add(this);
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.named_children()) {
      out.push(...child.named_modules(prefix ? `${prefix}.${name}` : name, memo));
    }
    return out;
  }

  modules(): Module[] {
    return this.named_modules().map((e) => e[1]);
  }

  private namedMembers(pick: (m: Module) => [string, Tensor][], prefix: string, recurse: boolean): [string, Tensor][] {
    const seen = new Set<Tensor>();
    const out: [string, Tensor][] = [];
    const mods = recurse ? this.named_modules(prefix) : [[prefix, this] as [string, Module]];
    for (const [p, m] of mods) {
      for (const [name, t] of pick(m)) {
        if (seen.has(t)) continue;
        seen.add(t);
        out.push([p ? `${p}.${name}` : name, t]);
      }
    }
    return out;
  }

  _ownParameters(): [string, Parameter][] {
    return this.ownEntries().filter((e): e is [string, Parameter] => e[1] instanceof Parameter);
  }

  _ownBuffers(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const name of this._buffers) {
      const v = (this as unknown as Record<string, unknown>)[name];
      if (v instanceof Tensor) out.push([name, v]);
    }
    return out;
  }

  named_parameters(prefix = "", recurse = true): [string, Parameter][] {
    return this.namedMembers((m) => m._ownParameters(), prefix, recurse) as [string, Parameter][];
  }

  parameters(recurse = true): Parameter[] {
    return this.named_parameters("", recurse).map((e) => e[1]);
  }

  named_buffers(prefix = "", recurse = true): [string, Tensor][] {
    return this.namedMembers((m) => m._ownBuffers(), prefix, recurse);
  }

  buffers(recurse = true): Tensor[] {
    return this.named_buffers("", recurse).map((e) => e[1]);
  }

  get_submodule(target: string): Module {
    if (target === "") return this;
    let mod: Module = this;
    for (const item of target.split(".")) {
      const next = (mod as unknown as Record<string, unknown>)[item];
      if (!(next instanceof Module)) {
        throw new Error(`${mod._name()} has no attribute \`${item}\``);
      }
      mod = next;
    }
    return mod;
  }

  // ---- state ----------------------------------------------------------------------------------

  /** Parameters and persistent buffers, detached, in PyTorch's order (per module: params, then buffers). */
  state_dict(opts: { prefix?: string; keep_vars?: boolean } = {}): StateDict {
    const out: StateDict = new Map();
    this.collectState(opts.prefix ?? "", opts.keep_vars === true, out);
    return out;
  }

  /** Like PyTorch, a submodule shared under two names appears under both (no de-duplication). */
  private collectState(base: string, keepVars: boolean, out: StateDict): void {
    for (const [n, t] of this._ownParameters()) out.set(base + n, keepVars ? t : t.detach());
    for (const [n, t] of this._ownBuffers()) {
      if (!this._nonPersistent.has(n)) out.set(base + n, keepVars ? t : t.detach());
    }
    for (const [name, child] of this.named_children()) child.collectState(`${base}${name}.`, keepVars, out);
  }

  load_state_dict(
    state: StateDict | Record<string, Tensor>,
    strict = true,
  ): { missing_keys: string[]; unexpected_keys: string[] } {
    const given = state instanceof Map ? state : new Map(Object.entries(state));
    const own = this.state_dict({ keep_vars: true });
    const missing = [...own.keys()].filter((k) => !given.has(k));
    const unexpected = [...given.keys()].filter((k) => !own.has(k));
    const errors: string[] = [];
    for (const [k, dst] of own) {
      const src = given.get(k);
      if (!src) continue;
      if (src.shape.join(",") !== dst.shape.join(",")) {
        errors.push(
          `size mismatch for ${k}: copying a param with shape torch.Size([${src.shape.join(", ")}]) from checkpoint, the shape in current model is torch.Size([${dst.shape.join(", ")}]).`,
        );
      }
    }
    if (strict) {
      if (unexpected.length) errors.unshift(`Unexpected key(s) in state_dict: ${unexpected.map((k) => `"${k}"`).join(", ")}. `);
      if (missing.length) errors.unshift(`Missing key(s) in state_dict: ${missing.map((k) => `"${k}"`).join(", ")}. `);
    }
    if (errors.length) {
      throw new RuntimeError(`Error(s) in loading state_dict for ${this._name()}:\n\t${errors.join("\n\t")}`);
    }
    no_grad(() => {
      for (const [k, dst] of own) {
        const src = given.get(k);
        if (src) copyData(dst, src);
      }
    });
    return { missing_keys: strict ? [] : missing, unexpected_keys: strict ? [] : unexpected };
  }

  // ---- modes and bulk changes -----------------------------------------------------------------

  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  requires_grad_(requires_grad = true): this {
    for (const p of this.parameters()) p.requires_grad_(requires_grad);
    return this;
  }

  /** PyTorch 1.13's default keeps the grad tensors and zeroes them; pass true to drop them. */
  zero_grad(set_to_none = false): void {
    for (const p of this.parameters()) {
      if (p.grad === null) continue;
      if (set_to_none) p.grad = null;
      else if (p.grad.is_contiguous()) {
        p.grad.storage.data.fill(0, p.grad.offset, p.grad.offset + p.grad.numel());
        p.grad.storage.version++;
      } else p.grad = convertTensor(p.grad, p.grad.dtype).mul_(0);
    }
  }

  apply(fn: (m: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /** Converts floating parameters and buffers to `dtype` in place of the module's tensors. */
  to(dtype: DType | string): this {
    const d = toDType(dtype as DType);
    if (typeof dtype === "string" && (dtype === "cpu")) return this;
    for (const m of this.modules()) {
      for (const [n, t] of [...m._ownParameters(), ...m._ownBuffers()]) {
        if (!t.dtype.is_floating_point || t.dtype === d) continue;
        const converted = convertTensor(t, d);
        if (t instanceof Parameter) {
          // Keep the Parameter object (an optimizer may hold it); swap its data, as PyTorch does.
          t.storage = converted.storage;
          t.shape = converted.shape;
          t._strides = converted._strides;
          t.offset = 0;
          t.dtype = d;
          if (t.grad) t.grad = convertTensor(t.grad, d);
        } else {
          (m as unknown as Record<string, unknown>)[n] = converted;
        }
      }
    }
    return this;
  }

  float(): this {
    return this.to(float32);
  }

  double(): this {
    return this.to(float64);
  }

  cpu(): this {
    return this;
  }

  // ---- hooks ----------------------------------------------------------------------------------

  register_forward_hook(hook: ForwardHook): { remove(): void } {
    return addHook(this._forwardHooks, hook);
  }

  register_forward_pre_hook(hook: ForwardPreHook): { remove(): void } {
    return addHook(this._forwardPreHooks, hook);
  }

  // ---- printing -------------------------------------------------------------------------------

  extra_repr(): string {
    return "";
  }

  toString(): string {
    const lines: string[] = [];
    const extra = this.extra_repr();
    if (extra) lines.push(...extra.split("\n"));
    const self = this as unknown as Record<string, unknown>;
    for (const [name, child] of this.named_children()) lines.push(`(${name}): ${indent(child.toString())}`);
    for (const name of this._childSlots ?? []) if (self[name] === null) lines.push(`(${name}): None`);
    const head = `${this._name()}(`;
    if (lines.length === 0) return `${head})`;
    if (extra && !extra.includes("\n") && lines.length === 1) return `${head}${lines[0]})`;
    return `${head}\n  ${lines.join("\n  ")}\n)`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

let nextHookId = 0;

function indent(s: string): string {
  return s.split("\n").join("\n  ");
}

function callModule(self: Module, args: unknown[]): unknown {
  const observer = moduleCallState.observer;
  if (observer !== null) return observer.call(self, args, () => runModule(self, args));
  return runModule(self, args);
}

/**
 * Hooks registered on any module and not removed. Note [hook-free module calls]: Module
 * instances are dictionary-mode objects (the callable's own `name`/`length` are deleted so
 * fields of those names work), where every property read is a hash lookup; while no module has
 * a hook, a call skips reading the two hook maps.
 */
let liveHooks = 0;

function addHook<H>(hooks: Map<number, H>, hook: H): { remove(): void } {
  const id = nextHookId++;
  hooks.set(id, hook);
  liveHooks++;
  return { remove: () => void (hooks.delete(id) && liveHooks--) };
}

function runModule(self: Module, args: unknown[]): unknown {
  if (liveHooks === 0) {
    const n = args.length;
    return n === 1 ? self.forward(args[0]) : n === 2 ? self.forward(args[0], args[1]) : self.forward(...args);
  }
  if (self._forwardPreHooks.size > 0) {
    for (const hook of self._forwardPreHooks.values()) {
      const r = hook(self, args);
      if (r !== undefined && r !== null) args = Array.isArray(r) ? r : [r];
    }
  }
  // without a spread for the common arities: a spread call costs on every module call
  const n = args.length;
  let out = n === 1 ? self.forward(args[0]) : n === 2 ? self.forward(args[0], args[1]) : self.forward(...args);
  if (self._forwardHooks.size > 0) {
    for (const hook of self._forwardHooks.values()) {
      const r = hook(self, args, out);
      if (r !== undefined && r !== null) out = r;
    }
  }
  return out;
}

/** Copies src's values into dst (same shape), converting dtype; used by load_state_dict. */
function copyData(dst: Tensor, src: Tensor): void {
  const s = convertTensor(src, dst.dtype).contiguousData();
  const d = dst.storage.data;
  if (dst.is_contiguous()) {
    for (let i = 0; i < s.length; i++) d[dst.offset + i] = s[i]!;
  } else {
    const tmp = convertTensor(src, dst.dtype);
    const view = dst as Tensor & { copy_?: (t: Tensor) => Tensor };
    if (view.copy_) view.copy_(tmp);
  }
  dst.storage.version++;
}

function convertTensor(t: Tensor, d: DType): Tensor {
  const src = t.contiguousData();
  const data = new d.ArrayType(src.length);
  for (let i = 0; i < src.length; i++) data[i] = roundToDType(src[i]!, d);
  return Tensor.fromData(data, t.shape.slice(), d);
}
