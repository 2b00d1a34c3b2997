/**
 * PyTorch 1.13's CPU generator (CPUGeneratorImpl) and the exact order in which its CPU kernels
 * consume the MT19937 stream, so seeded results are bit-equal to torch on x86-64 (AVX2 build):
 *   uniform_  float: 24 low bits of one draw; double: 53 low bits of random64 (hi word drawn first)
 *   normal_   numel < 16 or non-contiguous: scalar Box–Muller in double, caching the sin sample;
 *             float32 numel >= 16: normal_fill_AVX2 (avx_mathfun log/sincos, emulated in float32);
 *             float64 numel >= 16: normal_fill (libm in double; V8's log/sin/cos may differ from
 *             glibc's in the last bit of a double, so float64 normals are exact only up to that).
 *   random_(from, to) / randint: random() % range + from, random64() when range >= 2^32.
 *   randperm: Fisher–Yates style swaps with random() % (n - i).
 * The kernels are built with GCC -mfma and FP contraction, so their `a * b + c` are fused
 * multiply-adds; fmaf/fma64 (init_math.ts) reproduce that single rounding (checked against torch).
 */
import { fma64, fmaf } from "./init_math.js";
import { MT19937, decodeRngState, encodeRngState } from "./mt19937.js";

/** c10::detail::default_rng_seed_val: the seed of torch's default CPU generator. */
export const DEFAULT_SEED = 67280421310721n;

export type FloatArray = Float32Array | Float64Array;
/** Destination arrays of integer-valued fills (int64 lives in Float64Array, see dtype.ts). */
export type NumericArray = FloatArray | Int32Array | Int16Array | Int8Array | Uint8Array;

const fround = Math.fround;
const TWO_POW_M24 = 2 ** -24;
const TWO_POW_M53 = 2 ** -53;
const TWO_POW_32 = 2 ** 32;

// ------------------------------------------- avx_mathfun.h log256_ps / sincos256_ps, one lane
// Verified bit-equal to GCC 12 -O2 -mavx2 -mfma builds of the intrinsics for all 2^24 inputs.

const f32 = new Float32Array(1);
const f32Bits = new Uint32Array(f32.buffer);
// Cephes constants, rounded to float as the _PS256_CONST tables are
const SQRTHF = fround(0.707106781186547524);
const LOG_P = [
  7.0376836292e-2, -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1,
  -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1,
].map(fround);
const LP0 = LOG_P[0]!, LP1 = LOG_P[1]!, LP2 = LOG_P[2]!, LP3 = LOG_P[3]!, LP4 = LOG_P[4]!;
const LP5 = LOG_P[5]!, LP6 = LOG_P[6]!, LP7 = LOG_P[7]!, LP8 = LOG_P[8]!;
const LQ1 = fround(-2.1219444e-4), LQ2 = fround(0.693359375);
const DP1 = fround(-0.78515625), DP2 = fround(-2.4187564849853515625e-4), DP3 = fround(-3.77489497744594108e-8);
const SC0 = fround(-1.9515295891e-4), SC1 = fround(8.3321608736e-3), SC2 = fround(-1.6666654611e-1);
const CC0 = fround(2.443315711809948e-5), CC1 = fround(-1.388731625493765e-3), CC2 = fround(4.166664568298827e-2);
const FOPI = fround(1.27323954473516);
const TWO_PI_F = fround(2.0 * Math.PI);

/** log256_ps for one lane x in (0, 1]; FMA placement as GCC contracts it (first mul wins). */
function logAvx(x: number): number {
  f32[0] = x;
  const bits = f32Bits[0]!;
  let e = (bits >>> 23) - 0x7f + 1;
  f32Bits[0] = (bits & ~0x7f800000) | 0x3f000000; // mantissa in [0.5, 1)
  let m = f32[0]!;
  const small = m < SQRTHF;
  const tmp = small ? m : 0;
  m = fround(m - 1);
  if (small) e -= 1;
  m = fround(m + tmp);
  const z = fround(m * m);
  let y = fmaf(LP0, m, LP1);
  y = fmaf(y, m, LP2);
  y = fmaf(y, m, LP3);
  y = fmaf(y, m, LP4);
  y = fmaf(y, m, LP5);
  y = fmaf(y, m, LP6);
  y = fmaf(y, m, LP7);
  y = fmaf(y, m, LP8);
  y = fround(y * m);
  y = fmaf(y, z, fround(e * LQ1));
  y = fround(y - z * 0.5); // z*0.5 is exact, so the fnmadd is a plain subtraction
  m = fround(m + y);
  return fmaf(e, LQ2, m);
}

let sinOut = 0;
let cosOut = 0;

