/**
 * Helpers shared by the layers, after torch/nn/modules/utils.py (_single, _pair, ...) plus the
 * Python value formatting that extra_repr strings need, so `String(model)` equals `print(model)`.
 */
import { Tensor } from "../../tensor/tensor.js";
import { get_default_dtype, toDType, type DType, type DTypeName } from "../../tensor/dtype.js";
import { RuntimeError, TypeError_ } from "../../util/errors.js";

/** `_ntuple(n)`: an int becomes an n-tuple; a list is kept as given. */
export function ntuple(n: number, x: number | readonly number[]): number[] {
  return typeof x === "number" ? new Array<number>(n).fill(x) : x.slice();
}
export const single = (x: number | readonly number[]): number[] => ntuple(1, x);
export const pair = (x: number | readonly number[]): number[] => ntuple(2, x);

/**
 * Python's repr of a float: shortest round-trip digits, scientific notation when the decimal
 * exponent is below -4 or at least 16 ("1e-05", "1e+16"), and a ".0" on integral values.
 */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mant, expText] = x.toExponential().split("e") as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) return `${mant}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  const s = x.toString();
  return s.includes(".") ? s : `${s}.0`;
}

/**
 * A JS number as Python would print the value a user most likely passed: integers as ints,
 * everything else as a float. (JS cannot tell 1 from 1.0; fields PyTorch always holds as floats
 * use pyFloat instead.)
 */
export function pyNum(x: number): string {
  return Number.isInteger(x) ? String(x) : pyFloat(x);
}

/** Python's repr of a tuple of numbers: (3, 3), (3,), (). */
export function pyTuple(xs: readonly number[]): string {
  if (xs.length === 1) return `(${pyNum(xs[0]!)},)`;
  return `(${xs.map(pyNum).join(", ")})`;
}

/** A value a layer keeps as "int or tuple" (pooling kernel_size, ...), printed as Python would. */
export function pyIntOrTuple(x: number | readonly number[]): string {
  return typeof x === "number" ? pyNum(x) : pyTuple(x);
}

/** Python's bool repr. */
export function pyBool(b: boolean): string {
  return b ? "True" : "False";
}

/** Python's repr of an optional value: None for null/undefined. */
export function pyOpt<T>(x: T | null | undefined, fmt: (v: T) => string): string {
  return x === null || x === undefined ? "None" : fmt(x);
}

/** Python's repr of a str: single quotes. */
export function pyStr(s: string): string {
  return `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** The factory keyword arguments every parameterised layer accepts (device is always cpu). */
export interface FactoryKwargs {
  dtype?: DType | DTypeName | null;
  device?: string | null;
}

/** `torch.empty(shape, dtype=..., device=...)` for a layer's parameters and buffers. */
export function factoryTensor(shape: number[], opts: FactoryKwargs, fill = 0): Tensor {
  if (opts.device !== undefined && opts.device !== null && opts.device !== "cpu") {
    throw new RuntimeError(`tsjit runs on the CPU only; device '${opts.device}' is not available`);
  }
  const t = Tensor.empty(shape, opts.dtype ? toDType(opts.dtype) : get_default_dtype());
  if (fill !== 0) t.storage.data.fill(fill);
  return t;
}

// ----------------------------------------------------------------- Note [python signatures]
// torch.nn.functional's functions are Python functions: arguments bind positionally, then by
// keyword. In JS the keywords come as a trailing plain object. A signature is written as
// Python writes it ("input, p=0.5, training=True") and parsed once, so each wrapper is its
// signature plus the body PyTorch runs.

/**
 * The rest-argument types of a wrapper whose optional positional parameters are P: any prefix
 * of P, then optionally the keyword object K. `Call<[p: number, training: boolean], K>` is
 * `[number, boolean, K?] | [number, K?] | [K?]`.
 */
export type Call<P extends unknown[], K> = P extends [...infer I, unknown] ? [...P, K?] | Call<I, K> : [K?];

function parseDefault(text: string): unknown {
  const t = text.trim();
  if (t === "None") return null;
  if (t === "True") return true;
  if (t === "False") return false;
  if (/^'.*'$/.test(t)) return t.slice(1, -1);
  if (t === "[]" || t === "()") return [];
  const n = Number(t);
  if (Number.isNaN(n)) throw new Error(`pySignature: cannot parse default ${t}`);
  return n;
}

function isKwargs(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

export class PySignature {
  readonly names: string[] = [];
  private readonly defaults: unknown[] = [];
  private readonly required: number;

  constructor(readonly name: string, spec: string) {
    let required = 0;
    for (const part of spec.split(",")) {
      const eq = part.indexOf("=");
      this.names.push((eq < 0 ? part : part.slice(0, eq)).trim());
      this.defaults.push(eq < 0 ? undefined : parseDefault(part.slice(eq + 1)));
      if (eq < 0) required = this.names.length;
    }
    this.required = required;
  }

  /** Binds `first` and `rest` (positional values, then an optional keyword object) in order. */
  bind(first: unknown, rest: readonly unknown[]): unknown[] {
    let n = rest.length + 1;
    const last = rest[rest.length - 1];
    const kwargs = rest.length > 0 && isKwargs(last) ? last : null;
    if (kwargs) n--;
    if (n > this.names.length) throw this.tooMany(n);
    const out = this.defaults.slice();
    out[0] = first;
    for (let i = 1; i < n; i++) if (rest[i - 1] !== undefined) out[i] = rest[i - 1];
    if (kwargs) this.bindKeywords(kwargs, n, out);
    for (let i = 0; i < this.required; i++) {
      if (out[i] === undefined) {
        throw new TypeError_(`${this.name}() missing 1 required positional argument: '${this.names[i]}'`);
      }
    }
    return out;
  }

  private bindKeywords(kwargs: Record<string, unknown>, npos: number, out: unknown[]): void {
    for (const [key, value] of Object.entries(kwargs)) {
      const i = this.names.indexOf(key);
      if (i < 0) throw new TypeError_(`${this.name}() got an unexpected keyword argument '${key}'`);
      if (i < npos) throw new TypeError_(`${this.name}() got multiple values for argument '${key}'`);
      if (value !== undefined) out[i] = value;
    }
  }

  private tooMany(given: number): Error {
    const max = this.names.length;
    const takes = this.required === max ? `${max}` : `from ${this.required} to ${max}`;
    return new TypeError_(`${this.name}() takes ${takes} positional argument${max === 1 ? "" : "s"} but ${given} were given`);
  }
}

export function pySignature(name: string, spec: string): PySignature {
  return new PySignature(name, spec);
}
