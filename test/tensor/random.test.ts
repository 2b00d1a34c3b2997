import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_SEED, Generator, defaultGenerator, get_rng_state, initial_seed, manual_seed,
  set_rng_state,
} from "../../src/tensor/random/generator.js";
import {
  LINEAR_INIT_A, calculateFanInAndFanOut, fma64, fmaf, kaimingUniformBound, linearBiasBound,
} from "../../src/tensor/random/init_math.js";
import { MT19937, RNG_STATE_BYTES } from "../../src/tensor/random/mt19937.js";

interface TensorOut { shape: number[]; dtype: string; data: number[] }
interface LinearOut { weight: number[]; bias: number[]; in: number; out: number }
interface RefCase { seed: number; call: string; out: TensorOut | LinearOut }

const REF = JSON.parse(
  readFileSync(new URL("../../../shared/reference/pytorch-1.13-rng.json", import.meta.url), "utf8"),
) as { torch: string; cases: RefCase[] };

const numel = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** Runs one reference call on a fresh generator; returns the flat values (float32 already rounded). */
function runCall(g: Generator, c: RefCase): Float32Array | Float64Array {
  const call = c.call;
  const t = c.out as TensorOut;
  if (call.startsWith("rand(") && call.includes("float64")) return g.fillUniform(new Float64Array(numel(t.shape)));
  if (call.startsWith("rand(")) return g.fillUniform(new Float32Array(numel(t.shape)));
  if (call.startsWith("randn(")) return g.fillNormal(new Float32Array(numel(t.shape)));
  if (call.startsWith("randint(0, 10")) return g.fillRandint(new Float64Array(numel(t.shape)), 0, 10);
  if (call.startsWith("randperm(")) return g.randperm(numel(t.shape));
  throw new Error(`unhandled reference call ${call}`);
}

/** Bit-level comparison: float32 refs via Math.fround, float64 exactly (Object.is keeps -0). */
function expectBitEqual(got: ArrayLike<number>, want: number[], float32: boolean): void {
  expect(got.length).toBe(want.length);
  const mismatches: string[] = [];
  for (let i = 0; i < want.length; i++) {
    const w = float32 ? Math.fround(want[i]!) : want[i]!;
    if (!Object.is(got[i], w)) mismatches.push(`[${i}] got ${got[i]} want ${w}`);
  }
  expect(mismatches.slice(0, 10)).toEqual([]);
}

describe("PyTorch 1.13 reference (shared/reference/pytorch-1.13-rng.json)", () => {
  it("covers the expected calls", () => {
    expect(REF.cases.length).toBeGreaterThanOrEqual(22);
  });
  for (const c of REF.cases) {
    it(`seed ${c.seed}: ${c.call}`, () => {
      const g = new Generator().manual_seed(c.seed);
      const m = /^nn\.Linear\((\d+), (\d+)\)$/.exec(c.call);
      if (m) {
        const o = c.out as LinearOut;
        const fanIn = Number(m[1]);
        const fanOut = Number(m[2]);
        expect([o.in, o.out]).toEqual([fanIn, fanOut]);
        const [fi] = calculateFanInAndFanOut([fanOut, fanIn]);
        const wb = kaimingUniformBound(fi, LINEAR_INIT_A);
        const w = g.fillUniform(new Float32Array(fanOut * fanIn), -wb, wb);
        const bb = linearBiasBound(fi);
        const b = g.fillUniform(new Float32Array(fanOut), -bb, bb);
        expectBitEqual(w, o.weight, true);
        expectBitEqual(b, o.bias, true);
        return;
      }
      const t = c.out as TensorOut;
      expectBitEqual(runCall(g, c), t.data, t.dtype === "float32");
    });
  }
});

describe("MT19937", () => {
  it("matches std::mt19937's published 10000th output for the default seed 5489", () => {
    const e = new MT19937(5489n);
    let v = 0;
    for (let i = 0; i < 10000; i++) v = e.nextU32();
    expect(v).toBe(4123659995);
  });
  it("uses only the low 32 bits of the seed but reports all 64", () => {
    const a = new Generator(5n);
    const b = new Generator((1n << 40n) + 5n);
    expect(a.random()).toBe(b.random());
    expect(b.initial_seed()).toBe((1n << 40n) + 5n);
  });
  it("random64 is (first draw << 32) | second draw", () => {
    const g = new Generator(0);
    const h = g.clone();
    const hi = BigInt(h.random());
    const lo = BigInt(h.random());
    expect(g.random64()).toBe((hi << 32n) | lo);
  });
});

