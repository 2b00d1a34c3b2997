/**
 * Multi-layer recurrent networks, as torch/nn/modules/rnn.py: nn.RNN, nn.LSTM, nn.GRU, which
 * call the aten sequence operators of rnn_ops.ts (their `.data` overloads for a PackedSequence,
 * which comes back packed); the cell modules are re-exported from here.
 */
import { RuntimeError, ValueError } from "../../util/errors.js";
import { Tensor } from "../../tensor/tensor.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import * as init from "../init.js";
import { zeros } from "../../tensor/ops/creation.js";
import { factoryTensor, pyFloat, type FactoryKwargs } from "./utils.js";
import { gru, lstm, rnn_relu, rnn_tanh, type RNNMode } from "./rnn_ops.js";
import { index_select } from "../../tensor/ops/indexing.js";
import { PackedSequence } from "../utils/packed_sequence.js";
import { register_source } from "../../jit/source_registry.js";
import { GRU_SOURCE, LSTM_SOURCE, RNN_BASE_SOURCE, RNN_SOURCE } from "./rnn_script_source.js";

export { RNNCellBase, RNNCell, LSTMCell, GRUCell, type CellOptions } from "./rnn_cells.js";

type Mode = RNNMode;

export interface RNNOptions extends FactoryKwargs {
  num_layers?: number;
  bias?: boolean;
  batch_first?: boolean;
  dropout?: number;
  bidirectional?: boolean;
  /** LSTM only. */
  proj_size?: number;
}

const GATES: Record<Mode, number> = { LSTM: 4, GRU: 3, RNN_TANH: 1, RNN_RELU: 1 };

/** `apply_permutation`: reorders the batch dimension (1) of a hidden state; null keeps it. */
function applyPermutation(hx: Tensor, permutation: Tensor | null): Tensor {
  return permutation === null ? hx : index_select(hx, 1, permutation);
}

/** A PackedSequence's largest batch (`int(batch_sizes[0])`). */
const maxBatchOf = (batchSizes: Tensor): number => Number(batchSizes.contiguousData()[0] ?? 0);

/**
 * Base of RNN / LSTM / GRU: registers weight_ih_l{k}{_reverse}, weight_hh_l..., bias_ih_l...,
 * bias_hh_l... (and weight_hr_l... with proj_size) per layer and direction in PyTorch's order,
 * then draws every parameter from U(-1/sqrt(hidden), 1/sqrt(hidden)) in that order.
 */
export class RNNBase extends Module {
  mode: Mode;
  input_size: number;
  hidden_size: number;
  num_layers: number;
  bias: boolean;
  batch_first: boolean;
  dropout: number;
  bidirectional: boolean;
  proj_size: number;
  declare _flat_weights_names: string[];
  declare _all_weights: string[][];

  constructor(mode: Mode, input_size: number, hidden_size: number, opts: RNNOptions = {}) {
    super();
    this.mode = mode;
    this.input_size = input_size;
    this.hidden_size = hidden_size;
    this.num_layers = opts.num_layers ?? 1;
    this.bias = opts.bias ?? true;
    this.batch_first = opts.batch_first ?? false;
    const dropout = opts.dropout ?? 0;
    this.dropout = dropout;
    this.bidirectional = opts.bidirectional ?? false;
    this.proj_size = opts.proj_size ?? 0;
    hideFields(this, ["_flat_weights_names", "_all_weights"]);
    if (typeof dropout !== "number" || !(dropout >= 0 && dropout <= 1)) {
      throw new ValueError("dropout should be a number in range [0, 1] representing the probability of an element being zeroed");
    }
    if (dropout > 0 && this.num_layers === 1) {
      console.warn(`UserWarning: dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects num_layers greater than 1, but got dropout=${pyFloat(dropout)} and num_layers=${this.num_layers}`);
    }
    if (this.proj_size < 0) throw new ValueError("proj_size should be a positive integer or zero to disable projections");
    if (this.proj_size >= hidden_size) throw new ValueError("proj_size has to be smaller than hidden_size");
    this.registerWeights(GATES[mode] * hidden_size, opts);
    this.reset_parameters();
  }

