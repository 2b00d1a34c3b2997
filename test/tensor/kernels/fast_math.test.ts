import { describe, expect, it } from "vitest";
import { TANHF_REL_ERR, expf, sigmoidf, tanhf, tanhF32 } from "../../../src/tensor/kernels/fast_math.js";

const f32 = new Float32Array(2);
const i32 = new Int32Array(f32.buffer);
/** Distance in float32 ulps between two doubles once both are rounded to float32. */
function ulps(a: number, b: number): number {
  f32[0] = a;
  f32[1] = b;
  return Math.abs(i32[0]! - i32[1]!);
}

function worstUlps(f: (x: number) => number, ref: (x: number) => number, lo: number, hi: number, n: number): number {
  let worst = 0;
  for (let i = 0; i <= n; i++) {
    const x = lo + ((hi - lo) * i) / n;
    worst = Math.max(worst, ulps(f(x), ref(x)));
  }
  return worst;
}

describe("float32-accurate fast math agrees with Math.* rounded to float32", () => {
  it("tanhf within 1 ulp over [-12, 12] and near 0", () => {
    expect(worstUlps(tanhf, Math.tanh, -12, 12, 1_000_000)).toBeLessThanOrEqual(1);
    expect(worstUlps(tanhf, Math.tanh, -1e-3, 1e-3, 100_000)).toBeLessThanOrEqual(1);
    expect(tanhf(Infinity)).toBe(1);
    expect(tanhf(-Infinity)).toBe(-1);
    expect(Number.isNaN(tanhf(NaN))).toBe(true);
  });

  it("expf within 1 ulp over the float32 range", () => {
    expect(worstUlps(expf, Math.exp, -87, 88, 1_000_000)).toBeLessThanOrEqual(1);
    expect(expf(100)).toBe(Infinity);
    expect(expf(-200)).toBe(0);
  });

  it("sigmoidf within 1 ulp", () => {
    const ref = (x: number) => 1 / (1 + Math.exp(-x));
    expect(worstUlps(sigmoidf, ref, -30, 30, 1_000_000)).toBeLessThanOrEqual(1);
  });
});

describe("tanhF32 stores exactly what Math.tanh stores in float32 (Note [exact float32 tanh])", () => {
  it("tanhf stays 1000x inside the error bound the float32 check relies on", () => {
    let worst = 0;
    const visit = (x: number) => {
      const t = Math.tanh(x);
      if (t !== 0) worst = Math.max(worst, Math.abs(tanhf(x) - t) / Math.abs(t));
    };
    for (let i = 0; i <= 2_000_000; i++) visit(-21 + (42 * i) / 2_000_000);
    for (let i = 1; i <= 200_000; i++) visit(((i % 2 ? 1 : -1) * i) / 2e7); // |x| up to 1e-2, where expm1's table index is 0
    for (let e = -300; e <= 1; e++) visit(10 ** e);
    expect(worst).toBeLessThan(TANHF_REL_ERR / 1000);
  });

  it("agrees bit for bit on a dense grid, near 0, near the branch points and on every special value", () => {
    const fast = new Float32Array(1);
    const ref = new Float32Array(1);
    const same = (x: number): boolean => {
      fast[0] = tanhF32(x);
      ref[0] = Math.tanh(x);
      return Object.is(fast[0], ref[0]);
    };
    const bad: number[] = [];
    const grid = (lo: number, hi: number, n: number) => {
      for (let i = 0; i <= n && bad.length < 5; i++) {
        const x = lo + ((hi - lo) * i) / n;
        if (!same(x)) bad.push(x);
      }
    };
    grid(-12, 12, 2_000_000);
    grid(-1e-3, 1e-3, 200_000);
    grid(0.54, 0.56, 200_000);
    grid(-0.02, 0.02, 200_000); // around the first table steps
    grid(9.09, 9.11, 200_000);
    for (const x of [0, -0, 1e-45, -1e-45, 1e-300, 9.1, -9.1, 22, Infinity, -Infinity, NaN]) if (!same(x)) bad.push(x);
    expect(bad).toEqual([]);
  });
});
