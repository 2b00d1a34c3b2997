/**
 * Recurrent cell modules, as torch/nn/modules/rnn.py: nn.RNNCell, nn.LSTMCell, nn.GRUCell,
 * which call the aten cell operators of rnn_ops.ts.
 */
import { RuntimeError, TorchError } from "../../util/errors.js";
import { Tensor } from "../../tensor/tensor.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import * as init from "../init.js";
import { zeros } from "../../tensor/ops/creation.js";
import { factoryTensor, type FactoryKwargs } from "./utils.js";
import { gru_cell, lstm_cell, rnn_relu_cell, rnn_tanh_cell } from "./rnn_ops.js";
import "../../tensor/ops/view.js"; // installs unsqueeze, squeeze
import { register_source } from "../../jit/source_registry.js";
import { GRU_CELL_SOURCE, LSTM_CELL_SOURCE, RNN_CELL_SOURCE } from "./rnn_cells_script_source.js";

/** Python's `assert cond, msg`. */
function assert(cond: boolean, message: string): asserts cond {
  if (!cond) throw new TorchError("AssertionError", message);
}

export interface CellOptions extends FactoryKwargs {
  bias?: boolean;
}

/**
 * Base of the cell modules: weight_ih (chunks*hidden, input), weight_hh (chunks*hidden, hidden),
 * bias_ih, bias_hh, all drawn from U(-1/sqrt(hidden), 1/sqrt(hidden)) in that order.
 */
export class RNNCellBase extends Module {
  input_size: number;
  hidden_size: number;
  bias: boolean;
  declare weight_ih: Parameter;
  declare weight_hh: Parameter;
  declare bias_ih: Parameter | null;
  declare bias_hh: Parameter | null;

  constructor(input_size: number, hidden_size: number, bias: boolean, num_chunks: number, opts: FactoryKwargs = {}) {
    super();
    this.input_size = input_size;
    this.hidden_size = hidden_size;
    this.bias = bias;
    this.weight_ih = new Parameter(factoryTensor([num_chunks * hidden_size, input_size], opts));
    this.weight_hh = new Parameter(factoryTensor([num_chunks * hidden_size, hidden_size], opts));
    if (bias) {
      this.bias_ih = new Parameter(factoryTensor([num_chunks * hidden_size], opts));
      this.bias_hh = new Parameter(factoryTensor([num_chunks * hidden_size], opts));
    } else {
      this.register_parameter("bias_ih", null);
      this.register_parameter("bias_hh", null);
    }
    this.reset_parameters();
  }

  reset_parameters(): void {
    const stdv = this.hidden_size > 0 ? 1.0 / Math.sqrt(this.hidden_size) : 0;
    for (const w of this.parameters()) init.uniform_(w, -stdv, stdv);
  }

  override extra_repr(): string {
    let s = `${this.input_size}, ${this.hidden_size}`;
    if (this.bias !== true) s += `, bias=${this.bias ? "True" : "False"}`;
    const nl = (this as { nonlinearity?: string }).nonlinearity;
    if (nl !== undefined && nl !== "tanh") s += `, nonlinearity=${nl}`;
    return s;
  }

  /** Batches a 1-D input (and its state) as PyTorch's cells do; returns [input, isBatched]. */
  protected batchInput(input: Tensor): [Tensor, boolean] {
    assert(input.dim() === 1 || input.dim() === 2,
      `${this._name()}: Expected input to be 1-D or 2-D but received ${input.dim()}-D tensor`);
    const batched = input.dim() === 2;
    return [batched ? input : input.unsqueeze(0), batched];
  }

  protected zeroState(input: Tensor): Tensor {
    return zeros(input.size(0), this.hidden_size, { dtype: input.dtype });
  }
}

/**
 * torch.nn.RNNCell(input_size, hidden_size, {bias, nonlinearity: "tanh" | "relu"}):
 * h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh).
 *
 * @example
 * const cell = new nn.RNNCell(4, 8);
 * const h = cell(torch.randn(3, 4));  // [3, 8]
 */
export class RNNCell extends RNNCellBase {
  nonlinearity: string;

  constructor(input_size: number, hidden_size: number, opts: CellOptions & { nonlinearity?: string } = {}) {
    super(input_size, hidden_size, opts.bias ?? true, 1, opts);
    this.nonlinearity = opts.nonlinearity ?? "tanh";
  }

  override forward(input: Tensor, hx?: Tensor | null): Tensor {
    const [x, batched] = this.batchInput(input);
    const h = hx === undefined || hx === null ? this.zeroState(x) : batched ? hx : hx.unsqueeze(0);
    let ret: Tensor;
    if (this.nonlinearity === "tanh") {
      ret = rnn_tanh_cell(x, h, this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh);
    } else if (this.nonlinearity === "relu") {
      ret = rnn_relu_cell(x, h, this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh);
    } else {
      throw new RuntimeError(`Unknown nonlinearity: ${this.nonlinearity}`);
    }
    return batched ? ret : ret.squeeze(0);
  }
}

/**
 * torch.nn.LSTMCell(input_size, hidden_size, {bias}): returns [h', c'].
 *
 * @example
 * const cell = new nn.LSTMCell(4, 8);
 * const [h, c] = cell(torch.randn(3, 4));
 */
export class LSTMCell extends RNNCellBase {
  constructor(input_size: number, hidden_size: number, opts: CellOptions = {}) {
    super(input_size, hidden_size, opts.bias ?? true, 4, opts);
  }

  override forward(input: Tensor, hx?: readonly [Tensor, Tensor] | null): [Tensor, Tensor] {
    const [x, batched] = this.batchInput(input);
    let state: Tensor[];
    if (hx === undefined || hx === null) {
      const z = this.zeroState(x);
      state = [z, z];
    } else {
      state = batched ? [hx[0], hx[1]] : [hx[0].unsqueeze(0), hx[1].unsqueeze(0)];
    }
    const [h, c] = lstm_cell(x, state, this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh);
    return batched ? [h, c] : [h.squeeze(0), c.squeeze(0)];
  }
}

/**
 * torch.nn.GRUCell(input_size, hidden_size, {bias}).
 *
 * @example
 * const cell = new nn.GRUCell(4, 8);
 * const h = cell(torch.randn(3, 4), torch.zeros(3, 8));
 */
export class GRUCell extends RNNCellBase {
  constructor(input_size: number, hidden_size: number, opts: CellOptions = {}) {
    super(input_size, hidden_size, opts.bias ?? true, 3, opts);
  }

  override forward(input: Tensor, hx?: Tensor | null): Tensor {
    const [x, batched] = this.batchInput(input);
    const h = hx === undefined || hx === null ? this.zeroState(x) : batched ? hx : hx.unsqueeze(0);
    const ret = gru_cell(x, h, this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh);
    return batched ? ret : ret.squeeze(0);
  }
}

// what torch.jit.script compiles for each cell (Note [layer script sources])
register_source(RNNCell, RNN_CELL_SOURCE, { file: "<torch.nn.RNNCell>" });
register_source(GRUCell, GRU_CELL_SOURCE, { file: "<torch.nn.GRUCell>" });
register_source(LSTMCell, LSTM_CELL_SOURCE, { file: "<torch.nn.LSTMCell>" });
