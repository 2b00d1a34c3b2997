/**
 * What torch.jit.script compiles for nn.RNN, nn.GRU and nn.LSTM (Note [layer script sources]
 * in rnn_cells_script_source.ts): PyTorch 1.13's forward for a Tensor input, calling aten::lstm
 * / aten::gru / aten::rnn_tanh with `self._flat_weights` as PyTorch's scripted modules do (so an
 * archive of it loads in PyTorch), and RNNBase's checking methods. A PackedSequence input (the
 * `forward__1` overload PyTorch compiles beside `forward__0`) is not scriptable here: the
 * frontend has no method overloads.
 */

/** RNNBase's `__constants__`, and the weights list the aten ops take. */
const RNN_FIELDS = `  mode: Final<string>;
  input_size: Final<int>;
  hidden_size: Final<int>;
  num_layers: Final<int>;
  bias: Final<boolean>;
  batch_first: Final<boolean>;
  dropout: Final<float>;
  bidirectional: Final<boolean>;
  proj_size: Final<int>;
  _flat_weights: Tensor[];
`;

/** RNNBase's methods that its subclasses' scripted forwards call. */
export const RNN_BASE_SOURCE = `class RNNBase {
${RNN_FIELDS}  check_input(input: Tensor, batch_sizes: Tensor | null): void {
    const expected_input_dim = batch_sizes !== null ? 2 : 3;
    if (input.dim() !== expected_input_dim) {
      throw new RuntimeError(\`input must have \${expected_input_dim} dimensions, got \${input.dim()}\`);
    }
    if (this.input_size !== input.size(-1)) {
      throw new RuntimeError(\`input.size(-1) must be equal to input_size. Expected \${this.input_size}, got \${input.size(-1)}\`);
    }
  }
  get_expected_hidden_size(input: Tensor, batch_sizes: Tensor | null): [int, int, int] {
    let mini_batch: int;
    if (batch_sizes !== null) {
      mini_batch = torch.Int(batch_sizes[0]);
    } else {
      mini_batch = this.batch_first ? input.size(0) : input.size(1);
    }
    const num_directions = this.bidirectional ? 2 : 1;
    if (this.proj_size > 0) {
      return [this.num_layers * num_directions, mini_batch, this.proj_size];
    }
    return [this.num_layers * num_directions, mini_batch, this.hidden_size];
  }
  check_hidden_size(hx: Tensor, expected_hidden_size: [int, int, int], msg: string = "Expected hidden size {}, got {}"): void {
    const [a, b, c] = expected_hidden_size;
    if (hx.size() !== [a, b, c]) {
      throw new RuntimeError(msg.replace("{}", String(expected_hidden_size), 1).replace("{}", String(hx.size()), 1));
    }
  }
  check_forward_args(input: Tensor, hidden: Tensor, batch_sizes: Tensor | null): void {
    this.check_input(input, batch_sizes);
    const expected_hidden_size = this.get_expected_hidden_size(input, batch_sizes);
    this.check_hidden_size(hidden, expected_hidden_size, "Expected hidden size {}, got {}");
  }
  permute_hidden(hx: Tensor, permutation: Tensor | null): Tensor {
    if (permutation === null) {
      return hx;
    }
    return hx.index_select(1, permutation);
  }
}`;

/**
 * RNN and GRU: `run` is the aten call. `hx` is PyTorch's reassigned parameter, split into `h`
 * (still Optional) and `state` (a Tensor): a parameter keeps its declared type in the frontend.
 */
const singleStateForward = (name: string, run: string): string => `class ${name} {
${RNN_FIELDS}  forward(input: Tensor, hx: Tensor | null = null): [Tensor, Tensor] {
    const is_batched = input.dim() === 3;
    const batch_dim = this.batch_first ? 0 : 1;
    let h: Tensor | null = hx;
    if (!is_batched) {
      input = input.unsqueeze(batch_dim);
      if (h !== null) {
        if (h.dim() !== 2) {
          throw new RuntimeError(\`For unbatched 2-D input, hx should also be 2-D but got \${h.dim()}-D tensor\`);
        }
        h = h.unsqueeze(1);
      }
    } else {
      if (h !== null && h.dim() !== 3) {
        throw new RuntimeError(\`For batched 3-D input, hx should also be 3-D but got \${h.dim()}-D tensor\`);
      }
    }
    const max_batch_size = this.batch_first ? input.size(0) : input.size(1);
    const sorted_indices: Tensor | null = null;
    const unsorted_indices: Tensor | null = null;
    let state: Tensor;
    if (h === null) {
      const num_directions = this.bidirectional ? 2 : 1;
      state = torch.zeros([this.num_layers * num_directions, max_batch_size, this.hidden_size], {dtype: input.dtype, device: input.device});
    } else {
      state = this.permute_hidden(h, sorted_indices);
    }
    this.check_forward_args(input, state, null);
${run}
    let output = result[0];
    let hidden = result[1];
    if (!is_batched) {
      output = output.squeeze(batch_dim);
      hidden = hidden.squeeze(1);
    }
    return [output, this.permute_hidden(hidden, unsorted_indices)];
  }
}`;

