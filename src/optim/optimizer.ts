/**
 * torch.optim.Optimizer: parameter groups with defaults, per-parameter state, zero_grad and
 * state_dict / load_state_dict, as in PyTorch 1.13.
 *
 * Note [update kernels]: SGD and Adam update each parameter element by element with PyTorch
 * 1.13's single-tensor formulas, rounding after every tensor op exactly where PyTorch's CPU
 * kernels round (`ElementArith`). The vectorized CPU kernels of `add(x, alpha=a)` are fused
 * multiply-adds (`vec::fmadd`), and `addcmul`'s `self + v * t1 * t2` is contracted to
 * fma(v * t1, t2, self) by the compiler, so those steps use fmaf / fma64 (one rounding), while
 * `mul`, `div`, `sqrt` and `addcdiv` round each operation. Scalars are cast to the tensor's
 * dtype first, as TensorIterator does with Python numbers. Writing the loops by hand (rather
 * than calling add_/addcdiv_) pins these roundings down and costs no per-op dispatch.
 */
import { NotImplementedError, RuntimeError, TorchError, TypeError_, ValueError } from "../util/errors.js";
import { Tensor, gatherStrided } from "../tensor/tensor.js";
import { DType, float32, float64, roundToDType, type TypedArray } from "../tensor/dtype.js";
import { fma64, fmaf } from "../tensor/random/init_math.js";
import { enable_grad, no_grad } from "../autograd/grad_mode.js";
import { pyNum } from "../nn/layers/utils.js";

/** One entry of `optimizer.state`: moment buffers, step counters (tensors or null). */
export type ParamState = Record<string, Tensor | number | null>;

/** A parameter group: its tensors plus the options it overrides or inherits from the defaults. */
export type ParamGroup = { params: Tensor[] } & Record<string, unknown>;

/** What optimizers accept: tensors, or groups `{params, ...options}`. */
export type ParamsInput = Iterable<Tensor> | Iterable<{ params: Tensor | Iterable<Tensor> } & Record<string, unknown>>;

export interface OptimizerStateDict {
  /** Keyed by the parameter's index over all groups, in the order the state was created. */
  state: Map<number, ParamState>;
  param_groups: ({ params: number[] } & Record<string, unknown>)[];
}

/** The `required` marker of torch.optim (SGD's lr has no default in 1.13). */
export const required: unique symbol = Symbol("required parameter");

export class Optimizer {
  defaults: Record<string, unknown>;
  state: Map<Tensor, ParamState>;
  param_groups: ParamGroup[];

  constructor(params: ParamsInput, defaults: Record<string, unknown>) {
    this.defaults = defaults;
    if (params instanceof Tensor) {
      throw new TypeError_(
        `params argument given to the optimizer should be an iterable of Tensors or dicts, but got torch.${params.dtype.scalarType}Tensor`,
      );
    }
    this.state = new Map();
    this.param_groups = [];
    let groups = [...(params as Iterable<unknown>)];
    if (groups.length === 0) throw new ValueError("optimizer got an empty parameter list");
    if (groups[0] instanceof Tensor) groups = [{ params: groups }];
    for (const g of groups) this.add_param_group(g as ParamGroup);
  }

