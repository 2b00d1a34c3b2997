/**
 * Generates the WASM SIMD float32 GEMM block kernel: C += A·B over one packed block, with an
 * MR x NR register tile held in v128 accumulators (NR = 4 lanes x vectors per row).
 *
 * Given packed operands (see gemm_f32_pack.ts)
 *   A block: `strips` strips of MR rows, each [p][r] over kc (kc a multiple of `unroll`),
 *   B block: `panels` panels of NR columns, each [p][c] over kc,
 *   C: row-major with row stride `ldc` bytes, covering strips*MR rows and panels*NR columns,
 * the exported function `gemm_block(strips, panels, kc, aPtr, bPtr, cPtr, ldc)` runs
 *   for each B panel (kc x NR, stays in L1)
 *     for each A strip (MR x kc, streamed from L2)
 *       acc[MR][NR/4] = 0; for p < kc: acc[r][v] += splat(A[p][r]) * B[p][v*4 .. v*4+4]
 *       C tile += acc
 * (the loop order of the BLIS macro-kernel). All loops count down and test at the bottom, so
 * strips, panels and kc must be at least 1. Edges are not special-cased: packing pads rows,
 * columns and kc with zeros, and the caller copies back only the real part of C.
 *
 * Note [wasm f32 tile]: x86-64 has 16 xmm registers (V8 keeps one as scratch), so 4 x 8 floats
 * (8 accumulators + 2 B vectors + 1 splatted A value + a product temporary) fits without spilling;
 * each k step does 2 vector loads, 4 splat loads and 16 vector multiply/adds (64 flops). There
 * is no fused multiply-add in fixed-width WASM SIMD (relaxed_madd is not in Node 20's V8 without
 * a flag), so mul + add it is, as XNNPACK's wasmsimd kernels do.
 */
import { FunctionBuilder, VALTYPE, encodeModule } from "./wasm_emitter.js";

export interface GemmTile {
  /** Rows of A per strip (register rows). */
  mr: number;
  /** v128 vectors per row of the tile: NR = 4 * nv columns. */
  nv: number;
  /** k steps per loop iteration; packing pads kc to a multiple of it. */
  unroll: number;
}

/**
 * The 4x8 tile (eight v128 accumulators) won a one-off sweep of tile shapes at 512x512 during
 * development (WasmGemmF32 takes the tile as a parameter, so it can be re-run); 4x12, 3x16, 6x8,
 * 5x8, 8x4 and an unrolled 4x8 were all slower. bench/matmul_gflops.ts prints the chosen
 * tile's GFLOPS.
 */
export const DEFAULT_TILE: GemmTile = { mr: 4, nv: 2, unroll: 1 };

export const GEMM_BLOCK_EXPORT = "gemm_block";
export const MEMORY_EXPORT = "memory";
/** Where the threaded variant imports its shared memory from: `{ env: { memory } }`. */
export const SHARED_MEMORY_IMPORT = { module: "env", name: "memory" } as const;

const F32 = 4;
const V128 = 16;

/** The block kernel's parameters, in order (all i32; pointers and ldc in bytes). */
const PARAM = { strips: 0, panels: 1, kc: 2, aPtr: 3, bPtr: 4, cPtr: 5, ldc: 6 } as const;

interface Locals {
  j: number; i: number; p: number; pa: number; pb: number; bPanel: number; cCol: number; pc: number;
  acc: number[]; bv: number[]; av: number;
}

function declareLocals(f: FunctionBuilder, tile: GemmTile): Locals {
  const i32 = (): number => f.addLocal(VALTYPE.i32);
  const v128 = (): number => f.addLocal(VALTYPE.v128);
  const l = { j: i32(), i: i32(), p: i32(), pa: i32(), pb: i32(), bPanel: i32(), cCol: i32(), pc: i32() };
  const acc = Array.from({ length: tile.mr * tile.nv }, v128);
  const bv = Array.from({ length: tile.nv }, v128);
  return { ...l, acc, bv, av: v128() };
}

/** `local -= step; br_if 0 (local != 0)`: the back edge of a count-down loop. */
function countDown(f: FunctionBuilder, local: number, step: number): void {
  f.localGet(local).i32Const(step).op("i32.sub").localTee(local).brIf(0);
}

/** `local += bytes`. */
function advance(f: FunctionBuilder, local: number, bytes: number): void {
  f.localGet(local).i32Const(bytes).op("i32.add").localSet(local);
}