  private registerWeights(gateSize: number, opts: FactoryKwargs): void {
    const dirs = this.bidirectional ? 2 : 1;
    const realHidden = this.proj_size > 0 ? this.proj_size : this.hidden_size;
    for (let layer = 0; layer < this.num_layers; layer++) {
      for (let dir = 0; dir < dirs; dir++) {
        const layerInput = layer === 0 ? this.input_size : realHidden * dirs;
        const sfx = `_l${layer}${dir === 1 ? "_reverse" : ""}`;
        const entries: [string, number[]][] = [[`weight_ih${sfx}`, [gateSize, layerInput]], [`weight_hh${sfx}`, [gateSize, realHidden]]];
        if (this.bias) entries.push([`bias_ih${sfx}`, [gateSize]], [`bias_hh${sfx}`, [gateSize]]);
        if (this.proj_size > 0) entries.push([`weight_hr${sfx}`, [this.proj_size, this.hidden_size]]);
        for (const [name, shape] of entries) this.register_parameter(name, new Parameter(factoryTensor(shape, opts)));
        this._flat_weights_names.push(...entries.map((e) => e[0]));
        this._all_weights.push(entries.map((e) => e[0]));
      }
    }
  }

  /** The weights in ATen's flat order, read by name so reassigned parameters are seen. */
  get _flat_weights(): Tensor[] {
    return this._flat_weights_names.map((n) => (this as unknown as Record<string, Tensor>)[n]!);
  }

  get all_weights(): Parameter[][] {
    return this._all_weights.map((ws) => ws.map((n) => (this as unknown as Record<string, Parameter>)[n]!));
  }

  /** A no-op on the CPU, as in PyTorch. */
  flatten_parameters(): void {}

  reset_parameters(): void {
    const stdv = this.hidden_size > 0 ? 1.0 / Math.sqrt(this.hidden_size) : 0;
    for (const w of this.parameters()) init.uniform_(w, -stdv, stdv);
  }

  /** Packed input (batch_sizes given) is the 2-D rows of a PackedSequence. */
  check_input(input: Tensor, batch_sizes: Tensor | null = null): void {
    const expectedDim = batch_sizes !== null ? 2 : 3;
    if (input.dim() !== expectedDim) throw new RuntimeError(`input must have ${expectedDim} dimensions, got ${input.dim()}`);
    if (this.input_size !== input.size(-1)) {
      throw new RuntimeError(`input.size(-1) must be equal to input_size. Expected ${this.input_size}, got ${input.size(-1)}`);
    }
  }

  protected expectedSize(input: Tensor, last: number, batchSizes: Tensor | null = null): number[] {
    const miniBatch = batchSizes !== null ? maxBatchOf(batchSizes) : this.batch_first ? input.size(0) : input.size(1);
    return [this.num_layers * (this.bidirectional ? 2 : 1), miniBatch, last];
  }

  get_expected_hidden_size(input: Tensor, batch_sizes: Tensor | null = null): number[] {
    return this.expectedSize(input, this.proj_size > 0 ? this.proj_size : this.hidden_size, batch_sizes);
  }

  /** Reorders a hidden state's batch as the PackedSequence sorted (or unsorts) it. */
  permute_hidden(hx: Tensor, permutation: Tensor | null): Tensor {
    return applyPermutation(hx, permutation);
  }

  check_forward_args(input: Tensor, hidden: Tensor, batch_sizes: Tensor | null): void {
    this.check_input(input, batch_sizes);
    this.check_hidden_size(hidden, this.get_expected_hidden_size(input, batch_sizes));
  }

  check_hidden_size(hx: Tensor, expected: number[], msg = "Expected hidden size {}, got {}"): void {
    if (hx.shape.join(",") !== expected.join(",")) {
      const tuple = `(${expected.join(", ")})`;
      throw new RuntimeError(msg.replace("{}", tuple).replace("{}", `[${hx.shape.join(", ")}]`));
    }
  }

