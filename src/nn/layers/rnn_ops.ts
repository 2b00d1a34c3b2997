/**
 * The aten recurrent operators: cells (rnn_tanh_cell, rnn_relu_cell, lstm_cell, gru_cell) and
 * whole sequences (lstm, gru, rnn_tanh, rnn_relu; `.input` overloads for padded input, `.data`
 * for a PackedSequence's rows, see rnn_packed.ts), which nn.RNN / LSTM / GRU and their cells
 * call, as PyTorch's modules call `_VF.lstm` and friends.
 *
 * Note [rnn composite ops]: the operators are composite (Note [primitive and composite ops]):
 * their forwards are written with registered ops (linear, sigmoid, tanh, chunk, add, mul,
 * stack, cat, dropout), so autograd records PyTorch's inner nodes, while a tracer sees one
 * `aten::lstm` call as in a PyTorch trace and a TorchScript archive's `torch.gru_cell(...)`
 * resolves to them. The arithmetic follows ATen's RNN.cpp on the CPU:
 *  - cells: gates = linear_hh(h) + linear_ih(x); LSTM cy = f * cx + i * g, hy = o * tanh(cy)
 *    (then h @ w_hr^T with projections); GRU n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),
 *    h' = (h - n) * z + n;
 *  - sequences: per layer and direction, the input gates of the whole sequence are one
 *    `linear`, the steps run the cell on them and the outputs are stacked; a reverse direction
 *    runs on the reversed steps and is concatenated after the forward one; dropout (train mode
 *    only) goes between layers; batch_first transposes in and out.
 */
import { RuntimeError } from "../../util/errors.js";
import { Tensor } from "../../tensor/tensor.js";
import { defineOp } from "../../tensor/registry.js";
import * as linalg from "../../tensor/ops/linalg.js";
import * as unary from "../../tensor/ops/unary.js";
import * as drop from "../../tensor/ops/dropout.js";
import { cat, stack } from "../../tensor/ops/join.js"; // also installs Tensor.chunk
import { packedBatchSizes, runPackedDirection } from "./rnn_packed.js";

type Opt<T> = T | null | undefined;

/** Weights of one cell (one layer and direction of a multi-layer RNN). */
interface CellParams {
  w_ih: Tensor;
  w_hh: Tensor;
  b_ih: Tensor | null;
  b_hh: Tensor | null;
  /** LSTM projection (proj_size > 0): h = h @ w_hr^T. */
  w_hr: Tensor | null;
}

/** The input-to-hidden gates of x (done for a whole sequence at once by the layer loop). */
function inputGates(x: Tensor, p: CellParams): Tensor {
  return linalg.linear(x, p.w_ih, p.b_ih);
}

/** One step of a tanh / relu RNN from precomputed input gates `gi`. */
function simpleStep(gi: Tensor, h: Tensor, p: CellParams, relu: boolean): Tensor {
  const pre = linalg.linear(h, p.w_hh, p.b_hh).add(gi);
  return relu ? unary.relu(pre) : unary.tanh(pre);
}

/** One LSTM step from precomputed input gates: returns [h', c']. */
function lstmStep(gi: Tensor, h: Tensor, c: Tensor, p: CellParams): [Tensor, Tensor] {
  const gates = linalg.linear(h, p.w_hh, p.b_hh).add(gi);
  const [i, f, g, o] = gates.chunk(4, 1) as [Tensor, Tensor, Tensor, Tensor];
  const ingate = unary.sigmoid(i);
  const forgetgate = unary.sigmoid(f);
  const cellgate = unary.tanh(g);
  const outgate = unary.sigmoid(o);
  const cy = forgetgate.mul(c).add(ingate.mul(cellgate));
  const hy = outgate.mul(unary.tanh(cy));
  return [p.w_hr === null ? hy : linalg.matmul(hy, p.w_hr.t()), cy];
}