/** One k step (of `unroll`): load the B row's vectors, then one splat of A per tile row. */
function emitKStep(f: FunctionBuilder, tile: GemmTile, l: Locals, u: number): void {
  const nr = 4 * tile.nv;
  for (let v = 0; v < tile.nv; v++) f.localGet(l.pb).simd("v128.load", (u * nr + 4 * v) * F32).localSet(l.bv[v]!);
  for (let r = 0; r < tile.mr; r++) {
    f.localGet(l.pa).simd("v128.load32_splat", (u * tile.mr + r) * F32).localSet(l.av);
    for (let v = 0; v < tile.nv; v++) {
      const acc = l.acc[r * tile.nv + v]!;
      f.localGet(acc).localGet(l.av).localGet(l.bv[v]!).simd("f32x4.mul").simd("f32x4.add").localSet(acc);
    }
  }
}

/** C tile += accumulators, row by row (pc walks the rows; leaves pc on the tile's last row). */
function emitTileStore(f: FunctionBuilder, tile: GemmTile, l: Locals, cTile: number): void {
  f.localGet(cTile).localSet(l.pc);
  for (let r = 0; r < tile.mr; r++) {
    if (r > 0) f.localGet(l.pc).localGet(PARAM.ldc).op("i32.add").localSet(l.pc);
    for (let v = 0; v < tile.nv; v++) {
      f.localGet(l.pc);
      f.localGet(l.pc).simd("v128.load", v * V128).localGet(l.acc[r * tile.nv + v]!).simd("f32x4.add");
      f.simd("v128.store", v * V128);
    }
  }
}

export function emitGemmBlock(tile: GemmTile): FunctionBuilder {
  const f = new FunctionBuilder(Object.values(PARAM).map(() => VALTYPE.i32), []);
  const l = declareLocals(f, tile);
  const cTile = f.addLocal(VALTYPE.i32);
  const nr = 4 * tile.nv;
  f.localGet(PARAM.bPtr).localSet(l.bPanel).localGet(PARAM.cPtr).localSet(l.cCol).localGet(PARAM.panels).localSet(l.j);
  f.loop(); // over B panels
  f.localGet(PARAM.aPtr).localSet(l.pa).localGet(l.cCol).localSet(cTile).localGet(PARAM.strips).localSet(l.i);
  f.loop(); // over A strips
  for (const acc of l.acc) f.f32x4Const(0).localSet(acc);
  f.localGet(l.bPanel).localSet(l.pb).localGet(PARAM.kc).localSet(l.p);
  f.loop(); // over k, `unroll` steps at a time
  for (let u = 0; u < tile.unroll; u++) emitKStep(f, tile, l, u);
  advance(f, l.pa, tile.unroll * tile.mr * F32);
  advance(f, l.pb, tile.unroll * nr * F32);
  countDown(f, l.p, tile.unroll);
  f.end();
  emitTileStore(f, tile, l, cTile);
  f.localGet(l.pc).localGet(PARAM.ldc).op("i32.add").localSet(cTile);
  countDown(f, l.i, 1);
  f.end();
  // pb now points just past this panel, i.e. at the next one
  f.localGet(l.pb).localSet(l.bPanel);
  advance(f, l.cCol, nr * F32);
  countDown(f, l.j, 1);
  f.end();
  return f;
}

/** The module: `gemm_block` plus an exported memory the caller grows as needed. */
export function buildGemmF32Module(tile: GemmTile = DEFAULT_TILE): Uint8Array {
  return encodeModule({
    functions: [{ name: GEMM_BLOCK_EXPORT, body: emitGemmBlock(tile) }],
    memory: { name: MEMORY_EXPORT, initialPages: 1 },
  });
}

/**
 * The same `gemm_block` on an imported shared memory of at most `maximumPages` pages, for the
 * threaded kernel (wasm_matmul_threaded.ts): every thread instantiates these bytes on one memory.
 */
export function buildSharedGemmF32Module(maximumPages: number, tile: GemmTile = DEFAULT_TILE): Uint8Array {
  return encodeModule({
    functions: [{ name: GEMM_BLOCK_EXPORT, body: emitGemmBlock(tile) }],
    sharedMemoryImport: { ...SHARED_MEMORY_IMPORT, initialPages: 1, maximumPages },
  });
}
