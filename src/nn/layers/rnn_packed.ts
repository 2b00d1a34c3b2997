/**
 * One direction of one recurrent layer over a packed sequence (PackedSequence's `data` and
 * `batch_sizes`), as ATen's PackedLayer / ReversedPackedLayer (RNN.cpp) do it: the `.data`
 * overloads of aten::lstm / gru / rnn_tanh / rnn_relu (rnn_ops.ts) run their layers on this.
 *
 * Note [packed steps]: `data` holds the time steps one after the other, step t being
 * `batch_sizes[t]` rows (the sequences still running, longest first), so batch sizes never
 * grow. Forwards, the state loses its last rows when the batch shrinks: those rows are final
 * for the sequences that just ended, and the final state is the pieces put back in row order.
 * Backwards, a step starts the sequences that end there: their rows come from the initial state
 * when the batch grows.
 */
import { RuntimeError } from "../../util/errors.js";
import type { Tensor } from "../../tensor/tensor.js";
import { cat } from "../../tensor/ops/join.js";

/** A hidden state: [h] for GRU / RNN, [h, c] for LSTM (each [batch, hidden]). */
export type PackedState = Tensor[];
/** One cell step from the input gates of this step's rows. */
export type PackedStep = (gi: Tensor, state: PackedState) => PackedState;

/** `batch_sizes` as numbers, checked against the packed data's row count. */
export function packedBatchSizes(batchSizes: Tensor, rows: number): number[] {
  if (batchSizes.dim() !== 1 || batchSizes.dtype.name !== "int64") {
    throw new RuntimeError(`batch_sizes should always be a 1D int64 tensor, got ${batchSizes.dim()}D ${batchSizes.dtype.name}`);
  }
  const sizes = Array.from(batchSizes.contiguousData(), Number);
  if (sizes.length === 0) throw new RuntimeError("Expected sequence length to be larger than 0 in RNN");
  let total = 0;
  sizes.forEach((b, t) => {
    if (!(b > 0) || (t > 0 && b > sizes[t - 1]!)) {
      throw new RuntimeError(`batch_sizes must be positive and non-increasing, got ${b} at step ${t}`);
    }
    total += b;
  });
  if (total !== rows) throw new RuntimeError(`batch_sizes sum to ${total} but the packed input has ${rows} rows`);
  return sizes;
}

const rows = (state: PackedState, start: number, length: number): PackedState => state.map((s) => s.narrow(0, start, length));
const joinRows = (parts: PackedState[]): PackedState => parts[0]!.map((_, k) => cat(parts.map((p) => p[k]!), 0));

/** Forward direction: [outputs (rows as `gates`), final state]. Note [packed steps] */
function forwardPacked(gates: Tensor, sizes: number[], state: PackedState, step: PackedStep): [Tensor, PackedState] {
  const outputs: Tensor[] = [];
  const finished: PackedState[] = [];
  let offset = 0;
  let last = sizes[0]!;
  for (const batch of sizes) {
    if (batch < last) {
      finished.push(rows(state, batch, last - batch));
      state = rows(state, 0, batch);
    }
    last = batch;
    state = step(gates.narrow(0, offset, batch), state);
    offset += batch;
    outputs.push(state[0]!);
  }
  finished.push(state);
  return [cat(outputs, 0), joinRows(finished.reverse())];
}

/** Reverse direction: steps from last to first, starting sequences as the batch grows. */
function reversePacked(gates: Tensor, sizes: number[], initial: PackedState, step: PackedStep): [Tensor, PackedState] {
  const outputs: Tensor[] = [];
  let offset = gates.size(0) as number;
  let last = sizes[sizes.length - 1]!;
  let state = rows(initial, 0, last);
  for (let t = sizes.length - 1; t >= 0; t--) {
    const batch = sizes[t]!;
    if (batch > last) state = joinRows([state, rows(initial, last, batch - last)]);
    last = batch;
    offset -= batch;
    state = step(gates.narrow(0, offset, batch), state);
    outputs.push(state[0]!);
  }
  return [cat(outputs.reverse(), 0), state];
}

/**
 * One direction of one layer over packed rows: `gates` are the input gates of every row,
 * `state` the initial state (batch `sizes[0]`). Returns the output rows and the final state.
 */
export function runPackedDirection(
  gates: Tensor, sizes: number[], state: PackedState, step: PackedStep, reverse: boolean,
): [Tensor, PackedState] {
  if (state[0]!.size(0) !== sizes[0]) {
    throw new RuntimeError(`Expected hidden batch size ${sizes[0]}, got ${state[0]!.size(0)}`);
  }
  return reverse ? reversePacked(gates, sizes, state, step) : forwardPacked(gates, sizes, state, step);
}