/** One GRU step from precomputed input gates (gate order r, z, n). */
function gruStep(gi: Tensor, h: Tensor, p: CellParams): Tensor {
  const [ir, iz, inn] = gi.chunk(3, 1) as [Tensor, Tensor, Tensor];
  const [hr, hz, hn] = linalg.linear(h, p.w_hh, p.b_hh).chunk(3, 1) as [Tensor, Tensor, Tensor];
  const resetgate = unary.sigmoid(hr.add(ir));
  const inputgate = unary.sigmoid(hz.add(iz));
  const newgate = unary.tanh(inn.add(hn.mul(resetgate)));
  return h.sub(newgate).mul(inputgate).add(newgate);
}

// ------------------------------------------------------------------------ aten cell operators

function checkInput(input: Tensor, inputSize: number): void {
  if (input.size(1) !== inputSize) {
    throw new RuntimeError(`input has inconsistent input_size: got ${input.size(1)} expected ${inputSize}`);
  }
}

function checkHidden(input: Tensor, hx: Tensor, hiddenSize: number, label: number): void {
  if (input.size(0) !== hx.size(0)) {
    throw new RuntimeError(`Input batch size ${input.size(0)} doesn't match hidden${label} batch size ${hx.size(0)}`);
  }
  if (hx.size(1) !== hiddenSize) {
    throw new RuntimeError(`hidden${label} has inconsistent hidden_size: got ${hx.size(1)}, expected ${hiddenSize}`);
  }
}

function cellParams(w_ih: Tensor, w_hh: Tensor, b_ih: Opt<Tensor>, b_hh: Opt<Tensor>): CellParams {
  return { w_ih, w_hh, b_ih: b_ih ?? null, b_hh: b_hh ?? null, w_hr: null };
}

type CellFn = (input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih?: Opt<Tensor>, b_hh?: Opt<Tensor>) => Tensor;

function simpleCellOp(name: string, relu: boolean) {
  return defineOp<CellFn>(name, [{
    schema: `aten::${name}(Tensor input, Tensor hx, Tensor w_ih, Tensor w_hh, Tensor? b_ih=None, Tensor? b_hh=None) -> Tensor`,
    composite: true,
    forward: (input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Opt<Tensor>, b_hh: Opt<Tensor>) => {
      checkInput(input, w_ih.size(1));
      checkHidden(input, hx, w_hh.size(1), 0);
      const p = cellParams(w_ih, w_hh, b_ih, b_hh);
      return simpleStep(inputGates(input, p), hx, p, relu);
    },
  }]);
}

/** torch.rnn_tanh_cell: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh). */
export const rnn_tanh_cell = simpleCellOp("rnn_tanh_cell", false);
/** torch.rnn_relu_cell: h' = relu(x W_ih^T + b_ih + h W_hh^T + b_hh). */
export const rnn_relu_cell = simpleCellOp("rnn_relu_cell", true);

/** torch.gru_cell (gate order r, z, n as PyTorch). */
export const gru_cell = defineOp<CellFn>("gru_cell", [{
  schema: "aten::gru_cell(Tensor input, Tensor hx, Tensor w_ih, Tensor w_hh, Tensor? b_ih=None, Tensor? b_hh=None) -> Tensor",
  composite: true,
  forward: (input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Opt<Tensor>, b_hh: Opt<Tensor>) => {
    checkInput(input, w_ih.size(1));
    checkHidden(input, hx, w_hh.size(1), 0);
    const p = cellParams(w_ih, w_hh, b_ih, b_hh);
    return gruStep(inputGates(input, p), hx, p);
  },
}]);

/** torch.lstm_cell(input, [hx, cx], w_ih, w_hh, b_ih, b_hh) -> [hy, cy] (gate order i, f, g, o). */
export const lstm_cell = defineOp<
  (input: Tensor, hx: Tensor[], w_ih: Tensor, w_hh: Tensor, b_ih?: Opt<Tensor>, b_hh?: Opt<Tensor>) => [Tensor, Tensor]
