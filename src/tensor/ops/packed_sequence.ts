/**
 * The aten operators behind torch.nn.utils.rnn (ATen's PackedSequence.cpp): packing a padded
 * [T, B, *] batch into the rows of a PackedSequence (aten::_pack_padded_sequence, grad_fn
 * PackPaddedSequenceBackward0, whose gradient is aten::_pack_padded_sequence_backward),
 * padding packed rows back (aten::_pad_packed_sequence) and stacking sequences of different
 * lengths (aten::pad_sequence).
 *
 * Note [packed rows]: a PackedSequence holds time step t as `batch_sizes[t]` consecutive rows,
 * the sequences still running at t, longest first (rnn_packed.ts's Note [packed steps]). So
 * packing and padding are the same row copy in opposite directions: row (t, b) of the padded
 * batch, for b < batch_sizes[t], is packed row `sum(batch_sizes[:t]) + b`.
 *
 * PyTorch builds _pad_packed_sequence and pad_sequence from slice copies, so their outputs show
 * grad_fn CopySlices; here they are primitive ops whose gradient is the reverse copy, under the
 * same name (as aten::_pad_circular in join.ts).
 */
import { RuntimeError } from "../../util/errors.js";
import type { GradOut } from "../../autograd/op_node.js";
import { int64 } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { defineOp } from "../registry.js";
import { full } from "./creation.js";

/** ATen's checkLongTensor, for `lengths` and `batch_sizes` alike (the message names lengths, as ATen's does). */
function longValues(t: Tensor): number[] {
  if (t.dim() !== 1 || t.dtype !== int64) {
    throw new RuntimeError(`'lengths' argument should be a 1D CPU int64 tensor, but got ${t.dim()}D cpu ${t.dtype.scalarType} tensor`);
  }
  return Array.from(t.contiguousData(), Number);
}

/** Elements per row after the two leading (time, batch) dimensions. */
const rowSize = (shape: readonly number[], from: number): number => shape.slice(from).reduce((a, b) => a * b, 1);

/** The packed rows of a padded [T, B, *] tensor (Note [packed rows]). */
function packRows(padded: Tensor, sizes: readonly number[]): Tensor {
  const [, B] = padded.shape as [number, number];
  const inner = rowSize(padded.shape, 2);
  const src = padded.contiguousData();
  const total = sizes.reduce((a, b) => a + b, 0);
  const out = new padded.dtype.ArrayType(total * inner);
  let row = 0;
  sizes.forEach((batch, t) => {
    out.set(src.subarray(t * B * inner, (t * B + batch) * inner), row * inner);
    row += batch;
  });
  return Tensor.fromData(out, [total, ...padded.shape.slice(2)], padded.dtype);
}

/** Packed rows back into a [T, B, *] tensor filled with `fill` elsewhere (Note [packed rows]). */
function padRows(data: Tensor, sizes: readonly number[], T: number, B: number, fill: number): Tensor {
  const inner = rowSize(data.shape, 1);
  const out = full([T, B, ...data.shape.slice(1)], fill, { dtype: data.dtype });
  const dst = out.storage.data;
  const src = data.contiguousData();
  let row = 0;
  sizes.forEach((batch, t) => {
    dst.set(src.subarray(row * inner, (row + batch) * inner), t * B * inner);
    row += batch;
  });
  return out;
}

/** batch_sizes of sorted lengths: how many sequences are longer than t, for each step t. */
function batchSizesOf(lengths: readonly number[]): number[] {
  return Array.from({ length: lengths[0]! }, (_, t) => lengths.filter((n) => n > t).length);
}

function checkPackable(input: Tensor, lengths: readonly number[]): void {
  const B = input.size(1);
  if (input.numel() === 0) throw new RuntimeError("Cannot pack empty tensors.");
  if (lengths.length !== B) {
    throw new RuntimeError(`Expected \`len(lengths)\` to be equal to batch_size, but got ${lengths.length} (batch_size=${B})`);
  }
  if (!(lengths[B - 1]! > 0)) {
    throw new RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0");
  }
  for (let i = 1; i < B; i++) {
    if (lengths[i]! > lengths[i - 1]!) {
      throw new RuntimeError(
        "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this requirement if you do not need ONNX exportability.",
      );
    }
  }
  // ATen reads past the input here (undefined behaviour); say what is wrong instead
  if (lengths[0]! > input.size(0)) {
    throw new RuntimeError(`pack_padded_sequence: the longest length ${lengths[0]} exceeds the input's sequence length ${input.size(0)}`);
  }
}

type PackArgs = [Tensor, Tensor, boolean];

/** torch._pack_padded_sequence(input, lengths, batch_first) -> [data, batch_sizes]. */
export const _pack_padded_sequence = defineOp<(input: Tensor, lengths: Tensor, batch_first: boolean) => [Tensor, Tensor]>(
  "_pack_padded_sequence", [{
    schema: "aten::_pack_padded_sequence(Tensor input, Tensor lengths, bool batch_first) -> (Tensor, Tensor)",
    gradName: "PackPaddedSequenceBackward0",
    forward: (input: Tensor, lengths: Tensor, batchFirst: boolean): [Tensor, Tensor] => {
      const padded = batchFirst ? input.transpose(0, 1) : input;
      const lens = longValues(lengths);
      checkPackable(padded, lens);
      const sizes = batchSizesOf(lens);
      return [packRows(padded, sizes), Tensor.fromData(Float64Array.from(sizes), [sizes.length], int64)];
    },
    backward: (grads: (Tensor | null)[], [input, , batchFirst]: PackArgs, [, batchSizes]: [Tensor, Tensor]): GradOut[] => {
      const g = grads[0];
      if (!g) return [null];
      return [_pack_padded_sequence_backward(g, input.shape.slice(), batchSizes, batchFirst)];
    },
  }],
);

