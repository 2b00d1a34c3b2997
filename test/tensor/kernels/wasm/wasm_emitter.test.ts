import { describe, expect, it } from "vitest";
import {
  FunctionBuilder, VALTYPE, encodeModule, encodeS32, encodeU32,
} from "../../../../src/tensor/kernels/wasm/wasm_emitter.js";
import { DEFAULT_TILE, buildGemmF32Module } from "../../../../src/tensor/kernels/wasm/gemm_f32_simd.js";
import { hasWasmSimd, instantiate, simdProbeModule, validate } from "../../../../src/tensor/kernels/wasm/wasm_runtime.js";

const { i32, f32 } = VALTYPE;

describe("LEB128", () => {
  it("encodes the spec's examples and the edges of each byte", () => {
    expect(encodeU32(0)).toEqual([0x00]);
    expect(encodeU32(127)).toEqual([0x7f]);
    expect(encodeU32(128)).toEqual([0x80, 0x01]);
    expect(encodeU32(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(encodeU32(0xffffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(encodeS32(0)).toEqual([0x00]);
    expect(encodeS32(-1)).toEqual([0x7f]);
    expect(encodeS32(63)).toEqual([0x3f]);
    expect(encodeS32(64)).toEqual([0xc0, 0x00]);
    expect(encodeS32(-64)).toEqual([0x40]);
    expect(encodeS32(-65)).toEqual([0xbf, 0x7f]);
    expect(encodeS32(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(() => encodeU32(-1)).toThrow(RangeError);
    expect(() => encodeU32(1.5)).toThrow(RangeError);
  });
});

describe("encodeModule", () => {
  it("builds a valid module whose function runs", () => {
    const inc = new FunctionBuilder([i32], [i32]);
    inc.localGet(0).i32Const(-1000).op("i32.sub");
    const bytes = encodeModule({ functions: [{ name: "inc", body: inc }] });
    expect(validate(bytes)).toBe(true);
    const run = instantiate(bytes).exports["inc"] as (x: number) => number;
    expect(run(41)).toBe(1041);
  });

  it("encodes loops, branches and locals (sum of 1..n by a count-down loop)", () => {
    const f = new FunctionBuilder([i32], [i32]);
    const sum = f.addLocal(i32);
    f.block().localGet(0).op("i32.eqz").brIf(0);
    f.loop().localGet(sum).localGet(0).op("i32.add").localSet(sum);
    f.localGet(0).i32Const(1).op("i32.sub").localTee(0).brIf(0).end();
    f.end().localGet(sum);
    const bytes = encodeModule({ functions: [{ name: "sum", body: f }] });
    expect(validate(bytes)).toBe(true);
    const run = instantiate(bytes).exports["sum"] as (n: number) => number;
    expect(run(0)).toBe(0);
    expect(run(100)).toBe(5050);
  });

  it("exports memory and encodes scalar and SIMD loads and stores with offsets", () => {
    // out[0..4] = in[0..4] * in[4..8] + splat(scale), with out at byte 32; then f32 at byte 48
    const f = new FunctionBuilder([f32], []);
    f.i32Const(0).i32Const(0).simd("v128.load").i32Const(0).simd("v128.load", 16).simd("f32x4.mul");
    f.localGet(0).simd("f32x4.splat").simd("f32x4.add").simd("v128.store", 32);
    f.i32Const(48).i32Const(4).memory("f32.load").memory("f32.store");
    const bytes = encodeModule({ functions: [{ name: "fma4", body: f }], memory: { name: "mem", initialPages: 1 } });
    expect(validate(bytes)).toBe(true);
    const { exports } = instantiate(bytes);
    const mem = new Float32Array((exports["mem"] as { buffer: ArrayBuffer }).buffer);
    mem.set([1, 2, 3, 4, 10, 20, 30, 40]);
    (exports["fma4"] as (s: number) => void)(0.5);
    expect([...mem.subarray(8, 13)]).toEqual([10.5, 40.5, 90.5, 160.5, 2]);
  });

  it("gives each distinct signature one type and rejects unclosed blocks", () => {
    const a = new FunctionBuilder([i32], [i32]).localGet(0);
    const b = new FunctionBuilder([i32], [i32]).localGet(0);
    const c = new FunctionBuilder([], []);
    const bytes = encodeModule({ functions: [{ name: "a", body: a }, { name: "b", body: b }, { name: "c", body: c }] });
    expect(validate(bytes)).toBe(true);
    // type section (id 1, 9 bytes): two types, (i32) -> (i32) and () -> ()
    expect([...bytes.slice(8, 19)]).toEqual([1, 9, 2, 0x60, 1, 0x7f, 1, 0x7f, 0x60, 0, 0]);
    expect(() => encodeModule({ functions: [{ name: "open", body: new FunctionBuilder([], []).block() }] })).toThrow(/unclosed/);
  });

  it("rejects what the validator would: a body that leaves a value it does not return", () => {
    const f = new FunctionBuilder([], []).i32Const(1);
    expect(validate(encodeModule({ functions: [{ name: "f", body: f }] }))).toBe(false);
  });
});

describe("SIMD modules", () => {
  it("the feature probe and every GEMM tile generate valid modules", () => {
    expect(hasWasmSimd()).toBe(true); // Node 20's V8 has fixed-width SIMD
    expect(validate(simdProbeModule())).toBe(true);
    for (const tile of [DEFAULT_TILE, { mr: 3, nv: 1, unroll: 2 }, { mr: 6, nv: 2, unroll: 4 }]) {
      expect(validate(buildGemmF32Module(tile))).toBe(true);
    }
  });
});
