/**
 * What torch.jit.script compiles for nn.MSELoss, nn.NLLLoss and nn.CrossEntropyLoss (Note
 * [layer script sources] in rnn_cells_script_source.ts). PyTorch's forwards call the Python
 * functions F.mse_loss / F.nll_loss / F.cross_entropy, which convert `reduction` with
 * `_Reduction.get_enum` and call the aten op. The script frontend compiles `F.name` to the aten
 * op of that name unless src/jit/frontend/nn_library.ts has the function's source, so the body
 * of each function is written inline here: the same aten call, with `reduction` (a constant,
 * as in PyTorch's `__constants__`) as its enum.
 */

/**
 * `_Reduction.get_enum(self.reduction)`: _Loss's getter, read once at script time as a Final
 * (a ternary over the string constant is not folded to one int by the frontend's constant propagation).
 */
const REDUCTION_ENUM = "this._reduction_enum";

const lossClass = (name: string, fields: string, body: string): string => `class ${name} {
  reduction: Final<string>;
  _reduction_enum: Final<int>;
${fields}  forward(input: Tensor, target: Tensor): Tensor {
${body}
  }
}`;

const WEIGHT = "  weight: Tensor | null;\n  ignore_index: Final<int>;\n";

export const MSE_LOSS_SOURCE = lossClass("MSELoss", "", `    const [expanded_input, expanded_target] = torch.broadcast_tensors([input, target]);
    return torch.mse_loss(expanded_input, expanded_target, ${REDUCTION_ENUM});`);

export const NLL_LOSS_SOURCE = lossClass("NLLLoss", WEIGHT,
  `    return torch.nll_loss_nd(input, target, this.weight, ${REDUCTION_ENUM}, this.ignore_index);`);

export const CROSS_ENTROPY_LOSS_SOURCE = lossClass("CrossEntropyLoss", `${WEIGHT}  label_smoothing: Final<float>;\n`,
  `    return torch.cross_entropy_loss(input, target, this.weight, ${REDUCTION_ENUM}, this.ignore_index, this.label_smoothing);`);