describe("Generator", () => {
  it("the default generator starts from torch's default seed", () => {
    expect(DEFAULT_SEED).toBe(67280421310721n);
    expect(new Generator().initial_seed()).toBe(67280421310721n);
    const saved = get_rng_state();
    try {
      expect(manual_seed(7)).toBe(defaultGenerator);
      expect(initial_seed()).toBe(7n);
    } finally {
      set_rng_state(saved);
    }
  });

  it("manual_seed wraps negative seeds to uint64 and truncates non-integers", () => {
    expect(new Generator().manual_seed(-1).initial_seed()).toBe(2n ** 64n - 1n);
    expect(new Generator().manual_seed(3.7).initial_seed()).toBe(3n);
    expect(() => new Generator().manual_seed(2n ** 64n)).toThrow(RangeError);
  });

  it("manual_seed drops the cached Box–Muller sample", () => {
    const want = REF.cases.find((c) => c.seed === 0 && c.call === "randn(3, 4)")!.out as TensorOut;
    const g = new Generator().manual_seed(0);
    g.fillNormal(new Float32Array(7)); // odd count leaves a cached sin sample
    g.manual_seed(0);
    expectBitEqual(g.fillNormal(new Float32Array(12)), want.data, true);
  });

  it("the normal cache survives across calls like PyTorch's", () => {
    const want = REF.cases.find((c) => c.seed === 0 && c.call === "randn(3, 4)")!.out as TensorOut;
    const g = new Generator().manual_seed(0);
    const a = g.fillNormal(new Float32Array(5));
    const b = g.fillNormal(new Float32Array(7));
    expectBitEqual([...a, ...b], want.data, true);
  });

  it("get_state/set_state round-trips engine and cache in PyTorch's 5056-byte layout", () => {
    const g = new Generator().manual_seed(1234);
    g.fillNormal(new Float32Array(3)); // leaves a cached sample
    const state = g.get_state();
    expect(state.length).toBe(RNG_STATE_BYTES);
    const dv = new DataView(state.buffer);
    expect(dv.getBigUint64(0, true)).toBe(1234n); // the_initial_seed
    expect(dv.getInt32(12, true)).toBe(1); // seeded
    expect(dv.getInt32(5040, true)).toBe(1); // normal_is_valid
    const first = g.fillNormal(new Float64Array(9));
    const u = g.fillUniform(new Float32Array(700)); // crosses a twist
    const h = new Generator().set_state(state);
    expect(h.initial_seed()).toBe(1234n);
    expect(h.fillNormal(new Float64Array(9))).toEqual(first);
    expect(h.fillUniform(new Float32Array(700))).toEqual(u);
    expect(() => h.set_state(new Uint8Array(10))).toThrow(RangeError);
  });

  it("a fresh state after manual_seed has left=1, next=0", () => {
    const dv = new DataView(new Generator().manual_seed(0).get_state().buffer);
    expect(dv.getInt32(8, true)).toBe(1);
    expect(dv.getBigUint64(16, true)).toBe(0n);
    expect(dv.getInt32(5040, true)).toBe(0);
  });

  it("seed() reseeds non-deterministically and reports the seed", () => {
    const g = new Generator();
    const s = g.seed();
    expect(g.initial_seed()).toBe(s);
  });

  it("uniform_ honours from/to in float32 with a fused multiply-add", () => {
    const g = new Generator().manual_seed(3);
    const h = g.clone();
    const out = g.fillUniform(new Float32Array(64), -2.5, 7);
    for (let i = 0; i < out.length; i++) {
      const x = (h.random() & 0xffffff) * 2 ** -24;
      expect(out[i]).toBe(fmaf(x, Math.fround(7 - Math.fround(-2.5)), Math.fround(-2.5)));
      expect(out[i]! >= -2.5 && out[i]! < 7).toBe(true);
    }
    expect(() => g.fillUniform(new Float32Array(1), 1, 0)).toThrow(RangeError);
  });

  it("normal_ with mean/std on the vectorised path applies std and mean by fma", () => {
    const g = new Generator().manual_seed(11);
    const z = g.clone().fillNormal(new Float32Array(40));
    const y = g.fillNormal(new Float32Array(40), 3, 0.5);
    for (let i = 0; i < 40; i++) expect(y[i]).toBe(fmaf(z[i]!, 0.5, 3));
  });

  it("float64 randn (>= 16) is a proper standard normal sample", () => {
    const g = new Generator().manual_seed(5);
    const d = g.fillNormal(new Float64Array(20000));
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    const v = d.reduce((a, b) => a + (b - mean) ** 2, 0) / d.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(v - 1)).toBeLessThan(0.05);
  });

  it("randint uses random() % range for small ranges and random64 for >= 2^32", () => {
    const g = new Generator().manual_seed(9);
    const h = g.clone();
    const small = g.fillRandint(new Int32Array(10), -5, 5);
    for (let i = 0; i < 10; i++) expect(small[i]).toBe((h.random() % 10) - 5);
    const big = g.fillRandint(new Float64Array(4), 0, 2 ** 40);
    for (let i = 0; i < 4; i++) expect(big[i]).toBe(Number(h.random64() % 2n ** 40n));
    expect(() => g.fillRandint(new Float64Array(1), 3, 3)).toThrow(RangeError);
  });

  it("randperm is a permutation", () => {
    const p = new Generator().manual_seed(1).randperm(1000);
    expect([...p].sort((a, b) => a - b)).toEqual([...Array(1000).keys()]);
    expect(new Generator().randperm(0).length).toBe(0);
  });

  it("bernoulli_(p) default path compares a 53-bit double uniform with p", () => {
    const g = new Generator().manual_seed(2);
    const h = g.clone();
    const m = g.fillBernoulli(new Float32Array(1000), 0.3);
    let ones = 0;
    for (let i = 0; i < m.length; i++) {
      expect(m[i]).toBe(h.uniformDouble() < 0.3 ? 1 : 0);
      ones += m[i]!;
    }
    expect(Math.abs(ones / 1000 - 0.3)).toBeLessThan(0.06);
    const mkl = new Generator().manual_seed(2).fillBernoulli(new Uint8Array(5000), 0.8, "mkl");
    expect(Math.abs(mkl.reduce((a, b) => a + b, 0) / 5000 - 0.8)).toBeLessThan(0.03);
    // the best-effort MCG31m1 stream: x <- 1132489760 x mod (2^31 - 1), seeded by one random()
    let x = BigInt(new Generator().manual_seed(2).random()) % 2147483647n;
    for (let i = 0; i < 50; i++) {
      x = (x * 1132489760n) % 2147483647n;
      expect(mkl[i]).toBe(Number(x) / 2147483647 < 0.8 ? 1 : 0);
    }
    expect(() => g.fillBernoulli(new Float32Array(1), 1.5)).toThrow(RangeError);
  });

  it("bernoulli(probs) draws float or double uniforms by the probs dtype", () => {
    const g = new Generator().manual_seed(4);
    const h = g.clone();
    const out = g.fillBernoulliTensor(new Float32Array(3), new Float32Array([0, 1, 0.5]));
    expect([out[0], out[1]]).toEqual([0, 1]);
    h.uniformFloat();
    h.uniformFloat();
    expect(out[2]).toBe(h.uniformFloat() < 0.5 ? 1 : 0);
  });
});

