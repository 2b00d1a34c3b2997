/**
 * Scalar arithmetic behind seeded initialisation, bit-exact with PyTorch 1.13:
 *  - torch.nn.init's gains and bounds, reproduced operation by operation in double precision;
 *  - the fused multiply-adds PyTorch's uniform_/normal_ kernels actually execute.
 * The drawing itself is Generator.fillUniform / fillNormal (generator.ts).
 */

export type Nonlinearity =
  | "linear" | "conv1d" | "conv2d" | "conv3d"
  | "conv_transpose1d" | "conv_transpose2d" | "conv_transpose3d"
  | "sigmoid" | "tanh" | "relu" | "leaky_relu" | "selu";

/** torch.nn.init.calculate_gain. `param` is the leaky_relu negative slope (default 0.01). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case "linear": case "conv1d": case "conv2d": case "conv3d":
    case "conv_transpose1d": case "conv_transpose2d": case "conv_transpose3d": case "sigmoid":
      return 1;
    case "tanh":
      return 5.0 / 3;
    case "relu":
      return Math.sqrt(2.0);
    case "leaky_relu": {
      const slope = param ?? 0.01;
      // Python writes negative_slope ** 2; glibc pow(x, 2) is the correctly rounded x*x
      return Math.sqrt(2.0 / (1 + slope * slope));
    }
    case "selu":
      return 3.0 / 4;
  }
}

/** torch.nn.init._calculate_fan_in_and_fan_out for a weight of the given shape. */
export function calculateFanInAndFanOut(shape: readonly number[]): [fanIn: number, fanOut: number] {
  if (shape.length < 2) {
    throw new RangeError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
  }
  let receptive = 1;
  for (let i = 2; i < shape.length; i++) receptive *= shape[i]!;
  return [shape[1]! * receptive, shape[0]! * receptive];
}

/**
 * Bound b of kaiming_uniform_(w, a, mode, nonlinearity): w ~ U(-b, b) with
 * gain = calculate_gain(nonlinearity, a), std = gain / sqrt(fan), b = sqrt(3) * std.
 * `a` defaults to 0 as in PyTorch; nn.Linear / nn.ConvNd pass a = Math.sqrt(5)
 * (see LINEAR_INIT_A), which makes b ≈ 1/sqrt(fan) but not bit-equal to it.
 */
export function kaimingUniformBound(
  fanIn: number,
  a = 0,
  nonlinearity: Nonlinearity = "leaky_relu",
): number {
  const std = calculateGain(nonlinearity, a) / Math.sqrt(fanIn);
  return Math.sqrt(3.0) * std;
}

/** std of kaiming_normal_: gain / sqrt(fan). */
export function kaimingNormalStd(fan: number, a = 0, nonlinearity: Nonlinearity = "leaky_relu"): number {
  return calculateGain(nonlinearity, a) / Math.sqrt(fan);
}

/** The `a` nn.Linear / nn.Conv*d reset_parameters pass to kaiming_uniform_. */
export const LINEAR_INIT_A = Math.sqrt(5);

/** Bias bound of nn.Linear / nn.Conv*d: 1/sqrt(fan_in), or 0 when fan_in is 0. */
export function linearBiasBound(fanIn: number): number {
  return fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
}

/** Bound of xavier_uniform_: gain * sqrt(2 / (fan_in + fan_out)) * sqrt(3). */
export function xavierUniformBound(fanIn: number, fanOut: number, gain = 1.0): number {
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  return Math.sqrt(3.0) * std;
}

/** std of xavier_normal_. */
export function xavierNormalStd(fanIn: number, fanOut: number, gain = 1.0): number {
  return gain * Math.sqrt(2.0 / (fanIn + fanOut));
}

// ------------------------------------------------------------ fused multiply-add emulation
// PyTorch's CPU kernels are compiled with -mfma and FP contraction, so `x * range + from` in
// uniform_ and `v * std + mean` in normal_ are single-rounding FMAs; JS has no Math.fma.

const fround = Math.fround;

/**
 * float32 fma(a, b, c) with one rounding. a*b of two floats is exact in double, so only the
 * double add can round, and that matters only when the double sum lands exactly on a midpoint
 * between two floats: then the tie is broken toward the add's exact error. (The midpoint test can
 * also fire a quarter ulp from a binade edge; the tiny nudge is harmless there.)
 */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const r = fround(s);
  if (r === s) return r;
  const t = 2 * s - r; // the other neighbouring float iff s is a midpoint
  if (fround(t) !== t) return r;
  const bv = s - p;
  const err = p - (s - bv) + (c - bv);
  if (err === 0) return r;
  return fround(s + (err > 0 ? Math.abs(s) : -Math.abs(s)) * 2 ** -40);
}

const dbl = new Float64Array(1);
const dblWords = new Uint32Array(dbl.buffer); // little-endian: [low, high]

/** Round-to-odd of the exact sum x + y (Boldo & Melquiond), used by fma64. */
function addRoundOdd(x: number, y: number): number {
  const s = x + y;
  const bv = s - x;
  const err = x - (s - bv) + (y - bv);
  if (err === 0 || !Number.isFinite(s)) return s;
  dbl[0] = s;
  if ((dblWords[0]! & 1) === 1) return s;
  // even last bit: step one ulp toward the exact value (|s| grows iff err has s's sign)
  const lo = dblWords[0]!;
  if (err > 0 === s > 0) {
    dblWords[0] = lo + 1;
    if (lo === 0xffffffff) dblWords[1] = dblWords[1]! + 1;
  } else {
    dblWords[0] = lo - 1;
    if (lo === 0) dblWords[1] = dblWords[1]! - 1;
  }
  return dbl[0]!;
}

/** Veltkamp split constant 2^27 + 1. */
const SPLIT = 134217729;

/** float64 fma(a, b, c) with one rounding (Boldo & Melquiond's emulation; no over/underflow care). */
export function fma64(a: number, b: number, c: number): number {
  const ph = a * b;
  if (c === 0 || !Number.isFinite(ph)) return ph + c;
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  const pl = ah * bh - ph + ah * bl + al * bh + al * bl; // a*b = ph + pl exactly
  const th = c + pl; // TwoSum(c, pl)
  let bv = th - c;
  const tl = c - (th - bv) + (pl - bv);
  const vh = ph + th; // TwoSum(ph, th)
  bv = vh - ph;
  const vl = ph - (vh - bv) + (th - bv);
  return vh + addRoundOdd(vl, tl);
}
