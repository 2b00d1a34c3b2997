/** The one odometer walk over a strided layout that offset-listing kernels share. */

/**
 * Writes into out[0..count) the storage offset of each element of (shape, strides) from `base`,
 * in row-major order, and returns `out`.
 */
export function fillStridedOffsets(
  out: Float64Array, count: number, shape: readonly number[], strides: readonly number[], base: number,
): Float64Array {
  const nd = shape.length;
  if (count === 0) return out;
  if (nd <= 1) {
    const st = nd === 1 ? strides[0]! : 0;
    for (let o = 0, p = base; o < count; o++, p += st) out[o] = p;
    return out;
  }
  const idx = new Array<number>(nd).fill(0);
  let p = base;
  for (let o = 0; o < count; o++) {
    out[o] = p;
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]!++;
      p += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      p -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return out;
}