/** sincos256_ps for one lane x >= 0; results in sinOut / cosOut. */
function sincosAvx(x: number): void {
  let j = Math.trunc(fround(x * FOPI));
  j = (j + 1) & ~1;
  const y = j;
  const sinNeg = (j & 4) !== 0;
  const polyIsSin = (j & 2) === 0;
  const cosNeg = (~(j - 2) & 4) !== 0;
  x = fmaf(y, DP1, x);
  x = fmaf(y, DP2, x);
  x = fmaf(y, DP3, x);
  const z = fround(x * x);
  let yc = fmaf(CC0, z, CC1);
  yc = fmaf(yc, z, CC2);
  yc = fround(yc * z);
  yc = fmaf(yc, z, -(z * 0.5));
  yc = fround(yc + 1);
  let ys = fmaf(SC0, z, SC1);
  ys = fmaf(ys, z, SC2);
  ys = fround(ys * z);
  ys = fmaf(ys, x, x);
  // the blend is written with and/andnot + add/sub; mirror it literally (signed zeros)
  const ysin2 = polyIsSin ? ys : 0;
  const ysin1 = polyIsSin ? 0 : yc;
  const s = fround(ysin1 + ysin2);
  const c = fround(fround(yc - ysin1) + fround(ys - ysin2));
  sinOut = sinNeg ? -s : s;
  cosOut = cosNeg ? -c : c;
}

/** normal_fill_16_AVX2 on d[o .. o+16): Box–Muller of (d[o+j], d[o+j+8]) pairs. */
function normalFill16Avx(d: Float32Array, o: number, mean: number, std: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = fround(1 - d[o + j]!);
    const radius = fround(Math.sqrt(-2 * logAvx(u1)));
    sincosAvx(fround(TWO_PI_F * d[o + j + 8]!));
    d[o + j] = fmaf(fround(radius * cosOut), std, mean);
    d[o + j + 8] = fmaf(fround(radius * sinOut), std, mean);
  }
}

/** normal_fill_16<double>: the same pairing with libm in double. */
function normalFill16Double(d: Float64Array, o: number, mean: number, std: number): void {
  for (let j = 0; j < 8; j++) {
    const radius = Math.sqrt(-2 * Math.log(1 - d[o + j]!));
    const theta = 2.0 * Math.PI * d[o + j + 8]!;
    d[o + j] = fma64(radius * Math.cos(theta), std, mean);
    d[o + j + 8] = fma64(radius * Math.sin(theta), std, mean);
  }
}

function toUint64Seed(seed: number | bigint): bigint {
  // Python's manual_seed does int(seed): truncate; accept the int64 and uint64 ranges
  const s = typeof seed === "bigint" ? seed : BigInt(Math.trunc(seed));
  if (s < -(2n ** 63n) || s >= 2n ** 64n) {
    throw new RangeError(`Overflow when unpacking long: seed ${s} is outside [-2^63, 2^64)`);
  }
  return BigInt.asUintN(64, s);
}

export type BernoulliBackend = "default" | "mkl";

export class Generator {
  private engine: MT19937;
  /** CPUGeneratorImpl::next_double_normal_sample_ (the cached sin half of Box–Muller). */
  private nextDoubleNormal: number | null = null;
  /** next_float_normal_sample_: never set by 1.13 CPU kernels, kept for get/set_state. */
  private nextFloatNormal: number | null = null;

  constructor(seed: number | bigint = DEFAULT_SEED) {
    this.engine = new MT19937(toUint64Seed(seed));
  }

  /** Reseeds and drops the cached normal samples, as CPUGeneratorImpl::set_current_seed. */
  manual_seed(seed: number | bigint): this {
    this.nextDoubleNormal = null;
    this.nextFloatNormal = null;
    this.engine = new MT19937(toUint64Seed(seed));
    return this;
  }

  initial_seed(): bigint {
    return this.engine.seed;
  }

  /** Reseeds from a non-deterministic 64-bit source and returns the seed. */
  seed(): bigint {
    const words = new Uint32Array(2);
    const c = (globalThis as { crypto?: { getRandomValues?(a: Uint32Array): Uint32Array } }).crypto;
    if (c?.getRandomValues) c.getRandomValues(words);
    else for (let i = 0; i < 2; i++) words[i] = Math.floor(Math.random() * TWO_POW_32);
    const s = (BigInt(words[1]!) << 32n) | BigInt(words[0]!);
    this.manual_seed(s);
    return s;
  }

  /** torch.Generator.get_state(): the 5056-byte CPUGeneratorImplState PyTorch emits. */
  get_state(): Uint8Array {
    const { engine, nextDoubleNormal, nextFloatNormal } = this;
    return encodeRngState({ engine, nextDoubleNormal, nextFloatNormal });
  }