>("lstm_cell", [{
  schema: "aten::lstm_cell(Tensor input, Tensor[] hx, Tensor w_ih, Tensor w_hh, Tensor? b_ih=None, Tensor? b_hh=None) -> (Tensor, Tensor)",
  composite: true,
  forward: (input: Tensor, hx: Tensor[], w_ih: Tensor, w_hh: Tensor, b_ih: Opt<Tensor>, b_hh: Opt<Tensor>) => {
    if (hx.length !== 2) throw new RuntimeError("lstm_cell expects two hidden states");
    checkInput(input, w_ih.size(1));
    const hiddenSize = w_hh.size(1);
    checkHidden(input, hx[0]!, hiddenSize, 0);
    checkHidden(input, hx[1]!, hiddenSize, 1);
    const p = cellParams(w_ih, w_hh, b_ih, b_hh);
    return lstmStep(inputGates(input, p), hx[0]!, hx[1]!, p);
  },
}]);

// -------------------------------------------------------------------- sequence operators

export type RNNMode = "LSTM" | "GRU" | "RNN_TANH" | "RNN_RELU";
type Mode = RNNMode;

/** A hidden state: [h] for GRU / RNN, [h, c] for LSTM. */
type State = Tensor[];

/** One step of the cell of `mode` on precomputed input gates. */
function cellStep(mode: Mode, gi: Tensor, state: State, p: CellParams): State {
  switch (mode) {
    case "LSTM":
      return lstmStep(gi, state[0]!, state[1]!, p);
    case "GRU":
      return [gruStep(gi, state[0]!, p)];
    case "RNN_TANH":
      return [simpleStep(gi, state[0]!, p, false)];
    case "RNN_RELU":
      return [simpleStep(gi, state[0]!, p, true)];
  }
}

/** One direction of one layer over the whole sequence: [stacked outputs, final state]. */
function runDirection(mode: Mode, input: Tensor, state: State, p: CellParams, reverse: boolean): [Tensor, State] {
  const steps = inputGates(input, p).unbind(0);
  if (steps.length === 0) throw new RuntimeError("Expected sequence length to be larger than 0 in RNN");
  if (reverse) steps.reverse();
  const outputs: Tensor[] = [];
  for (const gi of steps) {
    state = cellStep(mode, gi, state, p);
    outputs.push(state[0]!);
  }
  if (reverse) outputs.reverse();
  return [stack(outputs, 0), state];
}

/** Splits the flat weight list into per layer-direction cell params (ATen's gather_params). */
function gatherParams(params: readonly Tensor[], hasBiases: boolean, hasProjections: boolean): CellParams[] {
  const stride = (hasBiases ? 4 : 2) + (hasProjections ? 1 : 0);
  if (params.length % stride !== 0) throw new RuntimeError(`got an incorrect number of RNN parameters`);
  const out: CellParams[] = [];
  for (let i = 0; i < params.length; i += stride) {
    out.push({
      w_ih: params[i]!,
      w_hh: params[i + 1]!,
      b_ih: hasBiases ? params[i + 2]! : null,
      b_hh: hasBiases ? params[i + 3]! : null,
      w_hr: hasProjections ? params[i + stride - 1]! : null,
    });
  }
  return out;
}

interface StackArgs {
  hasBiases: boolean;
  numLayers: number;
  dropout: number;
  train: boolean;
  bidirectional: boolean;
  batchFirst: boolean;
}

/** One direction of one layer over its whole input: [outputs, final state]. */
type Direction = (input: Tensor, state: State, p: CellParams, reverse: boolean) => [Tensor, State];

/** Directions over a padded [seq, batch, features] input. */
const paddedDirection = (mode: Mode): Direction => (input, state, p, reverse) => runDirection(mode, input, state, p, reverse);