  /** The state of `p`, created empty on first use (Python's defaultdict(dict)). */
  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (s === undefined) {
      s = {};
      this.state.set(p, s);
    }
    return s;
  }

  add_param_group(param_group: { params: Tensor | Iterable<Tensor> } & Record<string, unknown>): void {
    if (typeof param_group !== "object" || param_group === null || Array.isArray(param_group)) {
      throw new TorchError("AssertionError", "param group must be a dict");
    }
    const raw = param_group.params;
    if (raw instanceof Set) {
      throw new TypeError_(
        "optimizer parameters need to be organized in ordered collections, but the ordering of tensors in sets will change between runs. Please use a list instead.",
      );
    }
    const params = raw instanceof Tensor ? [raw] : [...raw];
    for (const p of params) {
      if (!(p instanceof Tensor)) {
        throw new TypeError_(`optimizer can only optimize Tensors, but one of the params is ${typeName(p)}`);
      }
      if (!this.defaults["differentiable"] && !(p.is_leaf || p.retains_grad)) {
        throw new ValueError("can't optimize a non-leaf Tensor");
      }
    }
    const group: ParamGroup = { ...param_group, params };
    for (const [name, def] of Object.entries(this.defaults)) {
      if (def === required && !(name in group)) {
        throw new ValueError(`parameter group didn't specify a value of required optimization parameter ${name}`);
      }
      if (!(name in group)) group[name] = def;
    }
    if (new Set(params).size !== params.length) {
      console.warn(
        "optimizer contains a parameter group with duplicate parameters; in future, this will cause an error; see github.com/pytorch/pytorch/issues/40967 for more information",
      );
    }
    const existing = new Set(this.param_groups.flatMap((g) => g.params));
    if (params.some((p) => existing.has(p))) {
      throw new ValueError("some parameters appear in more than one parameter group");
    }
    this.param_groups.push(group);
  }

  /** PyTorch 1.13: zeroes the grads in place by default; `set_to_none` drops them instead. */
  zero_grad(set_to_none = false): void {
    for (const group of this.param_groups) {
      for (const p of group.params) {
        const g = p.grad;
        if (g === null) continue;
        if (set_to_none) {
          p.grad = null;
          continue;
        }
        if (g.grad_fn !== null) g.detach_();
        else g.requires_grad = false;
        fillZero(g);
      }
    }
  }

  step(_closure?: () => unknown): unknown {
    throw new NotImplementedError("");
  }

  /** Runs the closure with grad enabled (PyTorch's `with torch.enable_grad(): loss = closure()`). */
  protected runClosure(closure?: () => unknown): unknown {
    return closure === undefined ? null : enable_grad(closure);
  }

  /** Runs the update without recording gradients. */
  protected withoutGrad(fn: () => void): void {
    no_grad(fn);
  }

  state_dict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    let start = 0;
    const groups = this.param_groups.map((g) => {
      const packed: { params: number[] } & Record<string, unknown> = { params: [] };
      for (const [k, v] of Object.entries(g)) if (k !== "params") packed[k] = v;
      g.params.forEach((p, i) => {
        if (!index.has(p)) index.set(p, start + i);
      });
      packed.params = g.params.map((p) => index.get(p)!);
      start += g.params.length;
      return packed;
    });
    const state = new Map<number, ParamState>();
    for (const [p, s] of this.state) {
      const k = index.get(p);
      if (k !== undefined) state.set(k, s);
    }
    return { state, param_groups: groups };
  }

  load_state_dict(state_dict: {
    state: Map<number, ParamState> | Record<string, ParamState>;
    param_groups: ({ params: number[] } & Record<string, unknown>)[];
  }): void {
    const groups = this.param_groups;
    const saved = state_dict.param_groups;
    if (groups.length !== saved.length) {
      throw new ValueError("loaded state dict has a different number of parameter groups");
    }
    if (groups.some((g, i) => g.params.length !== saved[i]!.params.length)) {
      throw new ValueError("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
    }
    const idMap = new Map<number, Tensor>();
    saved.forEach((sg, gi) => sg.params.forEach((id, j) => idMap.set(id, groups[gi]!.params[j]!)));
    const entries: [number, ParamState][] = state_dict.state instanceof Map
      ? [...state_dict.state]
      : Object.entries(state_dict.state).map(([k, v]) => [Number(k), v]);
    const state = new Map<Tensor, ParamState>();
    for (const [k, v] of entries) {
      const p = idMap.get(k);
      if (p !== undefined) state.set(p, castState(p, v));
    }
    this.state = state;
    this.param_groups = groups.map((g, i) => {
      const copy: ParamGroup = { ...deepCopyValue(saved[i]!) as Record<string, unknown>, params: g.params };
      return copy;
    });
    this.upgradeState();
  }

  /**
   * PyTorch's `__setstate__`, run after load_state_dict: fills options that older state dicts
   * lack (the keys and values each optimizer lists) and converts legacy state.
   */
  protected upgradeState(): void {
    this.defaults["differentiable"] ??= false;
    for (const group of this.param_groups) {
      for (const [k, v] of Object.entries(this.setstateDefaults())) if (!(k in group)) group[k] = v;
    }
  }

  /** Group options `__setstate__` fills with `setdefault` (per optimizer). */
  protected setstateDefaults(): Record<string, unknown> {
    return {};
  }

  toString(): string {
    let s = `${this.constructor.name} (`;
    this.param_groups.forEach((group, i) => {
      s += `\nParameter Group ${i}\n`;
      for (const key of Object.keys(group).sort()) {
        if (key !== "params") s += `    ${key}: ${pyRepr(group[key])}\n`;
      }
    });
    return `${s})`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

function typeName(v: unknown): string {
  if (v === null || v === undefined) return "NoneType";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "string") return "str";
  if (typeof v === "boolean") return "bool";
  if (Array.isArray(v)) return "list";
  return (v as object).constructor?.name ?? typeof v;
}

/** load_state_dict's `cast`: deep copies, converting floating tensors (except `step`) to p's dtype. */
function castState(p: Tensor, s: ParamState): ParamState {
  const out: ParamState = {};
  for (const [k, v] of Object.entries(s)) {
    if (v instanceof Tensor) {
      const dtype = k !== "step" && p.dtype.is_floating_point ? p.dtype : v.dtype;
      out[k] = copyTensor(v, dtype);
    } else out[k] = v;
  }
  return out;
}

function deepCopyValue(v: unknown): unknown {
  if (v instanceof Tensor) return copyTensor(v, v.dtype);
  if (Array.isArray(v)) return v.map(deepCopyValue);
  if (typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deepCopyValue(x)]));
  }
  return v;
}

