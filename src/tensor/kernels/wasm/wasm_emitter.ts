/**
 * A small WebAssembly binary emitter: just the instructions the generated kernels use, so a
 * kernel is TypeScript that writes its own bytecode at run time (no toolchain, no checked-in
 * binary). The opcode tables below are the whole vocabulary; see the WebAssembly core spec,
 * section 5 (binary format), and the SIMD proposal's opcode table.
 *
 * Example (a function returning its argument plus one):
 *   const f = new FunctionBuilder([VALTYPE.i32], [VALTYPE.i32]);
 *   f.localGet(0).i32Const(1).op("i32.add");
 *   const bytes = encodeModule({ functions: [{ name: "inc", body: f }] });
 */

export const VALTYPE = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b } as const;
export type ValType = (typeof VALTYPE)[keyof typeof VALTYPE];

/** Instructions without immediates, and the control ones whose immediates the builder adds. */
const PLAIN_OPS = {
  unreachable: 0x00, end: 0x0b, return: 0x0f, drop: 0x1a,
  "i32.eqz": 0x45, "i32.eq": 0x46, "i32.ne": 0x47, "i32.lt_s": 0x48, "i32.lt_u": 0x49,
  "i32.gt_s": 0x4a, "i32.gt_u": 0x4b, "i32.le_s": 0x4c, "i32.le_u": 0x4d, "i32.ge_s": 0x4e, "i32.ge_u": 0x4f,
  "i32.add": 0x6a, "i32.sub": 0x6b, "i32.mul": 0x6c, "i32.and": 0x71, "i32.or": 0x72, "i32.shl": 0x74, "i32.shr_u": 0x76,
} as const;
export type PlainOp = keyof typeof PLAIN_OPS;

/** Scalar loads and stores, each followed by a memarg (alignment exponent, offset). */
const MEMORY_OPS = { "i32.load": 0x28, "f32.load": 0x2a, "i32.store": 0x36, "f32.store": 0x38 } as const;
export type MemoryOp = keyof typeof MEMORY_OPS;

/** SIMD instructions: prefix 0xfd, then the opcode as an unsigned LEB128 (so 0xe4 is two bytes). */
const SIMD_OPS = {
  "v128.load": 0x00, "v128.load32_splat": 0x09, "v128.store": 0x0b, "v128.const": 0x0c,
  "f32x4.splat": 0x13, "f32x4.add": 0xe4, "f32x4.sub": 0xe5, "f32x4.mul": 0xe6,
  // used by the unary kernels (wasm_unary.ts), whose tests exercise each of them
  "v128.load64_zero": 0x5d, "i8x16.shuffle": 0x0d, "v128.and": 0x4e, "v128.or": 0x50, "v128.any_true": 0x53,
  "f32x4.ne": 0x42, "i64x2.shl": 0xcb, "i64x2.add": 0xce,
  "f64x2.abs": 0xec, "f64x2.neg": 0xed, "f64x2.add": 0xf0, "f64x2.sub": 0xf1, "f64x2.mul": 0xf2, "f64x2.div": 0xf3,
  // pmin(a, b) = b < a ? b : a and pmax(a, b) = a < b ? b : a: one minpd/maxpd on x86, where
  // min/max (NaN-propagating, -0 < +0) take several instructions
  "f64x2.pmin": 0xf6, "f64x2.pmax": 0xf7,
  "f32x4.demote_f64x2_zero": 0x5e, "f64x2.promote_low_f32x4": 0x5f,
} as const;
export type SimdOp = keyof typeof SIMD_OPS;
const SIMD_MEMORY_OPS: ReadonlySet<SimdOp> = new Set(["v128.load", "v128.load32_splat", "v128.store", "v128.load64_zero"]);
/** Natural alignment (log2 bytes) of the SIMD loads and stores narrower than 16 bytes. */
const SIMD_NATURAL_ALIGN: Partial<Record<SimdOp, number>> = { "v128.load32_splat": 2, "v128.load64_zero": 3 };

const SIMD_PREFIX = 0xfd;
const BLOCK = 0x02;
const LOOP = 0x03;
const IF = 0x04;
const ELSE = 0x05;
const BR = 0x0c;
const BR_IF = 0x0d;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const LOCAL_TEE = 0x22;
const I32_CONST = 0x41;
const EMPTY_BLOCK_TYPE = 0x40;