/** Directions over packed rows (`.data` overloads): rnn_packed.ts. */
function packedDirection(mode: Mode, data: Tensor, batchSizes: Tensor): Direction {
  const sizes = packedBatchSizes(batchSizes, data.size(0));
  return (input, state, p, reverse) =>
    runPackedDirection(inputGates(input, p), sizes, state, (gi, s) => cellStep(mode, gi, s, p), reverse);
}

/**
 * ATen's _rnn_impl: `states[k]` is the initial state of layer-direction k (each a list of
 * tensors); returns the output and the final states in the same order. Packed input (2-D rows)
 * goes through the same layer loop with its own directions; its outputs concatenate on the last
 * dimension as padded ones do.
 */
function rnnImpl(mode: Mode, input: Tensor, states: State[], cells: CellParams[], a: StackArgs, direction: Direction): [Tensor, State[]] {
  const dirs = a.bidirectional ? 2 : 1;
  if (cells.length !== a.numLayers * dirs) {
    throw new RuntimeError(`got an incorrect number of RNN parameters`);
  }
  let layerInput = a.batchFirst ? input.transpose(0, 1) : input;
  const finals: State[] = [];
  for (let l = 0; l < a.numLayers; l++) {
    const [fwOut, fwState] = direction(layerInput, states[l * dirs]!, cells[l * dirs]!, false);
    finals.push(fwState);
    if (a.bidirectional) {
      const [bwOut, bwState] = direction(layerInput, states[l * dirs + 1]!, cells[l * dirs + 1]!, true);
      finals.push(bwState);
      layerInput = cat([fwOut, bwOut], fwOut.dim() - 1);
    } else {
      layerInput = fwOut;
    }
    if (a.dropout !== 0 && a.train && l < a.numLayers - 1) layerInput = drop.dropout(layerInput, a.dropout, true);
  }
  return [a.batchFirst ? layerInput.transpose(0, 1) : layerInput, finals];
}

/** The arguments after the hidden state; `.data` overloads have no batch_first (rows are packed). */
const STACK_ARGS = "Tensor[] params, bool has_biases, int num_layers, float dropout, bool train, bool bidirectional";
const SEQ_ARGS = `${STACK_ARGS}, bool batch_first`;

type SeqFn<H, R> = (
  input: Tensor, hx: H, params: Tensor[], has_biases: boolean, num_layers: number, dropout: number,
  train: boolean, bidirectional: boolean, batch_first: boolean,
) => R;
type PackedFn<H, R> = (
  data: Tensor, batch_sizes: Tensor, hx: H, params: Tensor[], has_biases: boolean, num_layers: number,
  dropout: number, train: boolean, bidirectional: boolean,
) => R;

const stackArgs = (has_biases: boolean, num_layers: number, dropout: number, train: boolean, bidirectional: boolean,
  batch_first: boolean): StackArgs => ({ hasBiases: has_biases, numLayers: num_layers, dropout, train, bidirectional, batchFirst: batch_first });

/** gru / rnn_tanh / rnn_relu: (input, hx) -> (output, h_n) through `direction`. */
function singleStateRun(mode: Mode, input: Tensor, hx: Tensor, params: Tensor[], args: StackArgs, direction: Direction): [Tensor, Tensor] {
  const cells = gatherParams(params, args.hasBiases, false);
  const [out, finals] = rnnImpl(mode, input, hx.unbind(0).map((h) => [h]), cells, args, direction);
  return [out, stack(finals.map((s) => s[0]!), 0)];
}