/** A fresh contiguous copy of `t` in `dtype` (values rounded to the dtype's precision). */
export function copyTensor(t: Tensor, dtype: DType): Tensor {
  const src = t.contiguousData();
  const data = new dtype.ArrayType(src.length);
  for (let i = 0; i < src.length; i++) data[i] = roundToDType(src[i]!, dtype);
  return Tensor.fromData(data, t.shape.slice(), dtype);
}

/** A contiguous tensor of zeros shaped like `t` (zeros_like). */
export function zerosLike(t: Tensor): Tensor {
  return Tensor.empty(t.shape.slice(), t.dtype);
}

/** torch.tensor(0.): Adam's step counter. */
export function scalarTensor(v: number): Tensor {
  return Tensor.fromData(new Float32Array([v]), [], float32);
}

/** Tensor.zero_ for any layout, bumping the version counter as an in-place op does. */
function fillZero(t: Tensor): void {
  withFlat(t, (d, o, n) => d.fill(0, o, o + n));
}

/**
 * Runs `fn` on t's elements as one flat run `data[off .. off+n)`: t's own storage when t is
 * contiguous, otherwise a gathered copy that is scattered back afterwards. Counts as an
 * in-place write (version bump).
 */
export function withFlat(t: Tensor, fn: (data: TypedArray, off: number, n: number) => void): void {
  const n = t.numel();
  if (t.is_contiguous()) {
    fn(t.storage.data, t.offset, n);
  } else {
    const tmp = new t.dtype.ArrayType(n);
    gatherStrided(t.storage.data, t.shape, t._strides, t.offset, tmp);
    fn(tmp, 0, n);
    scatterStrided(tmp, t);
  }
  t.storage.version++;
}

function scatterStrided(src: TypedArray, t: Tensor): void {
  const nd = t.shape.length;
  const idx = new Array<number>(nd).fill(0);
  const d = t.storage.data;
  for (let i = 0; i < src.length; i++) {
    let p = t.offset;
    for (let k = 0; k < nd; k++) p += idx[k]! * t._strides[k]!;
    d[p] = src[i]!;
    for (let k = nd - 1; k >= 0; k--) {
      if (++idx[k]! < t.shape[k]!) break;
      idx[k] = 0;
    }
  }
}

/**
 * Element arithmetic of one dtype as PyTorch's CPU kernels do it (Note [update kernels]):
 * `s` casts a Python scalar to the dtype, `r` rounds an op's result, `fma` is a fused
 * multiply-add rounded once.
 */
export interface ElementArith {
  s(x: number): number;
  r(x: number): number;
  fma(a: number, b: number, c: number): number;
}

const ARITH_F32: ElementArith = { s: Math.fround, r: Math.fround, fma: fmaf };
const ARITH_F64: ElementArith = { s: (x) => x, r: (x) => x, fma: fma64 };

export function arithFor(dtype: DType): ElementArith {
  if (dtype === float32) return ARITH_F32;
  if (dtype === float64) return ARITH_F64;
  if (!dtype.is_floating_point) {
    throw new RuntimeError(`optimizers support floating point parameters only, got ${dtype.name}`);
  }
  // float16 / bfloat16: computed in float, rounded to the narrow type after each op
  const r = (x: number): number => roundToDType(Math.fround(x), dtype);
  return { s: Math.fround, r, fma: (a, b, c) => r(fmaf(a, b, c)) };
}

/** Python's repr of an option value, for Optimizer.toString. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "number") return pyNum(v); // JS cannot tell 0 from 0.0: integral values print as ints
  if (typeof v === "string") return `'${v}'`;
  if (Array.isArray(v)) return v.length === 1 ? `(${pyRepr(v[0])},)` : `(${v.map(pyRepr).join(", ")})`;
  return String(v);
}
