/**
 * The dtype vocabulary as data: one row per dtype, and type promotion as PyTorch computes it.
 *
 * Note [int64 storage]: int64 values live in a Float64Array. Every integer up to 2^53 in
 * magnitude is exact; beyond that a value is rounded to the nearest double (as `Number` does),
 * and integer arithmetic on such values is inexact. Archives convert to real 64-bit integers
 * at the boundary (BigInt64Array), so in-range values round-trip bit-exactly. We chose this over
 * BigInt64Array because every kernel would otherwise need a bigint path, and bigint arithmetic
 * in V8 is 10-100x slower than double arithmetic.
 *
 * Note [half storage]: float16 and bfloat16 compute in a Float32Array; values are rounded to the
 * dtype's precision whenever they are written by a conversion or an op, so what is stored is
 * always representable in the narrow type.
 */
export type DTypeName =
  | "float32" | "float64" | "float16" | "bfloat16"
  | "int64" | "int32" | "int16" | "int8" | "uint8" | "bool";

export type TypedArray =
  | Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

type ArrayCtor = { new (n: number): TypedArray; new (src: ArrayLike<number>): TypedArray };

export type Category = 0 | 1 | 2; // bool < integral < floating

export class DType {
  constructor(
    readonly name: DTypeName,
    /** PyTorch's ScalarType name, as the IR prints it: Float(3, 4, ...). */
    readonly scalarType: string,
    readonly itemsize: number,
    readonly category: Category,
    readonly ArrayType: ArrayCtor,
    /** Order within a category, used by promotion. */
    readonly rank: number,
  ) {}

  get is_floating_point(): boolean {
    return this.category === 2;
  }
  get isIntegral(): boolean {
    return this.category === 1;
  }
  get isBool(): boolean {
    return this.category === 0;
  }
  toString(): string {
    return `torch.${this.name}`;
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

export const float32 = new DType("float32", "Float", 4, 2, Float32Array, 2);
export const float64 = new DType("float64", "Double", 8, 2, Float64Array, 3);
export const float16 = new DType("float16", "Half", 2, 2, Float32Array, 0);
export const bfloat16 = new DType("bfloat16", "BFloat16", 2, 2, Float32Array, 1);
export const int64 = new DType("int64", "Long", 8, 1, Float64Array, 4);
export const int32 = new DType("int32", "Int", 4, 1, Int32Array, 3);
export const int16 = new DType("int16", "Short", 2, 1, Int16Array, 2);
export const int8 = new DType("int8", "Char", 1, 1, Int8Array, 1);
export const uint8 = new DType("uint8", "Byte", 1, 1, Uint8Array, 0);
export const bool = new DType("bool", "Bool", 1, 0, Uint8Array, 0);

export const DTYPES: Readonly<Record<DTypeName, DType>> = {
  float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8, bool,
};

/** PyTorch's aliases: torch.float, torch.double, torch.long, ... */
export const DTYPE_ALIASES: Readonly<Record<string, DType>> = {
  float: float32, double: float64, half: float16, long: int64, int: int32, short: int16,
};

let defaultFloat: DType = float32;
export function get_default_dtype(): DType {
  return defaultFloat;
}
export function set_default_dtype(d: DType): void {
  if (!d.is_floating_point) throw new TypeError(`only floating-point types are supported as the default type`);
  defaultFloat = d;
}

export function toDType(d: DType | DTypeName | string): DType {
  if (d instanceof DType) return d;
  const name = d.startsWith("torch.") ? d.slice(6) : d;
  const found = (DTYPES as Record<string, DType>)[name] ?? DTYPE_ALIASES[name];
  if (!found) throw new TypeError(`unknown dtype ${d}`);
  return found;
}

/** torch.promote_types: the smallest dtype both a and b convert to without losing their kind. */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  if (a.category !== b.category) return a.category > b.category ? a : b;
  if (a.category === 2) {
    // float16 + bfloat16 have no common 16-bit type.
    if (a.rank + b.rank === 1) return float32;
    return a.rank > b.rank ? a : b;
  }
  if (a.category === 1) {
    // uint8 with a signed type needs the next wider signed type.
    if (a === uint8 || b === uint8) {
      const other = a === uint8 ? b : a;
      return other === int8 ? int16 : other;
    }
    return a.rank > b.rank ? a : b;
  }
  return a;
}

/** Writes a double into the narrow precision of a half dtype (Note [half storage]). */
export function roundToDType(x: number, d: DType): number {
  if (d === float16) return roundHalf(x);
  if (d === bfloat16) return roundBFloat16(x);
  return x;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function roundBFloat16(x: number): number {
  f32[0] = x;
  const bits = u32[0]!;
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0) return NaN;
  // round to nearest even on the upper 16 bits
  const rounded = (bits + 0x7fff + ((bits >>> 16) & 1)) & 0xffff0000;
  u32[0] = rounded >>> 0;
  return f32[0]!;
}

export function roundHalf(x: number): number {
  if (!Number.isFinite(x)) return x;
  const ax = Math.abs(x);
  if (ax >= 65520) return x > 0 ? Infinity : -Infinity;
  if (ax < 2 ** -24 / 2) return x < 0 ? -0 : 0;
  // quantum: 2^(e-10) for normals, 2^-24 for subnormals
  const e = Math.max(Math.floor(Math.log2(ax)), -14);
  const q = 2 ** (e - 10);
  const n = ax / q;
  let r = Math.round(n);
  if (r - n === 0.5 && r % 2 === 1) r -= 1; // ties to even
  return Math.sign(x) * r * q;
}