  /** Shared prologue: batches an unbatched (2-D) input; returns [input, isBatched, batchDim]. */
  protected batchInput(input: Tensor): [Tensor, boolean, number] {
    const batched = input.dim() === 3;
    const batchDim = this.batch_first ? 0 : 1;
    return [batched ? input : input.unsqueeze(batchDim), batched, batchDim];
  }

  protected zeroState(input: Tensor, last: number, batchSizes: Tensor | null = null): Tensor {
    const [layers, batch] = this.expectedSize(input, last, batchSizes) as [number, number];
    return zeros(layers, batch, last, { dtype: input.dtype });
  }

  /** The positional arguments the aten sequence ops take after (input, hx). */
  protected opArgs(): [Tensor[], boolean, number, number, boolean, boolean, boolean] {
    return [this._flat_weights, this.bias, this.num_layers, this.dropout, this.training, this.bidirectional, this.batch_first];
  }

  /** The arguments of the `.data` (packed) overloads after (data, batch_sizes, hx): no batch_first. */
  protected packedOpArgs(): [Tensor[], boolean, number, number, boolean, boolean] {
    return [this._flat_weights, this.bias, this.num_layers, this.dropout, this.training, this.bidirectional];
  }

  /** The forward of RNN and GRU (one state tensor). */
  protected forwardSingle(op: typeof gru, input: Tensor | PackedSequence, hx: Tensor | null | undefined): [Tensor | PackedSequence, Tensor] {
    if (input instanceof PackedSequence) return this.forwardSinglePacked(op, input, hx);
    const [x, batched, batchDim] = this.batchInput(input);
    let h = hx ?? null;
    if (h === null) {
      h = this.zeroState(x, this.hidden_size);
    } else if (!batched) {
      if (h.dim() !== 2) throw new RuntimeError(`For unbatched 2-D input, hx should also be 2-D but got ${h.dim()}-D tensor`);
      h = h.unsqueeze(1);
    } else if (h.dim() !== 3) {
      throw new RuntimeError(`For batched 3-D input, hx should also be 3-D but got ${h.dim()}-D tensor`);
    }
    this.check_forward_args(x, h, null);
    const [out, hn] = op(x, h, ...this.opArgs());
    return batched ? [out, hn] : [out.squeeze(batchDim), hn.squeeze(1)];
  }

  /** RNN / GRU over a PackedSequence: the state is in sorted batch order inside, the caller's outside. */
  private forwardSinglePacked(op: typeof gru, input: PackedSequence, hx: Tensor | null | undefined): [PackedSequence, Tensor] {
    const { data, batch_sizes, sorted_indices, unsorted_indices } = input;
    const h = hx === undefined || hx === null
      ? this.zeroState(data, this.hidden_size, batch_sizes)
      : this.permute_hidden(hx, sorted_indices);
    this.check_forward_args(data, h, batch_sizes);
    const [out, hn] = op(data, batch_sizes, h, ...this.packedOpArgs());
    return [new PackedSequence(out, batch_sizes, sorted_indices, unsorted_indices), this.permute_hidden(hn, unsorted_indices)];
  }

  override extra_repr(): string {
    let s = `${this.input_size}, ${this.hidden_size}`;
    if (this.proj_size !== 0) s += `, proj_size=${this.proj_size}`;
    if (this.num_layers !== 1) s += `, num_layers=${this.num_layers}`;
    if (this.bias !== true) s += `, bias=${this.bias ? "True" : "False"}`;
    if (this.batch_first !== false) s += `, batch_first=${this.batch_first ? "True" : "False"}`;
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional !== false) s += `, bidirectional=${this.bidirectional ? "True" : "False"}`;
    return s;
  }
}

/** Keeps bookkeeping fields out of the enumerable own properties the Module scans. */
function hideFields(m: Module, names: string[]): void {
  for (const n of names) Object.defineProperty(m, n, { value: [], writable: true, enumerable: false, configurable: true });
}

