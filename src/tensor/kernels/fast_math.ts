/**
 * Float32-accurate elementwise math for float32 kernels. V8's Math.tanh costs 13–17 ns per call (performance-anchors.md)
 * (a C++ libm call that TurboFan does not inline); on tiny tensors that is most of an op. These
 * forms are pure arithmetic that TurboFan inlines, and agree with Math.tanh rounded to float32
 * to within 1 ulp (checked on a dense grid in test/tensor/kernels/fast_math.test.ts). Float64
 * kernels keep Math.* (they need double accuracy).
 */

const LN2 = Math.LN2;
const INV_LN2 = 1 / Math.LN2;
const POW2_BIAS = 1075;
/** 2^k for k in [-1075, 1024]: scaling by a table entry is exact. */
const POW2 = new Float64Array(2 * POW2_BIAS);
for (let k = -POW2_BIAS; k < POW2_BIAS; k++) POW2[k + POW2_BIAS] = 2 ** k;

/** e^x to ~1e-9 relative error for |x| < 700: range reduction by ln2, then a degree-9 Taylor polynomial. */
export function expf(x: number): number {
  if (x > 88.8) return Infinity;
  if (x < -104) return 0;
  if (x !== x) return x;
  const k = Math.round(x * INV_LN2);
  const r = x - k * LN2;
  const p = 1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720 + r * (1 / 5040 + r * (1 / 40320 + r / 362880))))))));
  return p * POW2[k + POW2_BIAS]!;
}

/*
 * Note [table-driven tanh]: tanh(x) = m / (m + 2) with m = expm1(2x), which has no cancellation
 * at any x (expm1 is accurate near 0, where 1 - 2/(e^2x + 1) is not), so one branch-free form
 * covers the whole line: 2x = (k/32) ln2 + r with |r| <= ln2/64, expm1(2x) = 2^(k/32) expm1(r) +
 * (2^(k/32) - 1) from a table of both terms, expm1(r) by a degree-6 Taylor polynomial. Clamping
 * x to [-20, 20] gives exactly +-1 beyond (tanh(20) rounds to 1 in float64) and for infinities;
 * NaN passes through. Branch-free matters: the earlier two-branch form (a Padé approximant near 0,
 * exp beyond) mispredicted on mixed-sign data and cost twice as much per element.
 */
const TANH_STEPS = 32;
const TANH_LN2_STEP = Math.LN2 / TANH_STEPS;
const TANH_INV_LN2_STEP = TANH_STEPS / Math.LN2;
const TANH_KMAX = Math.ceil(40 * TANH_INV_LN2_STEP) + 1;
/** 2^(k/32) and 2^(k/32) - 1 interleaved, for k in [-TANH_KMAX, TANH_KMAX]. */
const TANH_TABLE = new Float64Array(2 * (2 * TANH_KMAX + 1));
for (let k = -TANH_KMAX; k <= TANH_KMAX; k++) {
  TANH_TABLE[2 * (k + TANH_KMAX)] = 2 ** (k / TANH_STEPS);
  TANH_TABLE[2 * (k + TANH_KMAX) + 1] = Math.expm1(k * TANH_LN2_STEP);
}
/** Adding then subtracting 1.5 * 2^52 rounds a double of magnitude below 2^51 to an integer. */
const ROUND_SHIFT = 6755399441055744;

/** tanh for float32 results (Note [table-driven tanh]). */
export function tanhf(x: number): number {
  const z = 2 * Math.min(Math.max(x, -20), 20);
  const k = z * TANH_INV_LN2_STEP + ROUND_SHIFT - ROUND_SHIFT;
  const r = z - k * TANH_LN2_STEP;
  const p = r * (1 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720))))));
  const j = 2 * ((k | 0) + TANH_KMAX);
  const m = TANH_TABLE[j]! * p + TANH_TABLE[j + 1]!;
  return m / (m + 2);
}

/** sigmoid for float32 results. */
export function sigmoidf(x: number): number {
  if (x >= 0) return 1 / (1 + expf(-x));
  const e = expf(x);
  return e / (1 + e);
}

/**
 * Note [exact float32 tanh]: torch.tanh on float32 must store exactly what Math.tanh rounded to
 * float32 stores, so tanhf's rare 1-ulp disagreements are not allowed there. tanhf is within
 * TANHF_REL_ERR of the true tanh (the test measures its worst case against Math.tanh on dense
 * grids and requires it 1000x below the bound). When both ends of y +- TANHF_REL_ERR * y round
 * to the same float32, the true value, which lies between them, rounds to it as well (rounding is
 * monotonic), and so does y; otherwise (about one call in 30,000) Math.tanh decides. NaN compares
 * unequal and falls back; so does a zero result, which keeps the sign of -0.
 */
export const TANHF_REL_ERR = 2 ** -40;

/** tanh rounded to float32 exactly as Math.tanh's result would be (Note [exact float32 tanh]). */
export function tanhF32(x: number): number {
  const y = tanhf(x);
  const d = y * TANHF_REL_ERR;
  return Math.fround(y - d) === Math.fround(y + d) && y !== 0 ? y : Math.tanh(x);
}
