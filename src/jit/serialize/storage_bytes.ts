/**
 * Storage records ↔ typed arrays, for every dtype PyTorch names in a persistent id
 * (`torch FloatStorage`, ...; torchscript-format.md §4.2, §4.4). Records are little-endian raw
 * storage bytes in the storage's own order. tsjit keeps int64 in a Float64Array and half types
 * in a Float32Array (Note [int64 storage], Note [half storage] in src/tensor/dtype.ts), so those
 * convert here, at the boundary.
 */
import { DTYPES, type DType, type DTypeName, type TypedArray } from "../../tensor/dtype.js";

export interface StorageType {
  /** "FloatStorage" */
  readonly name: string;
  readonly itemsize: number;
  /** null for dtypes tsjit has no tensors for (complex, quantized). */
  readonly dtype: DType | null;
}

const ROWS: readonly [string, number, DTypeName | null][] = [
  ["Float", 4, "float32"], ["Double", 8, "float64"], ["Half", 2, "float16"], ["BFloat16", 2, "bfloat16"],
  ["Long", 8, "int64"], ["Int", 4, "int32"], ["Short", 2, "int16"], ["Char", 1, "int8"], ["Byte", 1, "uint8"],
  ["Bool", 1, "bool"], ["ComplexHalf", 4, null], ["ComplexFloat", 8, null], ["ComplexDouble", 16, null],
  ["QInt8", 1, null], ["QUInt8", 1, null], ["QInt32", 4, null], ["QUInt4x2", 1, null], ["QUInt2x4", 1, null],
];

export const STORAGE_TYPES: ReadonlyMap<string, StorageType> = new Map(
  ROWS.map(([n, size, d]) => [`${n}Storage`, { name: `${n}Storage`, itemsize: size, dtype: d ? DTYPES[d] : null }]),
);

/** The storage type name PyTorch pickles for a dtype. */
export function storageTypeOf(dtype: DType): StorageType {
  for (const t of STORAGE_TYPES.values()) if (t.dtype === dtype) return t;
  throw new Error(`no storage type for ${dtype.name}`);
}

/** Decodes `numel` elements of `dtype` from a record (which may be longer, as PyTorch allows). */
export function decodeStorage(bytes: Uint8Array, dtype: DType, numel: number): TypedArray {
  const n = numel * dtype.itemsize;
  // copy into a fresh, aligned buffer: records sit at arbitrary offsets of the archive
  const raw = new Uint8Array(n);
  raw.set(bytes.subarray(0, n));
  const b = raw.buffer;
  switch (dtype.name) {
    case "float32": return new Float32Array(b);
    case "float64": return new Float64Array(b);
    case "int32": return new Int32Array(b);
    case "int16": return new Int16Array(b);
    case "int8": return new Int8Array(b);
    case "uint8": return raw;
    case "bool": return raw.map((x) => (x !== 0 ? 1 : 0));
    case "int64": return Float64Array.from(new BigInt64Array(b), (x) => Number(x));
    case "float16": return Float32Array.from(new Uint16Array(b), halfBitsToFloat);
    case "bfloat16": {
      const out = new Float32Array(numel);
      const bits = new Uint32Array(out.buffer);
      const src = new Uint16Array(b);
      for (let i = 0; i < numel; i++) bits[i] = src[i]! << 16;
      return out;
    }
  }
}

/** The record bytes of a whole storage. */
export function encodeStorage(data: TypedArray, dtype: DType): Uint8Array {
  const numel = data.length;
  switch (dtype.name) {
    case "float32": case "float64": case "int32": case "int16": case "int8": case "uint8": case "bool":
      return new Uint8Array(data.buffer, data.byteOffset, numel * dtype.itemsize).slice();
    case "int64": {
      const out = new BigInt64Array(numel);
      for (let i = 0; i < numel; i++) out[i] = BigInt(Math.trunc(data[i]!));
      return new Uint8Array(out.buffer);
    }
    case "float16": {
      const out = new Uint16Array(numel);
      for (let i = 0; i < numel; i++) out[i] = floatToHalfBits(data[i]!);
      return new Uint8Array(out.buffer);
    }
    case "bfloat16": {
      const f = Float32Array.from(data);
      const bits = new Uint32Array(f.buffer);
      const out = new Uint16Array(numel);
      // values are already bfloat16-representable (Note [half storage]): the top half is exact
      for (let i = 0; i < numel; i++) out[i] = bits[i]! >>> 16;
      return new Uint8Array(out.buffer);
    }
  }
}

export function halfBitsToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Half bits of a value already representable in float16 (NaN as 0x7e00, as PyTorch writes it). */
export function floatToHalfBits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a === Infinity || a >= 65520) return sign | 0x7c00;
  if (a < 2 ** -14) return sign | Math.round(a / 2 ** -24);
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  const frac = Math.round((a / 2 ** e - 1) * 1024);
  if (frac === 1024) return sign | ((e + 16) << 10);
  return sign | ((e + 15) << 10) | frac;
}
