/**
 * torch.nn.utils.rnn, as PyTorch 1.13's torch/nn/utils/rnn.py: pack a padded batch (sorting it
 * by length first unless enforce_sorted), pad a packed one back, pad a list of sequences, and
 * the list forms pack_sequence / unpack_sequence. The row copies are the aten ops of
 * src/tensor/ops/packed_sequence.ts, which autograd and the tracer see as PyTorch's.
 */
import { RuntimeError, ValueError } from "../../util/errors.js";
import { Tensor } from "../../tensor/tensor.js";
import { int64 } from "../../tensor/dtype.js";
import { tensor } from "../../tensor/ops/creation.js";
import { index_select } from "../../tensor/ops/indexing.js";
import * as packed from "../../tensor/ops/packed_sequence.js";
import { pySignature, type Call } from "../layers/utils.js";
import { PackedSequence } from "./packed_sequence.js";

export { PackedSequence, invert_permutation } from "./packed_sequence.js";

type Lengths = Tensor | readonly number[];

/** `torch.as_tensor(lengths, dtype=torch.int64)`. */
function lengthsTensor(lengths: Lengths): Tensor {
  return lengths instanceof Tensor ? lengths.to(int64) : tensor(lengths.slice(), { dtype: int64 });
}

/** `torch.sort(lengths, descending=True)` (stable, so equal lengths keep their order) -> [sorted, indices]. */
function sortDescending(lengths: Tensor): [Tensor, Tensor] {
  const values = Array.from(lengths.contiguousData(), Number);
  const order = values.map((_, i) => i).sort((a, b) => values[b]! - values[a]!);
  const asLong = (xs: number[]) => Tensor.fromData(Float64Array.from(xs), [xs.length], int64);
  return [asLong(order.map((i) => values[i]!)), asLong(order)];
}

const PACK_PADDED = pySignature("pack_padded_sequence", "input, lengths, batch_first=False, enforce_sorted=True");

/**
 * pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True): the rows of a
 * padded [T, B, *] (or [B, T, *]) batch whose sequences have the given lengths.
 *
 * @example
 * const packed = nn.utils.rnn.pack_padded_sequence(x, [3, 1, 2], { enforce_sorted: false });
 */
export function pack_padded_sequence(
  input: Tensor, lengths: Lengths,
  ...rest: Call<[batch_first: boolean, enforce_sorted: boolean], { batch_first?: boolean; enforce_sorted?: boolean }>
): PackedSequence {
  const [, , batchFirst, enforceSorted] = PACK_PADDED.bind(input, [lengths, ...rest]) as [Tensor, Lengths, boolean, boolean];
  let lens = lengthsTensor(lengths);
  let sortedIndices: Tensor | null = null;
  if (!enforceSorted) {
    [lens, sortedIndices] = sortDescending(lens);
    input = index_select(input, batchFirst ? 0 : 1, sortedIndices);
  }
  const [data, batchSizes] = packed._pack_padded_sequence(input, lens, batchFirst);
  return new PackedSequence(data, batchSizes, sortedIndices, null);
}

const PAD_PACKED = pySignature("pad_packed_sequence", "sequence, batch_first=False, padding_value=0.0, total_length=None");

/**
 * pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None) ->
 * [padded, lengths], in the batch order given to pack_padded_sequence.
 */
export function pad_packed_sequence(
  sequence: PackedSequence,
  ...rest: Call<[batch_first: boolean, padding_value: number, total_length: number | null],
    { batch_first?: boolean; padding_value?: number; total_length?: number | null }>
): [Tensor, Tensor] {
  const [, batchFirst, paddingValue, totalLength] = PAD_PACKED.bind(sequence, rest) as [PackedSequence, boolean, number, number | null];
  let maxSeqLength = sequence.batch_sizes.size(0);
  if (totalLength !== null) {
    if (totalLength < maxSeqLength) {
      throw new ValueError(`Expected total_length to be at least the length of the longest sequence in input, but got total_length=${totalLength} and max sequence length being ${maxSeqLength}`);
    }
    maxSeqLength = totalLength;
  }
  const [padded, lengths] = packed._pad_packed_sequence(sequence.data, sequence.batch_sizes, batchFirst, paddingValue, maxSeqLength);
  const unsorted = sequence.unsorted_indices;
  if (unsorted === null) return [padded, lengths];
  return [index_select(padded, batchFirst ? 0 : 1, unsorted), index_select(lengths, 0, unsorted)];
}

