import { describe, expect, it } from "vitest";
import {
  CHECK_REL_ERR, WASM_MIN_NUMEL, WASM_UNARY_OPS, WasmUnaryF32, buildFloat64CoreModule, wasmUnaryLoop, withWasmUnary,
  type WasmUnaryOp,
} from "../../../../src/tensor/kernels/wasm/wasm_unary.js";
import { FunctionBuilder, VALTYPE, encodeModule } from "../../../../src/tensor/kernels/wasm/wasm_emitter.js";
import { hasWasmSimd, instantiate, validate } from "../../../../src/tensor/kernels/wasm/wasm_runtime.js";
import { makeUnaryKernel } from "../../../../src/tensor/kernels/elementwise.js";
import { Tensor } from "../../../../src/tensor/tensor.js";
import { float32, float64 } from "../../../../src/tensor/dtype.js";
import { exp, sigmoid, sigmoid_, tanh } from "../../../../src/tensor/ops/unary.js";
import "../../../../src/index.js"; // installs the Tensor methods (to, narrow)

/** The float64 references; a Float32Array store rounds them to float32. */
const REFERENCE: Record<WasmUnaryOp, (x: number) => number> = {
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  exp: Math.exp,
};
/** The float32 JS kernels' expressions (src/tensor/ops/unary.ts), which the WASM path falls back to. */
const JS_EXPR: Record<WasmUnaryOp, string> = { tanh: "tanhF32(x)", sigmoid: "1 / (1 + Math.exp(-x))", exp: "Math.exp(x)" };
/** Inputs beyond these give the same float32 result as the ends (0, 1, Inf) and are clamped. */
const RANGE: Record<WasmUnaryOp, number> = { tanh: 20, sigmoid: 110, exp: 110 };

const bitsOf = (x: number): number => new Uint32Array(Float32Array.of(x).buffer)[0]!;

/** Every `stride`-th float32 in [-hi, hi] by bit pattern (so tiny, subnormal and large values alike), and +-0. */
function floatGrid(hi: number, stride: number): Float32Array {
  const top = bitsOf(hi);
  const bits = new Uint32Array(2 * Math.floor(top / stride) + 2);
  let i = 0;
  for (let b = 0; b <= top; b += stride) {
    bits[i++] = b;
    bits[i++] = (b | 0x80000000) >>> 0;
  }
  return new Float32Array(bits.buffer, 0, i);
}

/** `width` consecutive float32 on either side of each centre. */
function floatsAround(centres: readonly number[], width: number): Float32Array {
  const bits: number[] = [];
  for (const c of centres) {
    const b = bitsOf(c);
    // below +0 the floats continue at -0's side (bits below 0 would wrap round to NaNs)
    for (let d = -width; d <= width; d++) bits.push(b + d >= 0 ? (b + d) >>> 0 : (-(b + d) | 0x80000000) >>> 0);
  }
  return new Float32Array(Uint32Array.from(bits).buffer);
}

const SPECIALS = Float32Array.of(
  0, -0, NaN, Infinity, -Infinity, 1e-45, -1e-45, 1.1754942e-38, -1.1754942e-38, 3.4028235e38, -3.4028235e38,
  88.72283, 88.72284, -87.33655, -103.97208, -103.97209, 9.1, -9.1, 20, -20, 100, -100, 110, -110, 0.5, -0.5,
);

/** Where the algorithms switch: k changes at odd multiples of ln2/2, clamps, float32 overflow and underflow. */
function criticalPoints(op: WasmUnaryOp): number[] {
  const kSteps = Array.from({ length: 21 }, (_, j) => ((j - 10 + 0.5) * Math.LN2) / (op === "tanh" ? 2 : 1));
  return [...kSteps, 0, 20, -20, 88.72283, -87.33655, -103.97208, -100, 100, 16.6, -16.6, 0.55, -0.55];
}

function firstMismatches(got: Float32Array, want: Float32Array, x: Float32Array): string[] {
  const g = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const w = new Uint32Array(want.buffer, want.byteOffset, want.length);
  const bad: string[] = [];
  for (let i = 0; i < x.length && bad.length < 5; i++) {
    if (g[i] !== w[i] && !(Number.isNaN(got[i]!) && Number.isNaN(want[i]!))) bad.push(`x=${x[i]} got ${got[i]} want ${want[i]}`);
  }
  return bad;
}


