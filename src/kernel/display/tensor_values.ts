/**
 * The values a tensor display shows, chosen and formatted by PyTorch's printing rules
 * (src/tensor/print.ts): which indices survive summarisation, and each element's text.
 */
import { formatElements, printOptions } from "../../tensor/print.js";
import type { Tensor } from "../../tensor/tensor.js";

/** An index along one dimension, or null for the "..." that replaces the elided middle. */
export type ShownIndex = number | null;

/**
 * The indices PyTorch's repr shows along a dimension of `size` (get_summarized_data): all of
 * them, or the first and last `edgeitems` around an ellipsis when the tensor is summarised.
 */
export function shownIndices(size: number, summarize: boolean): ShownIndex[] {
  const e = printOptions.edgeitems;
  const all = Array.from({ length: size }, (_, i) => i);
  if (!summarize || size <= 2 * e) return all;
  return [...all.slice(0, e), null, ...all.slice(size - e)];
}

/** PyTorch summarises a tensor with more elements than `threshold` (1000 by default). */
export function isSummarized(t: Tensor): boolean {
  return t.numel() > printOptions.threshold;
}

export { formatElements };

/** Row-major strides of a contiguous tensor of `shape`. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) strides[d] = (strides[d + 1] ?? 1) * (shape[d + 1] ?? 1);
  return strides;
}

/**
 * The displayed elements of `t`: a map from flat (row-major) index to text, holding every
 * element a summarised view shows, formatted together as PyTorch formats them.
 */
export function displayedElements(t: Tensor): { text: Map<number, string>; summarized: boolean } {
  const values = t.contiguousData();
  const shape = t.shape;
  const strides = contiguousStrides(shape);
  const summarized = isSummarized(t);
  const flat: number[] = [];
  const visit = (dim: number, offset: number): void => {
    if (dim === shape.length) {
      flat.push(offset);
      return;
    }
    for (const i of shownIndices(shape[dim] ?? 0, summarized)) {
      if (i !== null) visit(dim + 1, offset + i * (strides[dim] ?? 1));
    }
  };
  if (t.numel() > 0) visit(0, 0);
  const texts = formatElements(flat.map((i) => values[i] ?? NaN), t.dtype.name);
  const text = new Map<number, string>();
  flat.forEach((index, k) => text.set(index, texts[k] ?? ""));
  return { text, summarized };
}
