/**
 * WASM SIMD kernels for float32 tanh, sigmoid and exp that store bit for bit what the JS
 * kernels store, so which path runs is a matter of speed only (eager results do not depend on
 * a tensor's size, and still equal the JIT's, which generates JS).
 *
 * Note [wasm unary exactness]: the float32 JS kernels store the float64 Math.* result rounded to
 * float32 (tanhF32 gets there faster, Note [exact float32 tanh]), i.e. the correctly rounded
 * float32 of the float64 reference: 0 ulp. The generated kernel computes each lane in float64
 * (f64x2) to a relative error below 2^-48 (measured worst 2^-49.5; tests check the bound on a
 * dense grid against Math.*), then rounds y - d and y + d to float32 with
 * d = CHECK_REL_ERR * y = 2^-40 * y, 256x that bound. Where both ends round to the same float,
 * so does the Math.* value, which lies between them (rounding is monotonic), and the kernel
 * stores it; where they differ (about one normal result in 2^16, and every NaN) it lists the
 * group of four, and the JS kernel redoes that group.
 * The float64 algorithms:
 *   expm1 parts: x = k ln2 + r, |r| <= ln2/2 (k rounded by adding 1.5 * 2^52; ln2 split in two so
 *     k * ln2_hi is exact); e^r - 1 = r (1/1! + r/2! + ... + r^11/12!) (truncation < 2^-51
 *     relative) by Estrin's scheme; 2^k built from k's bits.
 *   exp(x)     = 2^k (1 + p), x clamped to [-110, 100] (beyond, float32 holds only 0 or Inf).
 *   sigmoid(x) = 1 / (1 + exp(-x)), -x clamped to [-110, 110] (float32 holds only 1 or 0 there).
 *   tanh(x)    = sign(x) m / (m + 2), m = expm1(2 min(|x|, 20)) = 2^k p + (2^k - 1): one formula
 *     for every x, with no cancellation near 0 (k = 0 there, so m = p exactly), odd by
 *     construction (x's sign bit is or-ed in, so tanh(-0) = -0), and exactly 1 past |x| = 20.
 * The clamps keep NaN (pmin/pmax return their first operand when unordered), so NaN lanes fail
 * the check and go to JS, which stores exactly what it always did; +-Inf clamp to finite ends.
 * Float32 lanes (f32x4) would do twice the lanes per instruction (not measured) but be 1 ulp
 * off in places, and the JIT, tiny tensors and the JS fallback would then disagree with them.
 *
 * Note [wasm unary threshold]: a call copies the input into WASM memory and the result back
 * and calls into WASM: a fixed cost that one-off measurements during development put at about
 * the price of a dozen JS elements (no repo benchmark reprints them; the break-even was between
 * 16 and 32 elements for all three ops, and the JS loop stays ahead below),
 * so contiguous float32 tensors of WASM_MIN_NUMEL = 32 elements or more run here, and smaller
 * ones (a 3x4 tensor) keep the JS loop and its lower fixed cost.
 */
import type { TypedArray } from "../../dtype.js";
import type { UnaryKernel, UnaryLoop } from "../elementwise.js";
import { FunctionBuilder, VALTYPE, encodeModule } from "./wasm_emitter.js";
import { hasWasmSimd, instantiate, reserveBytes, type WasmMemory } from "./wasm_runtime.js";

/** The ops with a WASM kernel, by the name of their aten op. */
export const WASM_UNARY_OPS = ["tanh", "sigmoid", "exp"] as const;
export type WasmUnaryOp = (typeof WASM_UNARY_OPS)[number];

/** Contiguous float32 tensors with at least this many elements use WASM (Note [wasm unary threshold]). */
export const WASM_MIN_NUMEL = 32;

/** Relative half-width of the rounding check (Note [wasm unary exactness]). */
export const CHECK_REL_ERR = 2 ** -40;

export const MEMORY_EXPORT = "memory";