const PAD_SEQUENCE = pySignature("pad_sequence", "sequences, batch_first=False, padding_value=0.0");

/** pad_sequence(sequences, batch_first=False, padding_value=0.0): [T, B, *] (or [B, T, *]) of sequences [L_i, *]. */
export function pad_sequence(
  sequences: Iterable<Tensor>,
  ...rest: Call<[batch_first: boolean, padding_value: number], { batch_first?: boolean; padding_value?: number }>
): Tensor {
  const [, batchFirst, paddingValue] = PAD_SEQUENCE.bind(sequences, rest) as [unknown, boolean, number];
  const iterable = sequences as unknown;
  if (typeof iterable !== "object" || iterable === null || !(Symbol.iterator in iterable || iterable instanceof Tensor)) {
    throw new RuntimeError(`pad_sequence: Expected iterable for input sequences, but got arg of type: ${pyType(iterable)}`);
  }
  // a Tensor iterates over its first dimension, as in Python
  const list = iterable instanceof Tensor ? iterable.unbind(0) : Array.from(iterable as Iterable<Tensor>);
  return packed.pad_sequence(list, batchFirst, paddingValue);
}

function pyType(v: unknown): string {
  if (v === null || v === undefined) return "<class 'NoneType'>";
  if (typeof v === "number") return Number.isInteger(v) ? "<class 'int'>" : "<class 'float'>";
  if (typeof v === "boolean") return "<class 'bool'>";
  return `<class '${typeof v}'>`;
}

const UNPAD = pySignature("unpad_sequence", "padded_sequences, lengths, batch_first=False");

/**
 * unpad_sequence(padded_sequences, lengths, batch_first=False): the sequences of a padded
 * batch. (PyTorch transposes its argument in place when batch_first is False; this leaves it.)
 */
export function unpad_sequence(
  padded_sequences: Tensor, lengths: Lengths, ...rest: Call<[batch_first: boolean], { batch_first?: boolean }>
): Tensor[] {
  const [, , batchFirst] = UNPAD.bind(padded_sequences, [lengths, ...rest]) as [Tensor, Lengths, boolean];
  const batchMajor = batchFirst ? padded_sequences : padded_sequences.transpose(0, 1);
  const lens = Array.from(lengthsTensor(lengths).contiguousData(), Number);
  return batchMajor.unbind(0).slice(0, lens.length).map((seq, b) => seq.narrow(0, 0, lens[b]!));
}

const PACK_SEQUENCE = pySignature("pack_sequence", "sequences, enforce_sorted=True");

/** pack_sequence(sequences, enforce_sorted=True): pad_sequence then pack_padded_sequence. */
export function pack_sequence(
  sequences: readonly Tensor[], ...rest: Call<[enforce_sorted: boolean], { enforce_sorted?: boolean }>
): PackedSequence {
  const [, enforceSorted] = PACK_SEQUENCE.bind(sequences, rest) as [unknown, boolean];
  const lengths = sequences.map((v) => v.size(0));
  return pack_padded_sequence(pad_sequence(sequences), lengths, { enforce_sorted: enforceSorted });
}

/** unpack_sequence(packed_sequences): the list of sequences, in their original order. */
export function unpack_sequence(packed_sequences: PackedSequence): Tensor[] {
  const [padded, lengths] = pad_packed_sequence(packed_sequences, { batch_first: true });
  return unpad_sequence(padded, lengths, { batch_first: true });
}