/** Accepts `(input_size, hidden_size, num_layers?, opts?)` as well as `(input_size, hidden_size, opts?)`. */
function rnnOptions(layers: number | RNNOptions | undefined, opts: RNNOptions): RNNOptions {
  return typeof layers === "number" ? { ...opts, num_layers: layers } : (layers ?? opts);
}

/**
 * torch.nn.RNN(input_size, hidden_size, {num_layers, nonlinearity, bias, batch_first, dropout,
 * bidirectional}): returns [output, h_n].
 *
 * @example
 * const rnn = new nn.RNN(10, 20, 2);
 * const [out, hn] = rnn(torch.randn(5, 3, 10));
 */
export class RNN extends RNNBase {
  nonlinearity: string;

  constructor(input_size: number, hidden_size: number, num_layers?: number | (RNNOptions & { nonlinearity?: string }),
    opts: RNNOptions & { nonlinearity?: string } = {}) {
    const o = rnnOptions(num_layers, opts) as RNNOptions & { nonlinearity?: string };
    if (o.proj_size !== undefined) throw new ValueError("proj_size argument is only supported for LSTM, not RNN or GRU");
    const nl = o.nonlinearity ?? "tanh";
    if (nl !== "tanh" && nl !== "relu") throw new ValueError(`Unknown nonlinearity '${nl}'`);
    super(nl === "tanh" ? "RNN_TANH" : "RNN_RELU", input_size, hidden_size, o);
    this.nonlinearity = nl;
  }

  override forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  override forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  override forward(input: Tensor | PackedSequence, hx?: Tensor | null): [Tensor | PackedSequence, Tensor] {
    return this.forwardSingle(this.mode === "RNN_TANH" ? rnn_tanh : rnn_relu, input, hx);
  }
}

/**
 * torch.nn.GRU(input_size, hidden_size, {num_layers, bias, batch_first, dropout, bidirectional}):
 * returns [output, h_n].
 *
 * @example
 * const gru = new nn.GRU(10, 20, {num_layers: 2, batch_first: true});
 * const [out, hn] = gru(torch.randn(3, 5, 10));
 */
export class GRU extends RNNBase {
  constructor(input_size: number, hidden_size: number, num_layers?: number | RNNOptions, opts: RNNOptions = {}) {
    const o = rnnOptions(num_layers, opts);
    if (o.proj_size !== undefined) throw new ValueError("proj_size argument is only supported for LSTM, not RNN or GRU");
    super("GRU", input_size, hidden_size, o);
  }

  override forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  override forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  override forward(input: Tensor | PackedSequence, hx?: Tensor | null): [Tensor | PackedSequence, Tensor] {
    return this.forwardSingle(gru, input, hx);
  }
}

/**
 * torch.nn.LSTM(input_size, hidden_size, {num_layers, bias, batch_first, dropout, bidirectional,
 * proj_size}): returns [output, [h_n, c_n]].
 *
 * @example
 * const lstm = new nn.LSTM(10, 20, 2);
 * const [out, [hn, cn]] = lstm(torch.randn(5, 3, 10));
 */
export class LSTM extends RNNBase {
  constructor(input_size: number, hidden_size: number, num_layers?: number | RNNOptions, opts: RNNOptions = {}) {
    super("LSTM", input_size, hidden_size, rnnOptions(num_layers, opts));
  }

  get_expected_cell_size(input: Tensor, batch_sizes: Tensor | null = null): number[] {
    return this.expectedSize(input, this.hidden_size, batch_sizes);
  }

  /** LSTM's state is a pair, as in PyTorch (RNNBase's methods take one Tensor). */
  override permute_hidden(hx: Tensor, permutation: Tensor | null): Tensor;
  override permute_hidden(hx: readonly [Tensor, Tensor], permutation: Tensor | null): [Tensor, Tensor];
  override permute_hidden(hx: Tensor | readonly [Tensor, Tensor], permutation: Tensor | null): Tensor | [Tensor, Tensor] {
    if (hx instanceof Tensor) return applyPermutation(hx, permutation);
    return [applyPermutation(hx[0], permutation), applyPermutation(hx[1], permutation)];
  }