type PackBackwardArgs = [Tensor, number[], Tensor, boolean];

/** The gradient of _pack_padded_sequence: packed rows back in place in zeros of the input's shape. */
export const _pack_padded_sequence_backward = defineOp<
  (grad: Tensor, input_size: number[], batch_sizes: Tensor, batch_first: boolean) => Tensor
>("_pack_padded_sequence_backward", [{
  schema: "aten::_pack_padded_sequence_backward(Tensor grad, int[] input_size, Tensor batch_sizes, bool batch_first) -> Tensor",
  gradName: "PackPaddedSequenceBackwardBackward0",
  forward: (grad: Tensor, inputSize: number[], batchSizes: Tensor, batchFirst: boolean): Tensor => {
    if (batchFirst && inputSize.length < 2) throw new RuntimeError("Expected input_size to have at least 2 dimensions");
    const [T, B] = batchFirst ? [inputSize[1]!, inputSize[0]!] : [inputSize[0]!, inputSize[1]!];
    const padded = padRows(grad, longValues(batchSizes), T, B, 0);
    return batchFirst ? padded.transpose(0, 1) : padded;
  },
  backward: (gg: Tensor, [, , batchSizes, batchFirst]: PackBackwardArgs): GradOut[] =>
    [packRows(batchFirst ? gg.transpose(0, 1) : gg, longValues(batchSizes))],
}]);

type PadPackedArgs = [Tensor, Tensor, boolean, number, number];

/**
 * torch._pad_packed_sequence(data, batch_sizes, batch_first, padding_value, total_length) ->
 * [padded, lengths]; a total_length of at most 0 means the longest sequence's length.
 */
export const _pad_packed_sequence = defineOp<
  (data: Tensor, batch_sizes: Tensor, batch_first: boolean, padding_value: number, total_length: number) => [Tensor, Tensor]
>("_pad_packed_sequence", [{
  schema: "aten::_pad_packed_sequence(Tensor data, Tensor batch_sizes, bool batch_first, Scalar padding_value, int total_length) -> (Tensor, Tensor)",
  gradName: "CopySlices",
  forward: (data: Tensor, batchSizes: Tensor, batchFirst: boolean, paddingValue: number, totalLength: number): [Tensor, Tensor] => {
    const sizes = longValues(batchSizes);
    let T = sizes.length;
    if (totalLength > 0) {
      if (totalLength < T) {
        throw new RuntimeError(`Expected total_length to be at least the length of the longest sequence in input, but got total_length=${totalLength} and max sequence length being ${T}`);
      }
      T = totalLength;
    }
    const B = sizes[0]!;
    const padded = padRows(data, sizes, T, B, paddingValue);
    // sequence b runs for as many steps as have more than b rows
    const lengths = Float64Array.from({ length: B }, (_, b) => sizes.filter((n) => n > b).length);
    return [batchFirst ? padded.transpose(0, 1) : padded, Tensor.fromData(lengths, [B], int64)];
  },
  backward: (grads: (Tensor | null)[], [, batchSizes, batchFirst]: PadPackedArgs): GradOut[] => {
    const g = grads[0];
    if (!g) return [null];
    return [packRows(batchFirst ? g.transpose(0, 1) : g, longValues(batchSizes))];
  },
}]);

/** Row-major offset of (t, b) in the [T, B, *] or [B, T, *] output of pad_sequence. */
const padOffset = (batchFirst: boolean, T: number, B: number, t: number, b: number): number => (batchFirst ? b * T + t : t * B + b);

/** torch._C._nn.pad_sequence(sequences, batch_first=False, padding_value=0.0): [T, B, *] (or [B, T, *]). */
export const pad_sequence = defineOp<(sequences: Tensor[], batch_first?: boolean, padding_value?: number) => Tensor>(
  "pad_sequence", [{
    schema: "aten::pad_sequence(Tensor[] sequences, bool batch_first=False, float padding_value=0.0) -> Tensor",
    gradName: "CopySlices",
    forward: (sequences: Tensor[], batchFirst: boolean, paddingValue: number): Tensor => {
      if (sequences.length === 0) throw new RuntimeError("received an empty list of sequences");
      const first = sequences[0]!;
      if (first.dim() === 0) throw new RuntimeError("pad_sequence: sequences must have at least one dimension, got a 0-d tensor");
      const trailing = first.shape.slice(1);
      for (const s of sequences) {
        if (s.dim() !== first.dim() || s.shape.slice(1).join(",") !== trailing.join(",")) {
          throw new RuntimeError(`pad_sequence: every sequence must have the trailing dimensions [${trailing.join(", ")}] of the first, got [${s.shape.join(", ")}]`);
        }
      }
      const B = sequences.length;
      const T = Math.max(...sequences.map((s) => s.size(0)));
      const inner = rowSize(trailing, 0);
      const out = full(batchFirst ? [B, T, ...trailing] : [T, B, ...trailing], paddingValue, { dtype: first.dtype });
      const dst = out.storage.data;
      sequences.forEach((s, b) => {
        const src = (s.dtype === first.dtype ? s : s.to(first.dtype)).contiguousData();
        for (let t = 0; t < s.size(0); t++) dst.set(src.subarray(t * inner, (t + 1) * inner), padOffset(batchFirst, T, B, t, b) * inner);
      });
      return out;
    },
    backward: (g: Tensor, [sequences, batchFirst]: [Tensor[], boolean, number]): GradOut[] => [
      sequences.map((s, b) => (batchFirst ? g.select(0, b) : g.select(1, b)).narrow(0, 0, s.size(0))),
    ],
  }],
);