  /** torch.Generator.set_state(): accepts 5056-byte (current) or 5048-byte (legacy) states. */
  set_state(state: Uint8Array): this {
    ({ engine: this.engine, nextDoubleNormal: this.nextDoubleNormal, nextFloatNormal: this.nextFloatNormal } =
      decodeRngState(state));
    return this;
  }

  clone(): Generator {
    const g = new Generator(0n);
    g.engine = this.engine.clone();
    g.nextDoubleNormal = this.nextDoubleNormal;
    g.nextFloatNormal = this.nextFloatNormal;
    return g;
  }

  /** CPUGeneratorImpl::random(): one uint32 draw. */
  random(): number {
    return this.engine.nextU32();
  }

  /** CPUGeneratorImpl::random64(): (first draw << 32) | second draw. */
  random64(): bigint {
    const hi = BigInt(this.engine.nextU32());
    return (hi << 32n) | BigInt(this.engine.nextU32());
  }

  /** uniform_real_distribution<float>(0, 1): 24 low bits of one draw. */
  uniformFloat(): number {
    return (this.engine.nextU32() & 0xffffff) * TWO_POW_M24;
  }

  /** uniform_real_distribution<double>(0, 1): 53 low bits of random64, without BigInt. */
  uniformDouble(): number {
    const hi = this.engine.nextU32() & 0x1fffff;
    return (hi * TWO_POW_32 + this.engine.nextU32()) * TWO_POW_M53;
  }

  /** One at::normal_distribution<double>(mean, std) sample (uses and refills the cache). */
  normal(mean = 0, std = 1): number {
    const cached = this.nextDoubleNormal;
    if (cached !== null) {
      this.nextDoubleNormal = null;
      return fma64(cached, std, mean);
    }
    const u1 = this.uniformDouble();
    const u2 = this.uniformDouble();
    const r = Math.sqrt(-2.0 * Math.log(1.0 - u2)); // 1.13: log(1 - u2) (exact arg); 2.x: log1p
    const theta = 2.0 * Math.PI * u1;
    this.nextDoubleNormal = r * Math.sin(theta);
    return fma64(r * Math.cos(theta), std, mean);
  }

  /**
   * Tensor.uniform_(from, to) / torch.rand. `double` selects the float64 kernel (default: out is
   * Float64Array); with double=false every value is float32-exact whatever the array type.
   */
  fillUniform<T extends FloatArray>(out: T, from = 0, to = 1, double = out instanceof Float64Array): T {
    if (!(from <= to)) {
      throw new RangeError(`uniform_ expects to return a [from, to) range, but found from=${from} > to=${to}`);
    }
    const e = this.engine;
    const n = out.length;
    if (double) {
      const range = to - from;
      for (let i = 0; i < n; i++) {
        const hi = e.nextU32() & 0x1fffff;
        out[i] = fma64((hi * TWO_POW_32 + e.nextU32()) * TWO_POW_M53, range, from);
      }
    } else {
      const lo = fround(from);
      const range = fround(fround(to) - lo);
      for (let i = 0; i < n; i++) out[i] = fmaf((e.nextU32() & 0xffffff) * TWO_POW_M24, range, lo);
    }
    return out;
  }

  /**
   * Tensor.normal_(mean, std) / torch.randn. Pass contiguous=false when filling a strided view in
   * iteration order: PyTorch then always takes the scalar Box–Muller path.
   */
  fillNormal<T extends FloatArray>(
    out: T, mean = 0, std = 1, double = out instanceof Float64Array, contiguous = true,
  ): T {
    if (!(std >= 0)) throw new RangeError(`normal expects std >= 0.0, but found std ${std}`);
    const n = out.length;
    if (n < 16 || !contiguous) {
      // the float32 kernel also samples normal_distribution<double> and casts on store
      for (let i = 0; i < n; i++) out[i] = this.normal(mean, std);
      return out;
    }
    if (double) {
      const d = out instanceof Float64Array ? out : new Float64Array(n);
      for (let i = 0; i < n; i++) d[i] = this.uniformDouble();
      this.blocks(d, n, () => this.uniformDouble(), (o) => normalFill16Double(d, o, mean, std));
      if (d !== out) out.set(d);
    } else {
      const m = fround(mean);
      const s = fround(std);
      const d = out instanceof Float32Array ? out : new Float32Array(n);
      for (let i = 0; i < n; i++) d[i] = this.uniformFloat();
      this.blocks(d, n, () => this.uniformFloat(), (o) => normalFill16Avx(d, o, m, s));
      if (d !== out) out.set(d);
    }
    return out;
  }