const LN2_HI = 6.93147180369123816490e-01; // fdlibm's split: low 32 bits zero, so k * LN2_HI is exact
const LN2_LO = 1.90821492927058770002e-10;
const ROUNDING_MAGIC = 1.5 * 2 ** 52; // adding it rounds a double of magnitude < 2^51 to an integer
/** Added to the bits of (t + magic) and shifted left 52: turns k into the bits of 2^k. */
const POW2_BIAS = 1023n - 2n ** 51n;
const SIGN_BIT = -(2n ** 63n);
const EXPM1_DEGREE = 12;
/** Groups of four float32 per loop step (see Chain). */
const GROUPS_PER_STEP = 1;
/** With x4 lanes of float32 in and out; each float32 pair is promoted to an f64x2. */
const LOW_LANES_OF_EACH = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];

/**
 * The v128 locals of one chain of f64x2 work: a group of four float32 is two chains (its low
 * and high pair). Emitting the two chains' stages interleaved measured no faster than one
 * after the other (out-of-order execution overlaps them already), nor did four chains per step
 * (GROUPS_PER_STEP = 2; up to 60% slower, more live vectors than x86-64's 16 registers).
 */
interface Chain {
  x: number; t: number; k: number; r: number; p: number; scale: number; u: number; y: number;
  /** Estrin's partial sums and the powers x^2, x^4, ... it multiplies them by. */
  terms: number[]; powers: number[];
}
/** One step of an op on one chain; leaves the stack as it found it. */
type Stage = (f: FunctionBuilder, c: Chain) => void;

function inverseFactorials(degree: number): number[] {
  const out: number[] = [];
  let factorial = 1;
  for (let i = 1; i <= degree; i++) out.push(1 / (factorial *= i));
  return out;
}

type Term = { constant: number } | { local: number };

function pushTerm(f: FunctionBuilder, t: Term): FunctionBuilder {
  return "local" in t ? f.localGet(t.local) : f.f64x2Const(t.constant);
}

/**
 * Stages evaluating sum_i coefficients[i] * x^i into `result` by Estrin's scheme: pairs
 * c_2j + c_2j+1 x, then pairs of those with x^2, then with x^4, ... Its dependency chain is
 * about log2(degree) multiply-adds long where Horner's is `degree` long, for a few more
 * multiplies; the kernel measured 20% faster with it.
 */
function estrinStages(coefficients: readonly number[], x: (c: Chain) => number, result: (c: Chain) => number): Stage[] {
  const stages: Stage[] = [];
  let terms: ((c: Chain) => Term)[] = coefficients.map((constant) => () => ({ constant }));
  let power = x;
  for (let level = 0; terms.length > 1; level++) {
    const from = terms;
    const pw = power;
    const next: ((c: Chain) => Term)[] = [];
    for (let j = 0; 2 * j < from.length; j++) {
      const lo = from[2 * j]!;
      const hi = from[2 * j + 1];
      if (!hi) { next.push(lo); continue; }
      const into = (c: Chain): number => (from.length <= 2 ? result(c) : c.terms[j]!);
      stages.push((f, c) => {
        // reads terms[2j], terms[2j+1] and writes terms[j]: j < 2j unless j = 0, where terms[0] is read first
        pushTerm(f, lo(c));
        pushTerm(f, hi(c)).localGet(pw(c)).simd("f64x2.mul").simd("f64x2.add").localSet(into(c));
      });
      next.push((c) => ({ local: into(c) }));
    }
    if (next.length > 1) {
      const squared = (c: Chain): number => c.powers[level]!;
      stages.push((f, c) => void f.localGet(pw(c)).localGet(pw(c)).simd("f64x2.mul").localSet(squared(c)));
      power = squared;
    }
    terms = next;
  }
  return stages;
}