// Node >= 20 (package.json engines) has WebAssembly SIMD: these tests run, never skip.
it("the runtime has WebAssembly SIMD", () => expect(hasWasmSimd()).toBe(true));

describe("emitter additions the unary kernels use", () => {
  it("shuffles, 64-bit lane constants, and pmin/pmax keeping a NaN first operand", () => {
    // f(ptr): at ptr, the low lane of v = load(ptr) and the low lane of pmin(v, [2, 2]), then pmax(v, [-1, -1])
    const f = new FunctionBuilder([VALTYPE.i32], []);
    const v = f.addLocal(VALTYPE.v128);
    f.localGet(0).simd("v128.load").localSet(v);
    f.localGet(0).localGet(v).localGet(v).f64x2Const(2).simd("f64x2.pmin");
    f.shuffle([0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]).simd("v128.store");
    f.localGet(0).localGet(v).i64x2Const(-1n).simd("f64x2.pmax").simd("v128.store", 16);
    const bytes = encodeModule({ functions: [{ name: "f", body: f }], memory: { name: "memory", initialPages: 1 } });
    expect(validate(bytes)).toBe(true);
    const ex = instantiate(bytes).exports;
    const mem = new Float64Array((ex["memory"] as { buffer: ArrayBuffer }).buffer);
    const run = ex["f"] as (p: number) => void;
    mem.set([NaN, 7]);
    run(0);
    expect([mem[0], mem[1]]).toEqual([NaN, NaN]); // pmin(NaN, 2) is NaN
    expect([mem[2], mem[3]]).toEqual([NaN, 7]); // pmax(v, NaN bits of -1n) keeps v
    mem.set([5, 1]);
    run(0);
    expect([mem[0], mem[1]]).toEqual([5, 2]);
    expect(() => new FunctionBuilder([], []).shuffle([0, 1])).toThrow(RangeError);
    expect(() => new FunctionBuilder([], []).v128Const(new Uint8Array(8))).toThrow(RangeError);
  });
});

describe("the float64 cores (Note [wasm unary exactness])", () => {
  it("are within CHECK_REL_ERR / 256 of Math.* on a dense grid", () => {
    const ex = instantiate(buildFloat64CoreModule()).exports;
    const memory = ex["memory"] as { buffer: ArrayBuffer; grow(pages: number): number };
    for (const op of WASM_UNARY_OPS) {
      const xs = Float64Array.from(floatGrid(RANGE[op], 1009));
      const have = memory.buffer.byteLength;
      if (xs.byteLength > have) memory.grow(Math.ceil((xs.byteLength - have) / 65536));
      const mem = new Float64Array(memory.buffer, 0, xs.length);
      mem.set(xs);
      (ex[op] as (ptr: number, pairs: number) => void)(0, xs.length / 2);
      let worst = 0;
      for (let i = 0; i < xs.length; i++) {
        const want = REFERENCE[op](xs[i]!);
        if (Number.isNaN(want) || !Number.isFinite(want) || want === 0 || Math.abs(xs[i]!) > RANGE[op] - 10) continue;
        worst = Math.max(worst, Math.abs(mem[i]! - want) / Math.abs(want));
      }
      expect(worst, op).toBeLessThan(CHECK_REL_ERR / 256);
      expect(worst, op).toBeGreaterThan(0); // the grid really compared something
    }
  });
});