  /** Transforms whole 16-blocks; a ragged tail re-draws the LAST 16 slots and transforms them. */
  private blocks(d: FloatArray, n: number, draw: () => number, fill16: (o: number) => void): void {
    for (let i = 0; i + 16 <= n; i += 16) fill16(i);
    if (n % 16 !== 0) {
      const o = n - 16;
      for (let i = 0; i < 16; i++) d[o + i] = draw();
      fill16(o);
    }
  }

  /**
   * Tensor.random_(low, high) / torch.randint(low, high): (draw % range) + low, with a 32-bit
   * draw unless range >= 2^32 (then random64, as for int64/float/double outputs).
   */
  fillRandint<T extends NumericArray>(out: T, low: number, high: number): T {
    const range = high - low;
    if (!(range > 0)) {
      throw new RangeError(`random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
    }
    const e = this.engine;
    const n = out.length;
    if (range < TWO_POW_32) {
      for (let i = 0; i < n; i++) out[i] = (e.nextU32() % range) + low;
    } else {
      const r = BigInt(range);
      const b = BigInt(low);
      for (let i = 0; i < n; i++) out[i] = Number(BigInt.asIntN(64, (this.random64() % r) + b));
    }
    return out;
  }

  /** torch.randperm(n) on CPU (1.13): swap i with i + random() % (n - i). int64 as doubles. */
  randperm(n: number): Float64Array {
    if (!(n >= 0) || !Number.isInteger(n)) throw new RangeError(`n must be non-negative, got ${n}`);
    const r = new Float64Array(n);
    for (let i = 0; i < n; i++) r[i] = i;
    const e = this.engine;
    for (let i = 0; i < n - 1; i++) {
      const z = i + (e.nextU32() % (n - i));
      const t = r[i]!;
      r[i] = r[z]!;
      r[z] = t;
    }
    return r;
  }

  /**
   * Tensor.bernoulli_(p) with a scalar p — what dropout uses. 1.13 picks the kernel by build/CPU:
   * "default" (non-MKL builds such as the reference Debian 1.13.1, and AMD/ARM; exact): one
   * double uniform (random64) per element, value = u < p.
   * "mkl" (MKL build on an Intel CPU): one random() seeds MKL's MCG31m1 stream, then
   * viRngBernoulli(ICDF). MKL is closed source: that path is BEST EFFORT (x_{k+1} = a*x_k mod
   * 2^31-1, u = x/(2^31-1), value = u < p) and has not been checked against torch.
   */
  fillBernoulli<T extends NumericArray>(out: T, p: number, backend: BernoulliBackend = "default"): T {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`bernoulli_ expects p to be in [0, 1], but got p=${p}`);
    const n = out.length;
    if (backend === "default") {
      for (let i = 0; i < n; i++) out[i] = this.uniformDouble() < p ? 1 : 0;
      return out;
    }
    const M = 2147483647;
    const A_HI = 17280; // a = 1132489760 = 17280 * 65536 + 27680, split to keep products exact
    const A_LO = 27680;
    let x = this.engine.nextU32() % M;
    if (x === 0) x = 1;
    for (let i = 0; i < n; i++) {
      x = ((((x * A_HI) % M) * 65536) + x * A_LO) % M;
      out[i] = x / M < p ? 1 : 0;
    }
    return out;
  }

  /**
   * torch.bernoulli(probs) / Tensor.bernoulli_(probs tensor): per-element p; a float32 p draws
   * a float uniform (24 bits), a float64 p a double uniform (53 bits).
   */
  fillBernoulliTensor<T extends NumericArray>(out: T, probs: FloatArray): T {
    if (probs.length !== out.length) throw new RangeError("bernoulli: probs and out sizes differ");
    const dbl = probs instanceof Float64Array;
    for (let i = 0; i < out.length; i++) {
      const p = probs[i]!;
      if (!(p >= 0 && p <= 1)) throw new RangeError(`bernoulli expects 0 <= p <= 1, but got p=${p}`);
      out[i] = (dbl ? this.uniformDouble() : this.uniformFloat()) < p ? 1 : 0;
    }
    return out;
  }
}

/** torch.default_generator: seeded with 67280421310721 like a fresh torch process. */
export const defaultGenerator = new Generator(DEFAULT_SEED);

/** torch.manual_seed(seed): reseeds the default generator and returns it. */
export function manual_seed(seed: number | bigint): Generator {
  return defaultGenerator.manual_seed(seed);
}

/** torch.initial_seed(). */
export function initial_seed(): bigint {
  return defaultGenerator.initial_seed();
}

/** torch.seed(): non-deterministic reseed of the default generator. */
export function seed(): bigint {
  return defaultGenerator.seed();
}

/** torch.get_rng_state() / torch.set_rng_state(). */
export const get_rng_state = (): Uint8Array => defaultGenerator.get_state();
export const set_rng_state = (state: Uint8Array): void => void defaultGenerator.set_state(state);
