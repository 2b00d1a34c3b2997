import { afterEach, describe, expect, it } from "vitest";
import { WasmGemmF32, JS_MAX_MULADDS, useWasmFor } from "../../../../src/tensor/kernels/wasm/wasm_matmul.js";
import { directMatmul, getMatmulKernel, setMatmulBackends } from "../../../../src/tensor/kernels/matmul.js";
import { hasWasmSimd } from "../../../../src/tensor/kernels/wasm/wasm_runtime.js";
import { float32, float64 } from "../../../../src/tensor/dtype.js";
import { rng } from "../../../support/rng.js";


interface Case {
  m: number; n: number; k: number;
  transA: boolean; transB: boolean;
  alpha: number; beta: number;
}

/** Operands laid out with offsets, optional transposition and padded C rows. */
function makeOperands(cs: Case, rand: () => number) {
  const { m, n, k } = cs;
  const aOff = 3, bOff = 5, cOff = 7, cRs = n + 2;
  const fill = (len: number): Float32Array => Float32Array.from({ length: len }, () => rand() * 2 - 1);
  const a = fill(aOff + m * k);
  const b = fill(bOff + k * n);
  const c = fill(cOff + m * cRs);
  const [aRs, aCs] = cs.transA ? [1, m] : [k, 1];
  const [bRs, bCs] = cs.transB ? [1, k] : [n, 1];
  return { a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, cRs };
}

type Operands = ReturnType<typeof makeOperands>;

/**
 * Checks c against a float64 reference within the float32 summation bound
 * (Note [wasm f32 accuracy]), and that C outside the m x n view is untouched.
 */
function expectClose(cs: Case, o: Operands, c0: Float32Array): void {
  const u = 2 ** -24;
  for (let i = 0; i < cs.m; i++) {
    for (let j = 0; j < cs.n; j++) {
      let sum = 0, mag = 0;
      for (let p = 0; p < cs.k; p++) {
        const prod = o.a[o.aOff + i * o.aRs + p * o.aCs]! * o.b[o.bOff + p * o.bRs + j * o.bCs]!;
        sum += prod;
        mag += Math.abs(prod);
      }
      const q = o.cOff + i * o.cRs + j;
      const old = cs.beta === 0 ? 0 : cs.beta * c0[q]!;
      const want = cs.alpha * sum + old;
      const tol = 2 * u * ((cs.k + 2) * Math.abs(cs.alpha) * mag + 2 * Math.abs(old)) + 1e-37;
      const got = o.c[q]!;
      if (!(Math.abs(got - want) <= tol)) {
        throw new Error(`${JSON.stringify(cs)}: C[${i},${j}] = ${got}, want ${want} within ${tol}`);
      }
    }
  }
  for (let q = 0; q < o.c.length; q++) {
    const inView = q >= o.cOff && (q - o.cOff) % o.cRs < cs.n && q < o.cOff + cs.m * o.cRs;
    if (!inView && !Object.is(o.c[q], c0[q])) throw new Error(`${JSON.stringify(cs)}: C[${q}] outside the view changed`);
  }
}

function runCase(gemm: WasmGemmF32, cs: Case, seed: number): void {
  const o = makeOperands(cs, rng(seed));
  if (cs.beta === 0) o.c.fill(NaN, o.cOff); // beta = 0 must ignore C, NaN included
  const c0 = o.c.slice();
  const done = gemm.run(cs.m, cs.n, cs.k, o.a, o.aOff, o.aRs, o.aCs, o.b, o.bOff, o.bRs, o.bCs, o.c, o.cOff, o.cRs, cs.alpha, cs.beta);
  expect(done).toBe(true);
  expectClose(cs, o, c0);
}

// Node >= 20 (package.json engines) has WebAssembly SIMD: these tests run, never skip.
describe("the runtime", () => {
  it("has WebAssembly SIMD, so the wasm-simd backend registers", () => expect(hasWasmSimd()).toBe(true));
});