/** Stages setting c.scale = 2^k and c.p = e^r - 1 for c.u = k ln2 + r (c.u clamped, or NaN). */
function expPartsStages(): Stage[] {
  return [
    (f, ch) => void f.localGet(ch.u).f64x2Const(1 / Math.LN2).simd("f64x2.mul").f64x2Const(ROUNDING_MAGIC).simd("f64x2.add").localSet(ch.t),
    (f, ch) => void f.localGet(ch.t).f64x2Const(ROUNDING_MAGIC).simd("f64x2.sub").localSet(ch.k),
    (f, ch) => void f.localGet(ch.u).localGet(ch.k).f64x2Const(LN2_HI).simd("f64x2.mul").simd("f64x2.sub").localSet(ch.r),
    (f, ch) => void f.localGet(ch.r).localGet(ch.k).f64x2Const(LN2_LO).simd("f64x2.mul").simd("f64x2.sub").localSet(ch.r),
    (f, ch) => void f.localGet(ch.t).i64x2Const(POW2_BIAS).simd("i64x2.add").i32Const(52).simd("i64x2.shl").localSet(ch.scale),
    // p = r * (1/1! + r/2! + ... + r^11/12!)
    ...estrinStages(inverseFactorials(EXPM1_DEGREE), (c) => c.r, (c) => c.p),
    (f, ch) => void f.localGet(ch.p).localGet(ch.r).simd("f64x2.mul").localSet(ch.p),
  ];
}

/** Pushes 2^k (1 + p). */
function pushExpFromParts(f: FunctionBuilder, c: Chain): void {
  f.localGet(c.scale).localGet(c.p).f64x2Const(1).simd("f64x2.add").simd("f64x2.mul");
}

/** Clamps the f64x2 on the stack to [lo, hi]; pmin/pmax keep a NaN in their first operand. */
function clampTo(f: FunctionBuilder, lo: number, hi: number): FunctionBuilder {
  return f.f64x2Const(hi).simd("f64x2.pmin").f64x2Const(lo).simd("f64x2.pmax");
}

/** Each op's stages read c.x and leave the float64 result in c.y. */
const OP_STAGES: Record<WasmUnaryOp, () => Stage[]> = {
  exp: () => [
    (f, c) => void clampTo(f.localGet(c.x), -110, 100).localSet(c.u),
    ...expPartsStages(),
    (f, c) => { pushExpFromParts(f, c); f.localSet(c.y); },
  ],
  sigmoid: () => [
    (f, c) => void clampTo(f.localGet(c.x).simd("f64x2.neg"), -110, 110).localSet(c.u),
    ...expPartsStages(),
    (f, c) => {
      f.f64x2Const(1).f64x2Const(1);
      pushExpFromParts(f, c);
      f.simd("f64x2.add").simd("f64x2.div").localSet(c.y);
    },
  ],
  tanh: () => [
    (f, c) => void f.localGet(c.x).simd("f64x2.abs").f64x2Const(20).simd("f64x2.pmin").f64x2Const(2).simd("f64x2.mul").localSet(c.u),
    ...expPartsStages(),
    // m = 2^k p + (2^k - 1), kept in u
    (f, c) => void f.localGet(c.scale).localGet(c.p).simd("f64x2.mul").localGet(c.scale).f64x2Const(1).simd("f64x2.sub").simd("f64x2.add").localSet(c.u),
    (f, c) => void f.localGet(c.u).localGet(c.u).f64x2Const(2).simd("f64x2.add").simd("f64x2.div").localSet(c.y),
    (f, c) => void f.localGet(c.y).localGet(c.x).i64x2Const(SIGN_BIT).simd("v128.and").simd("v128.or").localSet(c.y),
  ],
};

function declareChain(f: FunctionBuilder): Chain {
  const v = (): number => f.addLocal(VALTYPE.v128);
  const terms = Array.from({ length: Math.ceil(EXPM1_DEGREE / 2) }, v);
  const powers = Array.from({ length: Math.ceil(Math.log2(EXPM1_DEGREE)) }, v);
  return { x: v(), t: v(), k: v(), r: v(), p: v(), scale: v(), u: v(), y: v(), terms, powers };
}

/** Emits the op's stages for each chain in turn. */
function emitChains(f: FunctionBuilder, op: WasmUnaryOp, chains: readonly Chain[]): void {
  for (const c of chains) for (const stage of OP_STAGES[op]()) stage(f, c);
}

/** The kernel's parameters (i32; ptr and flags in bytes). */
const PARAM = { ptr: 0, groups: 1, flags: 2 } as const;

/**
 * `op(ptr, groups, flags) -> flagged`: rewrites `groups` groups of four float32 at ptr in place
 * and appends the byte address of each group the JS kernel must redo to the i32 list at flags.
 */
