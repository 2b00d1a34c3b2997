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

/**
 * Decodes `numel` elements of `dtype` from a record (which may be longer, as PyTorch allows),
 * reading the record once. With `shareBytes` the record's bytes belong to the loader alone, so
 * a dtype tsjit stores as written (float32, float64, int32, int16, int8, uint8) becomes a view
 * of them when their offset suits the element size (Note [storage views of the archive]);
 * otherwise it is one copy.
 */
export function decodeStorage(bytes: Uint8Array, dtype: DType, numel: number, shareBytes = false): TypedArray {
  const record = bytes.subarray(0, numel * dtype.itemsize);
  switch (dtype.name) {
    case "float32": return new Float32Array(...span(kept(record, 4, shareBytes), numel));
    case "float64": return new Float64Array(...span(kept(record, 8, shareBytes), numel));
    case "int32": return new Int32Array(...span(kept(record, 4, shareBytes), numel));
    case "int16": return new Int16Array(...span(kept(record, 2, shareBytes), numel));
    case "int8": return new Int8Array(...span(kept(record, 1, shareBytes), numel));
    // a fresh Uint8Array even over the same bytes: the record may be a Buffer, whose slice() is a view
    case "uint8": return new Uint8Array(...span(kept(record, 1, shareBytes), numel));
    case "bool": {
      const out = new Uint8Array(numel);
      for (let i = 0; i < numel; i++) out[i] = record[i] !== 0 ? 1 : 0;
      return out;
    }
    case "int64": return int64Values(aligned(record, 4), numel);
    case "float16": {
      const bits = new Uint16Array(...span(aligned(record, 2), numel));
      const out = new Float32Array(numel);
      for (let i = 0; i < numel; i++) out[i] = halfBitsToFloat(bits[i]!);
      return out;
    }
    case "bfloat16": {
      const src = new Uint16Array(...span(aligned(record, 2), numel));
      const out = new Float32Array(numel);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < numel; i++) bits[i] = src[i]! << 16;
      return out;
    }
  }
}

/**
 * Note [storage views of the archive]: a tensor record is stored uncompressed at a 64-byte
 * aligned offset (§2.3), so a typed array over the archive's own bytes needs no copy. That is
 * safe only when nobody else holds those bytes: torch.jit.load / torch.load of a *path* read
 * the file into a buffer of their own (shared), while bytes a caller passes are copied (writes
 * to a parameter must not change the caller's buffer, nor the caller's later writes our
 * tensors). Entries never overlap (zip_reader.ts), so two storages never view the same bytes.
 * The cost: the archive buffer lives as long as any tensor viewing it (a loaded module keeps
 * it anyway, for its code).
 */
function kept(record: Uint8Array, itemsize: number, share: boolean): Uint8Array {
  return share && record.byteOffset % itemsize === 0 ? record : copyOf(record);
}

/** `record` when typed arrays of `itemsize` can view it, else an aligned copy (read-only uses). */
function aligned(record: Uint8Array, itemsize: number): Uint8Array {
  return record.byteOffset % itemsize === 0 ? record : copyOf(record);
}

/**
 * A copy in a buffer of its own: `Buffer#slice` would be a view, and `new Uint8Array(record)`
 * copies element by element (about 1.5 times as long as `set` for 64 MB).
 */
function copyOf(record: Uint8Array): Uint8Array {
  const out = new Uint8Array(record.length);
  out.set(record);
  return out;
}

const span = (b: Uint8Array, numel: number): [ArrayBufferLike, number, number] => [b.buffer, b.byteOffset, numel];

/** Little-endian int64 words as numbers: hi·2³² + lo rounds once, as Number(BigInt) does. */
function int64Values(record: Uint8Array, numel: number): Float64Array {
  const lo = new Uint32Array(record.buffer, record.byteOffset, numel * 2);
  const hi = new Int32Array(record.buffer, record.byteOffset, numel * 2);
  const out = new Float64Array(numel);
  for (let i = 0; i < numel; i++) out[i] = hi[2 * i + 1]! * 4294967296 + lo[2 * i]!;
  return out;
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
