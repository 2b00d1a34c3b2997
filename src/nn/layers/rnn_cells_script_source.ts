/**
 * Note [layer script sources]: torch.jit.script reads a class's registered TypeScript source
 * (src/jit/source_registry.ts), never its emitted JavaScript, which has no types. The eager
 * forwards of the recurrent layers, losses and MultiheadAttention stay as they are (option
 * objects, PackedSequence checks, JS helpers), so each class registers the forward PyTorch
 * 1.13's Python source has, written in the script subset, with PyTorch's `__constants__` as
 * `Final` fields (inlined where read, as PyTorch prints them). Local names are PyTorch's
 * (`is_batched`, `ret`, `max_batch_size`) where the frontend allows, so the printed code names
 * its values as PyTorch's does. A method the source calls (`this.check_forward_args`) must also
 * exist on the JavaScript class: the compiler looks methods up there.
 *
 * This file: nn.RNNCell, nn.GRUCell and nn.LSTMCell (torch/nn/modules/rnn.py).
 */

const CELL_FIELDS = `  input_size: Final<int>;
  hidden_size: Final<int>;
  bias: Final<boolean>;
  bias_ih: Tensor | null;
  bias_hh: Tensor | null;
`;

/** The shared start of the three forwards: checks the rank and batches a 1-D input. */
const batchInput = (name: string): string => `    assert([1, 2].includes(input.dim()), \`${name}: Expected input to be 1-D or 2-D but received \${input.dim()}-D tensor\`);
    const is_batched = input.dim() === 2;
    if (!is_batched) {
      input = input.unsqueeze(0);
    }`;

/** A single-state cell (RNNCell, GRUCell): `call` computes `ret` from input and hx. */
const singleStateCell = (name: string, fields: string, call: string): string => `class ${name} {
${CELL_FIELDS}${fields}  forward(input: Tensor, hx: Tensor | null = null): Tensor {
${batchInput(name)}
    // \`h\`, not PyTorch's reassigned \`hx\`: a parameter keeps its declared Optional type here
    let h: Tensor;
    if (hx === null) {
      h = torch.zeros([input.size(0), this.hidden_size], {dtype: input.dtype, device: input.device});
    } else {
      h = !is_batched ? hx.unsqueeze(0) : hx;
    }
${call}
    if (!is_batched) {
      ret = ret.squeeze(0);
    }
    return ret;
  }
}`;

export const RNN_CELL_SOURCE = singleStateCell("RNNCell", "  nonlinearity: Final<string>;\n", `    let ret: Tensor;
    if (this.nonlinearity === "tanh") {
      ret = torch.rnn_tanh_cell(input, h, this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh);
    } else if (this.nonlinearity === "relu") {
      ret = torch.rnn_relu_cell(input, h, this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh);
    } else {
      throw new RuntimeError(\`Unknown nonlinearity: \${this.nonlinearity}\`);
    }`);

export const GRU_CELL_SOURCE = singleStateCell("GRUCell", "",
  "    let ret = torch.gru_cell(input, h, this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh);");

export const LSTM_CELL_SOURCE = `class LSTMCell {
${CELL_FIELDS}  forward(input: Tensor, hx: [Tensor, Tensor] | null = null): [Tensor, Tensor] {
${batchInput("LSTMCell")}
    let state: [Tensor, Tensor];
    if (hx === null) {
      const zeros = torch.zeros([input.size(0), this.hidden_size], {dtype: input.dtype, device: input.device});
      state = [zeros, zeros];
    } else {
      state = !is_batched ? [hx[0].unsqueeze(0), hx[1].unsqueeze(0)] : hx;
    }
    let ret: [Tensor, Tensor] = torch.lstm_cell(input, state, this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh);
    if (!is_batched) {
      ret = [ret[0].squeeze(0), ret[1].squeeze(0)];
    }
    return ret;
  }
}`;