describe("exact fused multiply-add emulation", () => {
  it("fmaf rounds once where mul-then-add rounds twice", () => {
    // (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24: mul-then-add loses the 2^-24, a fused op keeps it
    const a = 1 + 2 ** -12;
    expect(fmaf(a, a, -1)).toBe(2 ** -11 + 2 ** -24);
    // double-rounding trap: the exact sum is just below a float midpoint, the double sum is on
    // it, and ties-to-even would then round up
    const x = Math.fround(1 + 2 ** -23);
    expect(Math.fround(x + (2 ** -24 - 2 ** -60))).toBe(Math.fround(1 + 2 ** -22));
    expect(fmaf(x, 1, 2 ** -24 - 2 ** -60)).toBe(x);
    expect(fmaf(3, 5, 0)).toBe(15);
  });
  it("fma64 keeps the low product bits", () => {
    const a = 1 + 2 ** -30;
    expect(fma64(a, a, -1)).toBe(2 ** -29 + 2 ** -60);
    expect(fma64(0.1, 10, -1)).toBe(5.551115123125783e-17);
    expect(fma64(2, 3, 0)).toBe(6);
  });
});

describe("init math", () => {
  it("kaiming bound for nn.Linear is sqrt(3) * sqrt(2/(1+a^2)) / sqrt(fan_in)", () => {
    expect(kaimingUniformBound(4, Math.sqrt(5))).toBe(Math.sqrt(3.0) * (Math.sqrt(2.0 / (1 + 5.000000000000001)) / 2));
    expect(kaimingUniformBound(4)).toBe(Math.sqrt(3.0) * (Math.sqrt(2.0) / 2)); // a = 0: relu gain
    expect(linearBiasBound(0)).toBe(0);
    expect(calculateFanInAndFanOut([8, 3, 5, 5])).toEqual([75, 200]);
    expect(() => calculateFanInAndFanOut([3])).toThrow(RangeError);
  });
});
