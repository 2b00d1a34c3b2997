/**
 * Random sampling with PyTorch 1.13's generator (src/tensor/random/generator.ts), so seeded
 * notebooks print PyTorch's numbers: rand, randn, randint, randperm, the *_like forms, and the
 * in-place samplers nn.init relies on (uniform_, normal_, bernoulli_, random_).
 */
import { DType, bool, float64, get_default_dtype, int64, roundToDType, float16, bfloat16 } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { sizeFromArgs, numel } from "../shape.js";
import { RuntimeError } from "../../util/errors.js";
import { defaultGenerator, Generator, manual_seed as seedDefault, initial_seed, seed, get_rng_state, set_rng_state } from "../random/generator.js";
import { copyInto } from "../kernels/apply.js";
import { defineOp, installMethods } from "../registry.js";
import { isOptions, runFactory, TENSOR_OPTIONS, type FactoryOptions } from "./factory.js";
import { splitSizeArgs, type SizeArgs } from "./creation.js";

export { Generator, initial_seed, seed, get_rng_state, set_rng_state };
export const default_generator = defaultGenerator;

/** torch.manual_seed(s): reseeds the default generator; returns it, as PyTorch does. */
export function manual_seed(s: number | bigint): Generator {
  return seedDefault(s);
}

type GenOpts = FactoryOptions & { generator?: Generator | null };
const gen = (g: Generator | null | undefined) => g ?? defaultGenerator;

/** Fills a float tensor's elements in iteration order through a contiguous scratch buffer. */
function fillFloat(self: Tensor, draw: (buf: Float32Array | Float64Array, double: boolean, contiguous: boolean) => void): Tensor {
  if (!self.dtype.is_floating_point) {
    throw new RuntimeError(`"check_uniform_bounds" not implemented for '${self.dtype.scalarType}'`);
  }
  const double = self.dtype === float64;
  const n = self.numel();
  const direct = self.is_contiguous() && (self.dtype.ArrayType === Float32Array || self.dtype.ArrayType === Float64Array);
  const buf = direct
    ? (self.storage.data.subarray(self.offset, self.offset + n) as Float32Array | Float64Array)
    : double ? new Float64Array(n) : new Float32Array(n);
  draw(buf, double, self.is_contiguous());
  if (self.dtype === float16 || self.dtype === bfloat16) for (let i = 0; i < n; i++) buf[i] = roundToDType(buf[i]!, self.dtype);
  if (!direct) copyInto(self, Tensor.fromData(buf, self.shape.slice(), double ? float64 : self.dtype));
  return self;
}

const uniformOp = defineOp<(self: Tensor, from?: number, to?: number, opts?: { generator?: Generator }) => Tensor>("uniform_", [{
  schema: "aten::uniform_(Tensor(a!) self, float from=0, float to=1, *, Generator? generator=None) -> Tensor(a!)",
  forward: (self: Tensor, from: number, to: number, g: Generator | null) =>
    fillFloat(self, (buf, double) => gen(g).fillUniform(buf, from, to, double)),
}]);

const normalOp = defineOp<(self: Tensor, mean?: number, std?: number, opts?: { generator?: Generator }) => Tensor>("normal_", [{
  schema: "aten::normal_(Tensor(a!) self, float mean=0, float std=1, *, Generator? generator=None) -> Tensor(a!)",
  forward: (self: Tensor, mean: number, std: number, g: Generator | null) =>
    fillFloat(self, (buf, double, contiguous) => gen(g).fillNormal(buf, mean, std, double, contiguous)),
}]);

const bernoulliOp = defineOp<(self: Tensor, p?: number, opts?: { generator?: Generator }) => Tensor>("bernoulli_", [{
  schema: "aten::bernoulli_.float(Tensor(a!) self, float p=0.5, *, Generator? generator=None) -> Tensor(a!)",
  forward: (self: Tensor, p: number, g: Generator | null) => {
    const tmp = new Float64Array(self.numel());
    gen(g).fillBernoulli(tmp, p);
    copyInto(self, Tensor.fromData(tmp, self.shape.slice(), float64));
    return self;
  },
}]);

const randomOp = defineOp<(self: Tensor, from: number, to: number, opts?: { generator?: Generator }) => Tensor>("random_", [{
  schema: "aten::random_.from(Tensor(a!) self, int from, int? to, *, Generator? generator=None) -> Tensor(a!)",
  forward: (self: Tensor, from: number, to: number | null, g: Generator | null) => {
    const tmp = new Float64Array(self.numel());
    gen(g).fillRandint(tmp, from, to ?? 2 ** 53);
    copyInto(self, Tensor.fromData(tmp, self.shape.slice(), float64));
    return self;
  },
}]);

export const uniform_ = uniformOp;
export const normal_ = normalOp;
export const bernoulli_ = bernoulliOp;
export const random_ = randomOp;

function randForward(size: number[], dtype: DType | null): Tensor {
  const g = currentGenerator;
  const d = dtype ?? get_default_dtype();
  const t = Tensor.empty(size.slice(), d);
  return fillFloat(t, (buf, double) => gen(g).fillUniform(buf, 0, 1, double));
}

function randnForward(size: number[], dtype: DType | null): Tensor {
  const g = currentGenerator;
  const d = dtype ?? get_default_dtype();
  const t = Tensor.empty(size.slice(), d);
  return fillFloat(t, (buf, double) => gen(g).fillNormal(buf, 0, 1, double, true));
}