/** Unsigned LEB128. */
export function encodeU32(value: number): number[] {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`not a u32: ${value}`);
  const out: number[] = [];
  let v = value;
  do {
    let byte = v & 0x7f;
    v = Math.floor(v / 128);
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 of an i32 (as i32.const takes it). */
export function encodeS32(value: number): number[] {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0xffffffff) throw new RangeError(`not an i32: ${value}`);
  let v = value | 0;
  const out: number[] = [];
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function encodeName(name: string): number[] {
  const utf8 = [...new TextEncoder().encode(name)];
  return [...encodeU32(utf8.length), ...utf8];
}

function encodeVector(items: readonly number[][]): number[] {
  return [...encodeU32(items.length), ...items.flat()];
}

/** The body of one function; instructions are appended in order, each method returns `this`. */
export class FunctionBuilder {
  readonly bytes: number[] = [];
  private readonly localTypes: ValType[] = [];
  private depth = 0;

  constructor(readonly params: readonly ValType[], readonly results: readonly ValType[]) {}

  /** Declares a local beyond the parameters; returns its index. */
  addLocal(type: ValType): number {
    this.localTypes.push(type);
    return this.params.length + this.localTypes.length - 1;
  }

  op(name: PlainOp): this {
    if (name === "end") this.depth--;
    this.bytes.push(PLAIN_OPS[name]);
    return this;
  }
  localGet(index: number): this { this.bytes.push(LOCAL_GET, ...encodeU32(index)); return this; }
  localSet(index: number): this { this.bytes.push(LOCAL_SET, ...encodeU32(index)); return this; }
  localTee(index: number): this { this.bytes.push(LOCAL_TEE, ...encodeU32(index)); return this; }
  i32Const(value: number): this { this.bytes.push(I32_CONST, ...encodeS32(value)); return this; }

  /** `block`, `loop` and `if` take no values and leave none (the empty block type). */
  block(): this { return this.open(BLOCK); }
  loop(): this { return this.open(LOOP); }
  if(): this { return this.open(IF); }
  else(): this { this.bytes.push(ELSE); return this; }
  end(): this { return this.op("end"); }
  /** Branch to the `depth`-th enclosing label (0 = innermost): a loop's start, a block's end. */
  br(depth: number): this { this.bytes.push(BR, ...encodeU32(depth)); return this; }
  brIf(depth: number): this { this.bytes.push(BR_IF, ...encodeU32(depth)); return this; }

  /** A scalar load or store at address + offset; alignLog2 is a hint (2 = 4 bytes). */
  memory(name: MemoryOp, offset = 0, alignLog2 = 2): this {
    this.bytes.push(MEMORY_OPS[name], ...encodeU32(alignLog2), ...encodeU32(offset));
    return this;
  }

  /** A SIMD instruction; loads and stores take an offset and an alignment hint (4 = 16 bytes). */
  simd(name: SimdOp, offset = 0, alignLog2?: number): this {
    this.bytes.push(SIMD_PREFIX, ...encodeU32(SIMD_OPS[name]));
    if (SIMD_MEMORY_OPS.has(name)) {
      const natural = SIMD_NATURAL_ALIGN[name] ?? 4;
      this.bytes.push(...encodeU32(alignLog2 ?? natural), ...encodeU32(offset));
    } else if (offset !== 0 || alignLog2 !== undefined) {
      throw new Error(`${name} takes no memory immediate`);
    } else if (name === "i8x16.shuffle") {
      throw new Error("i8x16.shuffle takes lane indices: use shuffle()");
    }
    return this;
  }

  /** i8x16.shuffle: byte i of the result is byte lanes[i] of a ++ b (0-15 from a, 16-31 from b). */
  shuffle(lanes: readonly number[]): this {
    if (lanes.length !== 16 || lanes.some((l) => !Number.isInteger(l) || l < 0 || l > 31)) {
      throw new RangeError(`i8x16.shuffle needs 16 lane indices in 0..31, got [${lanes.join(", ")}]`);
    }
    this.bytes.push(SIMD_PREFIX, ...encodeU32(SIMD_OPS["i8x16.shuffle"]), ...lanes);
    return this;
  }

  /** v128.const of the 16 bytes of a typed array (e.g. a Float64Array or BigInt64Array of 2). */
  v128Const(lanes: ArrayBufferView): this {
    if (lanes.byteLength !== 16) throw new RangeError(`v128.const needs 16 bytes, got ${lanes.byteLength}`);
    const bytes = new Uint8Array(lanes.buffer, lanes.byteOffset, 16);
    this.bytes.push(SIMD_PREFIX, ...encodeU32(SIMD_OPS["v128.const"]), ...bytes);
    return this;
  }

  /** v128.const of two equal float64 lanes. */
  f64x2Const(value: number): this { return this.v128Const(new Float64Array([value, value])); }

  /** v128.const of two equal int64 lanes (two's complement). */
  i64x2Const(value: bigint): this { return this.v128Const(BigInt64Array.of(BigInt.asIntN(64, value), BigInt.asIntN(64, value))); }

  /** v128.const of four equal float32 lanes (0 gives the zero vector). */
  f32x4Const(value: number): this {
    const lanes = new Uint8Array(new Float32Array([value, value, value, value]).buffer);
    this.bytes.push(SIMD_PREFIX, ...encodeU32(SIMD_OPS["v128.const"]), ...lanes);
    return this;
  }

  /** The function's code entry: size, local declarations (runs of one type), body, end. */
  encode(): number[] {
    if (this.depth !== 0) throw new Error(`function body has ${this.depth} unclosed block(s)`);
    const runs: number[][] = [];
    for (const t of this.localTypes) {
      const last = runs[runs.length - 1];
      if (last && last[last.length - 1] === t) last[0]!++;
      else runs.push([1, t]);
    }
    const localDecls = encodeVector(runs.map(([count, type]) => [...encodeU32(count!), type!]));
    const body = [...localDecls, ...this.bytes, PLAIN_OPS.end];
    return [...encodeU32(body.length), ...body];
  }

  private open(opcode: number): this {
    this.depth++;
    this.bytes.push(opcode, EMPTY_BLOCK_TYPE);
    return this;
  }
}

export interface ModuleSpec {
  /** Exported functions, in index order. */
  functions: readonly { name: string; body: FunctionBuilder }[];
  /** A memory defined by the module and exported under `name`, sized in 64 KiB pages. */
  memory?: { name: string; initialPages: number; maximumPages?: number };
  /**
   * A shared memory imported as `module`.`name` (threads proposal: limits flag 0x03, a maximum
   * is required), so several instances, one per thread, can run on the same memory.
   */
  sharedMemoryImport?: { module: string; name: string; initialPages: number; maximumPages: number };
}

const SECTION = { type: 1, import: 2, function: 3, memory: 5, export: 7, code: 10 } as const;
const EXPORT_KIND = { function: 0x00, memory: 0x02 } as const;
const IMPORT_KIND = { memory: 0x02 } as const;
const SHARED_LIMITS = 0x03;
const FUNC_TYPE = 0x60;
const MAGIC_AND_VERSION = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

function section(id: number, content: number[]): number[] {
  return [id, ...encodeU32(content.length), ...content];
}

function encodeLimits(initial: number, maximum?: number): number[] {
  return maximum === undefined ? [0x00, ...encodeU32(initial)] : [0x01, ...encodeU32(initial), ...encodeU32(maximum)];
}

/** Encodes a module: one type per distinct signature, sections in the order the spec requires. */
export function encodeModule(spec: ModuleSpec): Uint8Array {
  const signatures: string[] = [];
  const types: number[][] = [];
  const typeIndex = spec.functions.map(({ body }) => {
    const sig = [FUNC_TYPE, ...encodeVector(body.params.map((t) => [t])), ...encodeVector(body.results.map((t) => [t]))];
    const key = sig.join(",");
    let index = signatures.indexOf(key);
    if (index < 0) {
      index = signatures.push(key) - 1;
      types.push(sig);
    }
    return index;
  });
  const exports = spec.functions.map(({ name }, i) => [...encodeName(name), EXPORT_KIND.function, ...encodeU32(i)]);
  const bytes = [...MAGIC_AND_VERSION, ...section(SECTION.type, encodeVector(types))];
  if (spec.memory && spec.sharedMemoryImport) throw new Error("a module has at most one memory: give memory or sharedMemoryImport, not both");
  if (spec.sharedMemoryImport) {
    const { module, name, initialPages, maximumPages } = spec.sharedMemoryImport;
    const limits = [SHARED_LIMITS, ...encodeU32(initialPages), ...encodeU32(maximumPages)];
    bytes.push(...section(SECTION.import, encodeVector([[...encodeName(module), ...encodeName(name), IMPORT_KIND.memory, ...limits]])));
  }
  bytes.push(...section(SECTION.function, encodeVector(typeIndex.map((t) => encodeU32(t)))));
  if (spec.memory) {
    const { name, initialPages, maximumPages } = spec.memory;
    bytes.push(...section(SECTION.memory, encodeVector([encodeLimits(initialPages, maximumPages)])));
    exports.push([...encodeName(name), EXPORT_KIND.memory, 0x00]);
  }
  bytes.push(...section(SECTION.export, encodeVector(exports)));
  bytes.push(...section(SECTION.code, encodeVector(spec.functions.map(({ body }) => body.encode()))));
  return Uint8Array.from(bytes);
}