describe("WASM float32 tanh, sigmoid, exp store the float64 reference rounded to float32", () => {
  const wasm = new WasmUnaryF32();
  const made = new Map<WasmUnaryOp, Float32Array>();
  const inputs = (op: WasmUnaryOp): Float32Array => made.get(op) ?? made.set(op, makeInputs(op)).get(op)!;
  const makeInputs = (op: WasmUnaryOp): Float32Array => {
    const grid = floatGrid(RANGE[op] * 1.05, 997);
    const near = floatsAround(criticalPoints(op), 3000);
    const all = new Float32Array(grid.length + near.length + SPECIALS.length);
    all.set(grid);
    all.set(near, grid.length);
    all.set(SPECIALS, grid.length + near.length);
    return all;
  };

  for (const op of WASM_UNARY_OPS) {
    it(`${op}: 0 ulp from the rounded float64 result on a dense grid, near switch points and on special values`, () => {
      const x = inputs(op);
      const want = Float32Array.from(x, REFERENCE[op]);
      const got = new Float32Array(x.length);
      wasmUnaryLoop(op, makeUnaryKernel(JS_EXPR[op]).contiguous)(x, 0, got, x.length, 0, 0);
      expect(firstMismatches(got, want, x)).toEqual([]);
    });

    it(`${op}: the check hands back few groups, and only those, to JS`, () => {
      const x = inputs(op);
      const out = new Float32Array(x.length);
      const redo = wasm.run(op, x, 0, out, x.length)!;
      expect(redo.every((i) => i % 4 === 0 && i < x.length)).toBe(true);
      const back = new Set(redo);
      // groups with a NaN always come back; of the rest, about one result in 2^16 is near a rounding boundary
      const groups = Math.ceil(x.length / 4);
      const withNaN = new Set<number>();
      for (let i = 0; i < x.length; i++) if (Number.isNaN(x[i])) withNaN.add(i - (i % 4));
      expect(withNaN.size).toBeGreaterThan(0);
      expect([...withNaN].filter((g) => !back.has(g))).toEqual([]);
      expect(back.size - withNaN.size).toBeLessThan(groups / 2000);
      const want = Float32Array.from(x, REFERENCE[op]);
      for (let g = 0; g < x.length; g += 4) if (back.has(g)) out.set(want.subarray(g, g + 4), g);
      expect(firstMismatches(out, want, x)).toEqual([]);
    });
  }

  it("reads from an offset, handles lengths that are not a multiple of four, and grows its memory", () => {
    for (const n of [WASM_MIN_NUMEL, 37, 4097, 1 << 20]) {
      const off = 3;
      const src = Float32Array.from({ length: off + n }, (_, i) => Math.sin(i) * 30);
      const out = new Float32Array(n).fill(-7);
      wasmUnaryLoop("tanh", makeUnaryKernel(JS_EXPR.tanh).contiguous)(src, off, out, n, 0, 0);
      const want = Float32Array.from(src.subarray(off), Math.tanh);
      expect(firstMismatches(out, want, src.subarray(off))).toEqual([]);
    }
  });
});

describe("torch ops on float32 tensors", () => {
  const tensor = (rows: number, cols: number): Tensor => {
    const data = Float32Array.from({ length: rows * cols }, (_, i) => (((i * 7919) % 1000) - 500) / 37);
    data[5] = NaN;
    data[6] = -0;
    data[7] = Infinity;
    return Tensor.fromData(data, [rows, cols], float32);
  };
  const ops = { tanh, sigmoid, exp } as const;

  for (const op of WASM_UNARY_OPS) {
    it(`${op} on 64x256 (WASM) and 3x4 (JS) equals the float64 reference rounded, like float64 ${op} cast down`, () => {
      for (const [rows, cols] of [[64, 256], [3, 4]] as const) {
        const x = tensor(rows, cols);
        const got = ops[op](x).storage.data as Float32Array;
        const want = Float32Array.from(x.storage.data as Float32Array, REFERENCE[op]);
        expect(firstMismatches(got, want, x.storage.data as Float32Array)).toEqual([]);
        const viaDouble = ops[op](x.to(float64)).to(float32).storage.data as Float32Array;
        expect(firstMismatches(got, viaDouble, x.storage.data as Float32Array)).toEqual([]);
      }
    });
  }

  it("a contiguous slice with an offset and an in-place op take the WASM path correctly", () => {
    const x = tensor(65, 256);
    const rows = x.narrow(0, 1, 64); // contiguous, offset 256
    const got = tanh(rows).storage.data as Float32Array;
    const want = Float32Array.from((x.storage.data as Float32Array).subarray(256), Math.tanh);
    expect(firstMismatches(got, want, (x.storage.data as Float32Array).subarray(256))).toEqual([]);
    const y = tensor(64, 256);
    const before = Float32Array.from(y.storage.data as Float32Array);
    sigmoid_(y);
    expect(firstMismatches(y.storage.data as Float32Array, Float32Array.from(before, REFERENCE.sigmoid), before)).toEqual([]);
  });

  it("only tanh, sigmoid and exp get a WASM loop", () => {
    const k = makeUnaryKernel("Math.sin(x)");
    expect(withWasmUnary("sin", k)).toBe(k);
    expect(withWasmUnary("tanh", k).contiguous).not.toBe(k.contiguous);
    expect(withWasmUnary("tanh", k).strided).toBe(k.strided);
  });
});