const randOp = defineOp<(...a: never[]) => Tensor>("rand", [{
  schema: `aten::rand(int[] size, *, ${TENSOR_OPTIONS}) -> Tensor`,
  forward: randForward,
}]);
const randnOp = defineOp<(...a: never[]) => Tensor>("randn", [{
  schema: `aten::randn(int[] size, *, ${TENSOR_OPTIONS}) -> Tensor`,
  forward: randnForward,
}]);

function withGenerator<T>(opts: GenOpts, fn: () => T): T {
  if (!opts.generator) return fn();
  // A custom generator is passed through the options; the registered schema has no slot for it
  // in this overload, so the forward reads it from here.
  const prev = currentGenerator;
  currentGenerator = opts.generator;
  try {
    return fn();
  } finally {
    currentGenerator = prev;
  }
}
let currentGenerator: Generator | null = null;

/** torch.rand(3, 4) / rand([3, 4], {dtype, requires_grad, generator}). */
export function rand(...args: SizeArgs): Tensor {
  const [size, opts] = splitSizeArgs(args);
  return withGenerator(opts as GenOpts, () => runFactory(randOp, 0, [size], opts));
}

/** torch.randn: PyTorch's scalar Box–Muller below 16 elements, its 16-wide path above. */
export function randn(...args: SizeArgs): Tensor {
  const [size, opts] = splitSizeArgs(args);
  return withGenerator(opts as GenOpts, () => runFactory(randnOp, 0, [size], opts));
}

const randintOp = defineOp<(...a: never[]) => Tensor>("randint", [{
  schema: `aten::randint.low(int low, int high, int[] size, *, ${TENSOR_OPTIONS}) -> Tensor`,
  forward: (low: number, high: number, size: number[], dtype: DType | null) => {
    const d = dtype ?? int64;
    if (low >= high) {
      throw new RuntimeError(`random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
    }
    const tmp = new Float64Array(numel(size));
    gen(currentGenerator).fillRandint(tmp, low, high);
    const data = new d.ArrayType(tmp.length);
    for (let i = 0; i < tmp.length; i++) data[i] = d === bool ? (tmp[i] ? 1 : 0) : tmp[i]!;
    return Tensor.fromData(data, size.slice(), d);
  },
}]);

/** torch.randint(high, size) / randint(low, high, size, {dtype}). */
export function randint(...args: (number | readonly number[] | GenOpts)[]): Tensor {
  const opts = isOptions(args[args.length - 1]) ? (args.pop() as GenOpts) : {};
  const [a, b, c] = args;
  const [low, high, size] = c === undefined ? [0, a as number, b] : [a as number, b as number, c];
  return withGenerator(opts, () => runFactory(randintOp, 0, [low, high, sizeFromArgs([size])], opts));
}

const randpermOp = defineOp<(...a: never[]) => Tensor>("randperm", [{
  schema: `aten::randperm(int n, *, ${TENSOR_OPTIONS}) -> Tensor`,
  forward: (n: number, dtype: DType | null) => {
    const d = dtype ?? int64;
    const perm = gen(currentGenerator).randperm(n);
    return Tensor.fromData(d.ArrayType === Float64Array ? perm : new d.ArrayType(perm), [n], d);
  },
}]);

export function randperm(n: number, opts: GenOpts = {}): Tensor {
  return withGenerator(opts, () => runFactory(randpermOp, 0, [n], opts));
}

export function rand_like(input: Tensor, opts: GenOpts = {}): Tensor {
  return rand(input.shape, { dtype: input.dtype, ...opts });
}
export function randn_like(input: Tensor, opts: GenOpts = {}): Tensor {
  return randn(input.shape, { dtype: input.dtype, ...opts });
}
export function randint_like(input: Tensor, low: number, high?: number, opts: GenOpts = {}): Tensor {
  const [lo, hi] = high === undefined ? [0, low] : [low, high];
  return randint(lo, hi, input.shape, { dtype: input.dtype, ...opts });
}

/** torch.bernoulli(probs): a new 0/1 tensor with per-element probabilities. */
export function bernoulli(input: Tensor, opts: GenOpts = {}): Tensor {
  const probs = input.contiguousData();
  const p = probs instanceof Float64Array || probs instanceof Float32Array ? probs : Float64Array.from(probs);
  const out = new input.dtype.ArrayType(p.length);
  gen(opts.generator).fillBernoulliTensor(out, p);
  return Tensor.fromData(out, input.shape.slice(), input.dtype);
}

/** torch.normal(mean, std, size) with float mean/std. */
export function normal(mean: number, std: number, size: readonly number[], opts: GenOpts = {}): Tensor {
  const t = Tensor.empty(sizeFromArgs([size]), opts.dtype ? (typeof opts.dtype === "string" ? get_default_dtype() : opts.dtype) : get_default_dtype());
  return normal_(t, mean, std, opts.generator ? { generator: opts.generator } : undefined);
}

declare module "../tensor.js" {
  interface Tensor {
    uniform_(from?: number, to?: number, opts?: { generator?: Generator }): Tensor;
    normal_(mean?: number, std?: number, opts?: { generator?: Generator }): Tensor;
    bernoulli_(p?: number, opts?: { generator?: Generator }): Tensor;
    random_(from: number, to: number, opts?: { generator?: Generator }): Tensor;
  }
}

installMethods({ uniform_, normal_, bernoulli_, random_ });