function emitUnaryKernel(op: WasmUnaryOp, checkRelErr: number): FunctionBuilder {
  const f = new FunctionBuilder([VALTYPE.i32, VALTYPE.i32, VALTYPE.i32], [VALTYPE.i32]);
  const flagged = f.addLocal(VALTYPE.i32);
  const groupPtr = f.addLocal(VALTYPE.i32);
  const chains = Array.from({ length: 2 * GROUPS_PER_STEP }, () => declareChain(f));
  /** The four float32 of group g from one f64x2 value per chain (its two float32 in the low lanes). */
  const demoteGroup = (g: number, push: (c: Chain) => void): void => {
    push(chains[2 * g]!); f.simd("f32x4.demote_f64x2_zero");
    push(chains[2 * g + 1]!); f.simd("f32x4.demote_f64x2_zero");
    f.shuffle(LOW_LANES_OF_EACH);
  };
  f.block().localGet(PARAM.groups).op("i32.eqz").brIf(0);
  f.loop();
  chains.forEach((c, i) => f.localGet(PARAM.ptr).simd("v128.load64_zero", 8 * i).simd("f64x2.promote_low_f32x4").localSet(c.x));
  emitChains(f, op, chains);
  // the check (Note [wasm unary exactness]); a chain's t now holds d = checkRelErr * y
  for (const c of chains) f.localGet(c.y).f64x2Const(checkRelErr).simd("f64x2.mul").localSet(c.t);
  for (let g = 0; g < GROUPS_PER_STEP; g++) {
    f.localGet(PARAM.ptr);
    demoteGroup(g, (c) => f.localGet(c.y));
    f.simd("v128.store", 16 * g);
    demoteGroup(g, (c) => f.localGet(c.y).localGet(c.t).simd("f64x2.sub"));
    demoteGroup(g, (c) => f.localGet(c.y).localGet(c.t).simd("f64x2.add"));
    f.simd("f32x4.ne").simd("v128.any_true").if();
    f.localGet(PARAM.ptr).i32Const(16 * g).op("i32.add").localSet(groupPtr);
    f.localGet(PARAM.flags).localGet(flagged).i32Const(2).op("i32.shl").op("i32.add").localGet(groupPtr).memory("i32.store");
    f.localGet(flagged).i32Const(1).op("i32.add").localSet(flagged);
    f.end();
  }
  f.localGet(PARAM.ptr).i32Const(16 * GROUPS_PER_STEP).op("i32.add").localSet(PARAM.ptr);
  f.localGet(PARAM.groups).i32Const(GROUPS_PER_STEP).op("i32.sub").localTee(PARAM.groups).brIf(0);
  f.end().end();
  f.localGet(flagged);
  return f;
}

/**
 * `op(ptr, pairs)`: the float64 core alone, rewriting `pairs` pairs of float64 at ptr in place,
 * so tests can measure its error against Math.* (Note [wasm unary exactness]).
 */
function emitFloat64Core(op: WasmUnaryOp): FunctionBuilder {
  const f = new FunctionBuilder([VALTYPE.i32, VALTYPE.i32], []);
  const c = declareChain(f);
  f.block().localGet(PARAM.groups).op("i32.eqz").brIf(0);
  f.loop();
  f.localGet(PARAM.ptr).simd("v128.load").localSet(c.x);
  emitChains(f, op, [c]);
  f.localGet(PARAM.ptr).localGet(c.y).simd("v128.store");
  f.localGet(PARAM.ptr).i32Const(16).op("i32.add").localSet(PARAM.ptr);
  f.localGet(PARAM.groups).i32Const(1).op("i32.sub").localTee(PARAM.groups).brIf(0);
  f.end().end();
  return f;
}

const moduleOf = (body: (op: WasmUnaryOp) => FunctionBuilder): Uint8Array => encodeModule({
  functions: WASM_UNARY_OPS.map((op) => ({ name: op, body: body(op) })),
  memory: { name: MEMORY_EXPORT, initialPages: 1 },
});