describe("WASM SIMD float32 GEMM against a float64 reference", () => {
  it("odd sizes 1..67, transposed operands, offsets, alpha and beta", () => {
    const gemm = new WasmGemmF32();
    const rand = rng(42);
    const sizes = [1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 31, 33, 64, 67];
    const pick = (): number => sizes[Math.floor(rand() * sizes.length)]!;
    const scalars: [number, number][] = [[1, 0], [1, 1], [-0.5, 0], [2, -1.5], [0.25, 0.75]];
    for (let t = 0; t < 120; t++) {
      const [alpha, beta] = scalars[t % scalars.length]!;
      const cs: Case = { m: pick(), n: pick(), k: pick(), transA: rand() < 0.5, transB: rand() < 0.5, alpha, beta };
      runCase(gemm, cs, t + 1);
    }
  });

  it("k and m span several blocks (k > KC = 256, m > MC = 128), grown memory is reused by a smaller product", () => {
    const gemm = new WasmGemmF32();
    runCase(gemm, { m: 5, n: 6, k: 7, transA: false, transB: false, alpha: 1, beta: 0 }, 1);
    runCase(gemm, { m: 261, n: 37, k: 600, transA: false, transB: true, alpha: 1, beta: 0 }, 2);
    runCase(gemm, { m: 130, n: 200, k: 257, transA: true, transB: false, alpha: 0.5, beta: 2 }, 3);
    runCase(gemm, { m: 3, n: 9, k: 2, transA: false, transB: false, alpha: 1, beta: 1 }, 4);
  });

  it("other tiles, including k unrolled with zero-padded steps, agree too", () => {
    for (const tile of [{ mr: 3, nv: 1, unroll: 2 }, { mr: 6, nv: 2, unroll: 4 }, { mr: 5, nv: 3, unroll: 3 }]) {
      const gemm = new WasmGemmF32(tile);
      for (const [m, n, k] of [[1, 1, 1], [7, 13, 5], [67, 33, 130], [128, 64, 259]] as const) {
        runCase(gemm, { m, n, k, transA: k % 2 === 1, transB: m % 2 === 1, alpha: 1.5, beta: 0.5 }, m * n * k);
      }
    }
  });

  it("refuses empty extents, which the registered kernel sends to JS", () => {
    const gemm = new WasmGemmF32();
    const empty = new Float32Array(4);
    expect(() => gemm.run(0, 2, 2, empty, 0, 2, 1, empty, 0, 2, 1, empty, 0, 2, 1, 0)).toThrow(/m, n, k >= 1/);
    expect(() => gemm.run(2, 2, 0, empty, 0, 0, 1, empty, 0, 2, 1, empty, 0, 2, 1, 0)).toThrow(RangeError);
  });

  it("a non-finite A element reaches only its own row (padding never leaks into C)", () => {
    const gemm = new WasmGemmF32();
    const [m, n, k] = [6, 10, 5];
    const a = new Float32Array(m * k).fill(1);
    const b = new Float32Array(k * n).fill(1);
    a[2 * k + 3] = Infinity;
    const c = new Float32Array(m * n);
    gemm.run(m, n, k, a, 0, k, 1, b, 0, n, 1, c, 0, n, 1, 0);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) expect(c[i * n + j]).toBe(i === 2 ? Infinity : k);
    }
  });
});

describe("the registered float32 kernel", () => {
  afterEach(() => setMatmulBackends(["wasm-simd", "js"]));

  it("is the wasm-simd backend, tried before js by default; it has no other dtype", () => {
    const byDefault = getMatmulKernel(float32);
    setMatmulBackends(["js"]);
    expect(getMatmulKernel(float32)).not.toBe(byDefault);
    setMatmulBackends(["wasm-simd"]);
    expect(getMatmulKernel(float32)).toBe(byDefault);
    expect(() => getMatmulKernel(float64)).toThrow(/float64/);
  });

  it("sends tiny products to JS (bit-equal to its float64 accumulation) and large ones to WASM", () => {
    expect(useWasmFor(3, 4, 4)).toBe(false); // Linear(4, 4) on a batch of 3
    expect(useWasmFor(16, 16, 16)).toBe(false);
    expect(useWasmFor(17, 16, 16)).toBe(true);
    expect(useWasmFor(512, 512, 512)).toBe(true);
    expect(16 * 16 * 16).toBe(JS_MAX_MULADDS);
    const kernel = getMatmulKernel(float32);
    const rand = rng(7);
    const x = Float32Array.from({ length: 12 }, () => rand() - 0.5);
    const w = Float32Array.from({ length: 16 }, () => rand() - 0.5);
    const got = new Float32Array(12);
    const want = new Float32Array(12);
    kernel(3, 4, 4, x, 0, 4, 1, w, 0, 1, 4, got, 0, 4, 1, 0);
    directMatmul(3, 4, 4, x, 0, 4, 1, w, 0, 1, 4, want, 0, 4, 1, 0);
    expect([...got]).toEqual([...want]);
  });

  it("handles k = 0 (C = beta * C) and empty m or n", () => {
    const kernel = getMatmulKernel(float32);
    const c = new Float32Array([NaN, 2, 3, 4]);
    kernel(2, 2, 0, new Float32Array(0), 0, 0, 1, new Float32Array(0), 0, 2, 1, c, 0, 2, 1, 0);
    expect([...c]).toEqual([0, 0, 0, 0]);
    c.set([1, 2, 3, 4]);
    kernel(2, 2, 0, new Float32Array(0), 0, 0, 1, new Float32Array(0), 0, 2, 1, c, 0, 2, 1, 3);
    expect([...c]).toEqual([3, 6, 9, 12]);
    const untouched = new Float32Array([5, 6]);
    kernel(0, 2, 300, new Float32Array(0), 0, 300, 1, new Float32Array(600), 0, 2, 1, untouched, 0, 2, 1, 0);
    kernel(2, 0, 300, new Float32Array(600), 0, 300, 1, new Float32Array(0), 0, 0, 1, untouched, 0, 0, 1, 0);
    expect([...untouched]).toEqual([5, 6]);
  });

  it("a 96x80x100 product through the registry matches the float64 reference", () => {
    const cs: Case = { m: 96, n: 80, k: 100, transA: true, transB: false, alpha: 1, beta: 0 };
    const o = makeOperands(cs, rng(11));
    const c0 = o.c.slice();
    getMatmulKernel(float32)(cs.m, cs.n, cs.k, o.a, o.aOff, o.aRs, o.aCs, o.b, o.bOff, o.bRs, o.bCs, o.c, o.cOff, o.cRs, 1, 0);
    expectClose(cs, o, c0);
  });
});
