/**
 * The values a tensor display shows, chosen and formatted by PyTorch's printing rules
 * (src/tensor/print.ts): which indices survive summarisation, and each element's text.
 */
import { formatTensor, printOptions, type PrintDtype } from "../../tensor/print.js";
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

/**
 * Each of `shown` as PyTorch prints it inside a tensor whose displayed values are exactly
 * `shown`, without the padding that aligns columns in text.
 *
 * Note [element text from formatTensor]: PyTorch picks one mode (int, fixed, scientific) and
 * precision for a whole tensor from its displayed values. print.ts keeps that formatter
 * private, so we print the shown values as one vector with formatTensor (summarisation off,
 * so every value is printed) and split its body; the mode and digits are then PyTorch's by
 * construction. A vector's elements are separated by ", " (and line breaks), and no element
 * text contains a comma or a bracket.
 */
export function formatElements(shown: readonly number[], dtype: PrintDtype): string[] {
  if (shown.length === 0) return [];
  const threshold = printOptions.threshold;
  printOptions.threshold = Infinity;
  let text: string;
  try {
    text = formatTensor({ shape: [shown.length], dtype, values: shown });
  } finally {
    printOptions.threshold = threshold;
  }
  const body = text.slice(text.indexOf("[") + 1, text.lastIndexOf("]"));
  const elements = body.split(/,\s+/).map((s) => s.trim());
  if (elements.length !== shown.length) {
    throw new Error(`tensor display: expected ${shown.length} printed elements, got ${elements.length} from ${JSON.stringify(text.slice(0, 200))}`);
  }
  return elements;
}

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