/** The three kernels, exported under their op names, and the memory. */
export function buildUnaryModule(checkRelErr = CHECK_REL_ERR): Uint8Array {
  return moduleOf((op) => emitUnaryKernel(op, checkRelErr));
}

/** `op(ptr, pairs)` for each op: the float64 cores alone, for measuring their error in tests. */
export function buildFloat64CoreModule(): Uint8Array {
  return moduleOf(emitFloat64Core);
}

type KernelExport = (ptr: number, groups: number, flags: number) => number;

/** One instance of the module and views of its (growable) memory as data and as flag slots. */
export class WasmUnaryF32 {
  private readonly kernels: Record<WasmUnaryOp, KernelExport>;
  private readonly memory: WasmMemory;
  private floats: Float32Array;
  private flags: Uint32Array;

  constructor(checkRelErr = CHECK_REL_ERR) {
    const { exports } = instantiate(buildUnaryModule(checkRelErr));
    this.kernels = Object.fromEntries(WASM_UNARY_OPS.map((op) => [op, exports[op] as KernelExport])) as Record<WasmUnaryOp, KernelExport>;
    this.memory = exports[MEMORY_EXPORT] as WasmMemory;
    this.floats = new Float32Array(this.memory.buffer);
    this.flags = new Uint32Array(this.memory.buffer);
  }

  /**
   * Writes op(src[off + i]) to out[i] for i < n, except the groups of four it returns (their
   * first indices), which the caller must compute itself; undefined, having written nothing,
   * when WASM memory cannot grow to n.
   */
  run(op: WasmUnaryOp, src: Float32Array, off: number, out: Float32Array, n: number): number[] | undefined {
    const groups = Math.ceil(n / (4 * GROUPS_PER_STEP)) * GROUPS_PER_STEP;
    const flagsAt = groups * 4; // in 4-byte words: one flag slot per group after the data
    if (!this.reserve(flagsAt + groups)) return undefined;
    const mem = this.floats;
    mem.set(src.subarray(off, off + n), 0);
    mem.fill(0, n, flagsAt); // the last group's padding: defined values, never NaN
    const flagged = this.kernels[op](0, groups, flagsAt * 4);
    out.set(mem.subarray(0, n), 0);
    const redo: number[] = [];
    for (let i = 0; i < flagged; i++) redo.push(this.flags[flagsAt + i]! / 4);
    return redo;
  }

  private reserve(words: number): boolean {
    if (!reserveBytes(this.memory, words * 4)) return false;
    if (this.floats.buffer !== this.memory.buffer) {
      this.floats = new Float32Array(this.memory.buffer);
      this.flags = new Uint32Array(this.memory.buffer);
    }
    return true;
  }
}

let shared: WasmUnaryF32 | undefined;

/**
 * The contiguous loop of `op` on WASM for float32 tensors of at least WASM_MIN_NUMEL elements,
 * `js` (the op's exact JS loop) for the rest and for the groups the WASM check hands back.
 */
export function wasmUnaryLoop(op: WasmUnaryOp, js: UnaryLoop): UnaryLoop {
  return (src: TypedArray, off: number, out: TypedArray, n: number, p0: number, p1: number) => {
    if (n >= WASM_MIN_NUMEL && src instanceof Float32Array && out instanceof Float32Array) {
      shared ??= new WasmUnaryF32();
      const redo = shared.run(op, src, off, out, n);
      if (redo) {
        for (const i of redo) js(src, off + i, out.subarray(i, Math.min(i + 4, n)), Math.min(4, n - i), p0, p1);
        return;
      }
    }
    js(src, off, out, n, p0, p1);
  };
}

const isWasmUnaryOp = (name: string): name is WasmUnaryOp => (WASM_UNARY_OPS as readonly string[]).includes(name);

/**
 * The float32 kernel of aten op `name` with its contiguous loop moved to WASM where there is a
 * WASM kernel for it and the runtime has SIMD; otherwise `kernel` itself.
 */
export function withWasmUnary(name: string, kernel: UnaryKernel): UnaryKernel {
  if (!isWasmUnaryOp(name) || !hasWasmSimd()) return kernel;
  return { ...kernel, contiguous: wasmUnaryLoop(name, kernel.contiguous) };
}