/** gru / rnn_tanh / rnn_relu: `.input` (padded) and `.data` (PackedSequence's data, batch_sizes). */
function singleStateOp(name: string, mode: Mode) {
  return defineOp<SeqFn<Tensor, [Tensor, Tensor]> & PackedFn<Tensor, [Tensor, Tensor]>>(name, [{
    schema: `aten::${name}.input(Tensor input, Tensor hx, ${SEQ_ARGS}) -> (Tensor, Tensor)`,
    composite: true,
    forward: (input: Tensor, hx: Tensor, params: Tensor[], has_biases: boolean, num_layers: number, dropout: number,
      train: boolean, bidirectional: boolean, batch_first: boolean) =>
      singleStateRun(mode, input, hx, params, stackArgs(has_biases, num_layers, dropout, train, bidirectional, batch_first),
        paddedDirection(mode)),
  }, {
    schema: `aten::${name}.data(Tensor data, Tensor batch_sizes, Tensor hx, ${STACK_ARGS}) -> (Tensor, Tensor)`,
    composite: true,
    forward: (data: Tensor, batch_sizes: Tensor, hx: Tensor, params: Tensor[], has_biases: boolean, num_layers: number,
      dropout: number, train: boolean, bidirectional: boolean) =>
      singleStateRun(mode, data, hx, params, stackArgs(has_biases, num_layers, dropout, train, bidirectional, false),
        packedDirection(mode, data, batch_sizes)),
  }]);
}

/** torch.gru(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first). */
export const gru = singleStateOp("gru", "GRU");
/** torch.rnn_tanh(input, hx, params, ...). */
export const rnn_tanh = singleStateOp("rnn_tanh", "RNN_TANH");
/** torch.rnn_relu(input, hx, params, ...). */
export const rnn_relu = singleStateOp("rnn_relu", "RNN_RELU");

/** LSTM: (input, [h0, c0]) -> (output, h_n, c_n) through `direction`. */
function lstmRun(input: Tensor, hx: Tensor[], params: Tensor[], args: StackArgs, direction: Direction): [Tensor, Tensor, Tensor] {
  if (hx.length !== 2) throw new RuntimeError("lstm expects two hidden states");
  // cells of different size mean projections are used
  const hasProjections = hx[0]!.size(-1) !== hx[1]!.size(-1);
  const cells = gatherParams(params, args.hasBiases, hasProjections);
  const hs = hx[0]!.unbind(0);
  const cs = hx[1]!.unbind(0);
  const [out, finals] = rnnImpl("LSTM", input, hs.map((h, k) => [h, cs[k]!]), cells, args, direction);
  return [out, stack(finals.map((s) => s[0]!), 0), stack(finals.map((s) => s[1]!), 0)];
}

/**
 * torch.lstm(input, [h0, c0], params, ...) -> [output, h_n, c_n]; `.data` takes a
 * PackedSequence's data and batch_sizes in place of input (as a scripted nn.LSTM's forward__1).
 */
export const lstm = defineOp<SeqFn<Tensor[], [Tensor, Tensor, Tensor]> & PackedFn<Tensor[], [Tensor, Tensor, Tensor]>>("lstm", [{
  schema: `aten::lstm.input(Tensor input, Tensor[] hx, ${SEQ_ARGS}) -> (Tensor, Tensor, Tensor)`,
  composite: true,
  forward: (input: Tensor, hx: Tensor[], params: Tensor[], has_biases: boolean, num_layers: number, dropout: number,
    train: boolean, bidirectional: boolean, batch_first: boolean) =>
    lstmRun(input, hx, params, stackArgs(has_biases, num_layers, dropout, train, bidirectional, batch_first), paddedDirection("LSTM")),
}, {
  schema: `aten::lstm.data(Tensor data, Tensor batch_sizes, Tensor[] hx, ${STACK_ARGS}) -> (Tensor, Tensor, Tensor)`,
  composite: true,
  forward: (data: Tensor, batch_sizes: Tensor, hx: Tensor[], params: Tensor[], has_biases: boolean, num_layers: number,
    dropout: number, train: boolean, bidirectional: boolean) =>
    lstmRun(data, hx, params, stackArgs(has_biases, num_layers, dropout, train, bidirectional, false),
      packedDirection("LSTM", data, batch_sizes)),
}]);
