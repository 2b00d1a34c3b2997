/**
 * torch.nn.utils.rnn.PackedSequence: the rows of a batch of sequences of different lengths,
 * time step after time step (Note [packed rows] in src/tensor/ops/packed_sequence.ts), with
 * `batch_sizes` (int64, rows per step) and the permutation that sorted the batch by length.
 * PyTorch's is a namedtuple, so it destructures (`const [data, batch_sizes] = packed`) and
 * prints as `PackedSequence(data=tensor(...), batch_sizes=tensor(...), sorted_indices=None, ...)`.
 */
import { Tensor } from "../../tensor/tensor.js";
import { int64 } from "../../tensor/dtype.js";

/** `invert_permutation`: unsorted[sorted[i]] = i, so index_select by it undoes the sort. */
export function invert_permutation(permutation: Tensor | null | undefined): Tensor | null {
  if (permutation === null || permutation === undefined) return null;
  const perm = permutation.contiguousData();
  const out = new Float64Array(perm.length);
  for (let i = 0; i < perm.length; i++) out[perm[i]!] = i;
  return Tensor.fromData(out, [perm.length], int64);
}

/**
 * A packed batch, as made by pack_padded_sequence / pack_sequence; the recurrent layers take
 * and return it.
 *
 * @example
 * const packed = nn.utils.rnn.pack_sequence([torch.tensor([1, 2, 3]), torch.tensor([4, 5])]);
 * String(packed); // PackedSequence(data=tensor([1, 4, 2, 5, 3]), batch_sizes=tensor([2, 2, 1]), sorted_indices=None, unsorted_indices=None)
 */
export class PackedSequence {
  readonly data: Tensor;
  readonly batch_sizes: Tensor;
  readonly sorted_indices: Tensor | null;
  readonly unsorted_indices: Tensor | null;

  /** `PackedSequence(data, batch_sizes, sorted_indices=None, unsorted_indices=None)`; unsorted is derived when absent. */
  constructor(data: Tensor, batch_sizes: Tensor, sorted_indices: Tensor | null = null, unsorted_indices: Tensor | null = null) {
    this.data = data;
    this.batch_sizes = batch_sizes;
    this.sorted_indices = sorted_indices;
    this.unsorted_indices = unsorted_indices ?? invert_permutation(sorted_indices);
  }

  /** The namedtuple's fields in order, so `const [data, batch_sizes, sorted, unsorted] = packed` works. */
  *[Symbol.iterator](): IterableIterator<Tensor | null> {
    yield this.data;
    yield this.batch_sizes;
    yield this.sorted_indices;
    yield this.unsorted_indices;
  }

  /** `to(dtype)` etc. apply to `data` only; batch_sizes stays int64 (PyTorch's NOTE [ device and dtype of a PackedSequence ]). */
  to(...args: unknown[]): PackedSequence {
    const data = (this.data.to as (...a: unknown[]) => Tensor)(...args);
    if (data === this.data) return this;
    return new PackedSequence(data, this.batch_sizes, this.sorted_indices, this.unsorted_indices);
  }

  cpu(): PackedSequence {
    return this;
  }
  double(): PackedSequence {
    return this.to("float64");
  }
  float(): PackedSequence {
    return this.to("float32");
  }
  half(): PackedSequence {
    return this.to("float16");
  }
  long(): PackedSequence {
    return this.to("int64");
  }
  int(): PackedSequence {
    return this.to("int32");
  }

  get is_cuda(): boolean {
    return false;
  }

  is_pinned(): boolean {
    return false;
  }

  toString(): string {
    const opt = (t: Tensor | null) => (t === null ? "None" : t.toString());
    return `PackedSequence(data=${this.data.toString()}, batch_sizes=${this.batch_sizes.toString()}, ` +
      `sorted_indices=${opt(this.sorted_indices)}, unsorted_indices=${opt(this.unsorted_indices)})`;
  }

  [Symbol.for("Jupyter.display")](): Record<string, string> {
    return { "text/plain": this.toString() };
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}