const aten = (op: string): string =>
  `torch.${op}(input, state, this._flat_weights, this.bias, this.num_layers, this.dropout, this.training, this.bidirectional, this.batch_first)`;

export const RNN_SOURCE = singleStateForward("RNN", `    let result: [Tensor, Tensor];
    if (this.mode === "RNN_TANH") {
      result = ${aten("rnn_tanh")};
    } else {
      result = ${aten("rnn_relu")};
    }`);

export const GRU_SOURCE = singleStateForward("GRU", `    const result = ${aten("gru")};`);

export const LSTM_SOURCE = `class LSTM {
${RNN_FIELDS}  get_expected_cell_size(input: Tensor, batch_sizes: Tensor | null): [int, int, int] {
    let mini_batch: int;
    if (batch_sizes !== null) {
      mini_batch = torch.Int(batch_sizes[0]);
    } else {
      mini_batch = this.batch_first ? input.size(0) : input.size(1);
    }
    const num_directions = this.bidirectional ? 2 : 1;
    return [this.num_layers * num_directions, mini_batch, this.hidden_size];
  }
  check_forward_args(input: Tensor, hidden: [Tensor, Tensor], batch_sizes: Tensor | null): void {
    this.check_input(input, batch_sizes);
    this.check_hidden_size(hidden[0], this.get_expected_hidden_size(input, batch_sizes), "Expected hidden[0] size {}, got {}");
    this.check_hidden_size(hidden[1], this.get_expected_cell_size(input, batch_sizes), "Expected hidden[1] size {}, got {}");
  }
  permute_hidden(hx: [Tensor, Tensor], permutation: Tensor | null): [Tensor, Tensor] {
    if (permutation === null) {
      return hx;
    }
    return [hx[0].index_select(1, permutation), hx[1].index_select(1, permutation)];
  }
  forward(input: Tensor, hx: [Tensor, Tensor] | null = null): [Tensor, [Tensor, Tensor]] {
    const is_batched = input.dim() === 3;
    const batch_dim = this.batch_first ? 0 : 1;
    if (!is_batched) {
      input = input.unsqueeze(batch_dim);
    }
    const max_batch_size = this.batch_first ? input.size(0) : input.size(1);
    const sorted_indices: Tensor | null = null;
    const unsorted_indices: Tensor | null = null;
    let state: [Tensor, Tensor];
    if (hx === null) {
      const num_directions = this.bidirectional ? 2 : 1;
      const real_hidden_size = this.proj_size > 0 ? this.proj_size : this.hidden_size;
      const h_zeros = torch.zeros([this.num_layers * num_directions, max_batch_size, real_hidden_size], {dtype: input.dtype, device: input.device});
      const c_zeros = torch.zeros([this.num_layers * num_directions, max_batch_size, this.hidden_size], {dtype: input.dtype, device: input.device});
      state = [h_zeros, c_zeros];
    } else {
      let hx1: [Tensor, Tensor] = hx;
      if (is_batched) {
        if (hx[0].dim() !== 3 || hx[1].dim() !== 3) {
          const msg = \`For batched 3-D input, hx and cx should also be 3-D but got (\${hx[0].dim()}-D, \${hx[1].dim()}-D) tensors\`;
          throw new RuntimeError(msg);
        }
      } else {
        if (hx[0].dim() !== 2 || hx[1].dim() !== 2) {
          const msg = \`For unbatched 2-D input, hx and cx should also be 2-D but got (\${hx[0].dim()}-D, \${hx[1].dim()}-D) tensors\`;
          throw new RuntimeError(msg);
        }
        hx1 = [hx[0].unsqueeze(1), hx[1].unsqueeze(1)];
      }
      state = this.permute_hidden(hx1, sorted_indices);
    }
    this.check_forward_args(input, state, null);
    const [output0, h_n, c_n] = ${aten("lstm")};
    let output = output0;
    let hidden: [Tensor, Tensor] = [h_n, c_n];
    if (!is_batched) {
      output = output.squeeze(batch_dim);
      hidden = [hidden[0].squeeze(1), hidden[1].squeeze(1)];
    }
    return [output, this.permute_hidden(hidden, unsorted_indices)];
  }
}`;
