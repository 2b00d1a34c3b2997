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

/** tanh for float32 results: a [7/6] Padé form near 0 (no cancellation), 1 - 2/(e^2x + 1) beyond. */
export function tanhf(x: number): number {
  const ax = x < 0 ? -x : x;
  if (ax < 0.55) {
    const x2 = x * x;
    return (x * (135135 + x2 * (17325 + x2 * (378 + x2)))) / (135135 + x2 * (62370 + x2 * (3150 + x2 * 28)));
  }
  if (ax > 9.1) return x < 0 ? -1 : 1; // tanh(9.1) rounds to 1 in float32
  if (ax !== ax) return x;
  const r = 1 - 2 / (expf(2 * ax) + 1);
  return x < 0 ? -r : r;
}

/** sigmoid for float32 results. */
export function sigmoidf(x: number): number {
  if (x >= 0) return 1 / (1 + expf(-x));
  const e = expf(x);
  return e / (1 + e);
}

/**
 * Note [exact float32 tanh]: torch.tanh on float32 must store exactly what Math.tanh rounded to
 * float32 stores, so tanhf's 1-ulp disagreements are not allowed there. tanhf is within
 * TANHF_REL_ERR of the true tanh for |x| <= 9.1 (measured worst case 3.4e-12, so the bound has a
 * 270x margin; test/tensor/kernels/fast_math.test.ts checks the result bit for bit). When both
 * ends of y +- TANHF_REL_ERR * y round to the same float32, the true value, which lies between
 * them, rounds to it as well (rounding is monotonic), and so does y; otherwise (a few percent
 * of calls) Math.tanh decides. Beyond 9.1 tanhf returns +-1, which is also what every tanh there
 * rounds to (tanh(9.1) = 1 - 2.5e-8 is above 1 - 2^-25, the midpoint below 1). NaN compares
 * unequal and falls back too.
 */
const TANHF_REL_ERR = 2 ** -30;

/** tanh rounded to float32 exactly as Math.tanh's result would be (Note [exact float32 tanh]). */
export function tanhF32(x: number): number {
  const y = tanhf(x);
  const d = y * TANHF_REL_ERR;
  return Math.fround(y - d) === Math.fround(y + d) ? y : Math.tanh(x);
}