  override check_forward_args(input: Tensor, hidden: Tensor | readonly [Tensor, Tensor], batch_sizes: Tensor | null): void {
    if (hidden instanceof Tensor) return super.check_forward_args(input, hidden, batch_sizes);
    this.check_input(input, batch_sizes);
    this.check_hidden_size(hidden[0], this.get_expected_hidden_size(input, batch_sizes), "Expected hidden[0] size {}, got {}");
    this.check_hidden_size(hidden[1], this.get_expected_cell_size(input, batch_sizes), "Expected hidden[1] size {}, got {}");
  }

  override forward(input: PackedSequence, hx?: readonly [Tensor, Tensor] | null): [PackedSequence, [Tensor, Tensor]];
  override forward(input: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]];
  override forward(input: Tensor | PackedSequence, hx?: readonly [Tensor, Tensor] | null): [Tensor | PackedSequence, [Tensor, Tensor]] {
    if (input instanceof PackedSequence) return this.forwardPacked(input, hx);
    const [x, batched, batchDim] = this.batchInput(input);
    let state: [Tensor, Tensor];
    if (hx === undefined || hx === null) {
      state = [this.zeroState(x, this.proj_size > 0 ? this.proj_size : this.hidden_size), this.zeroState(x, this.hidden_size)];
    } else {
      const [h, c] = hx;
      if (batched && (h.dim() !== 3 || c.dim() !== 3)) {
        throw new RuntimeError(`For batched 3-D input, hx and cx should also be 3-D but got (${h.dim()}-D, ${c.dim()}-D) tensors`);
      }
      if (!batched && (h.dim() !== 2 || c.dim() !== 2)) {
        throw new RuntimeError(`For unbatched 2-D input, hx and cx should also be 2-D but got (${h.dim()}-D, ${c.dim()}-D) tensors`);
      }
      state = batched ? [h, c] : [h.unsqueeze(1), c.unsqueeze(1)];
    }
    this.check_forward_args(x, state, null);
    const [out, hn, cn] = lstm(x, state, ...this.opArgs());
    if (batched) return [out, [hn, cn]];
    return [out.squeeze(batchDim), [hn.squeeze(1), cn.squeeze(1)]];
  }

  /** LSTM over a PackedSequence: the state is in sorted batch order inside, the caller's outside. */
  private forwardPacked(input: PackedSequence, hx: readonly [Tensor, Tensor] | null | undefined): [PackedSequence, [Tensor, Tensor]] {
    const { data, batch_sizes, sorted_indices, unsorted_indices } = input;
    const state: [Tensor, Tensor] = hx === undefined || hx === null
      ? [this.zeroState(data, this.proj_size > 0 ? this.proj_size : this.hidden_size, batch_sizes),
        this.zeroState(data, this.hidden_size, batch_sizes)]
      : this.permute_hidden(hx, sorted_indices);
    this.check_forward_args(data, state, batch_sizes);
    const [out, hn, cn] = lstm(data, batch_sizes, state, ...this.packedOpArgs());
    return [
      new PackedSequence(out, batch_sizes, sorted_indices, unsorted_indices),
      this.permute_hidden([hn, cn], unsorted_indices),
    ];
  }
}

// what torch.jit.script compiles for each class (Note [layer script sources] in rnn_cells_script_source.ts)
register_source(RNNBase, RNN_BASE_SOURCE, { file: "<torch.nn.RNNBase>" });
register_source(RNN, RNN_SOURCE, { file: "<torch.nn.RNN>" });
register_source(GRU, GRU_SOURCE, { file: "<torch.nn.GRU>" });
register_source(LSTM, LSTM_SOURCE, { file: "<torch.nn.LSTM>" });
