/**
 * The `torch` namespace, assembled from the op files. Importing this module installs every
 * Tensor method (each op file installs its own).
 */
import "./autograd/tensor_methods.js";
export * from "./tensor/dtype.js";
export { Tensor, Storage } from "./tensor/tensor.js";
export { set_printoptions } from "./tensor/print.js";
export * from "./tensor/ops/arith.js";
export * from "./tensor/ops/unary.js";
export * from "./tensor/ops/compare.js";
export * from "./tensor/ops/convert.js";
export * from "./tensor/ops/view.js";
export * from "./tensor/ops/indexing.js";
export * from "./tensor/ops/join.js";
export * from "./tensor/ops/reduce.js";
export * from "./tensor/ops/softmax.js";
export * from "./tensor/ops/linalg.js";
export * from "./tensor/ops/conv.js";
export * from "./tensor/ops/pool.js";
export * from "./tensor/ops/norm.js";
export * from "./tensor/ops/loss.js";
export * from "./tensor/ops/embedding.js";
export * from "./tensor/ops/dropout.js";
export * from "./tensor/ops/pad.js";
export { _pack_padded_sequence, _pad_packed_sequence } from "./tensor/ops/packed_sequence.js";
export * from "./tensor/ops/creation.js";
export * from "./tensor/ops/random.js";
export * from "./tensor/ops/trig.js";
export * from "./tensor/ops/pointwise_extra.js";
export * from "./tensor/ops/pointwise_ternary.js";
export * from "./tensor/ops/sort.js";
export * from "./tensor/ops/shape_extra.js";
export * from "./tensor/ops/shape_split.js";
export * from "./tensor/ops/diagonal.js";
export * from "./tensor/ops/cumulative.js";
export * from "./tensor/ops/unique.js";
import "./tensor/ops/new_factory.js"; // Tensor methods only: torch has no new_zeros
export { set_num_threads, get_num_threads } from "./tensor/kernels/wasm/num_threads.js";
export { no_grad, enable_grad, inference_mode, is_grad_enabled, set_grad_enabled } from "./autograd/grad_mode.js";
export * as autograd from "./autograd/index.js";
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export * as jit from "./jit/index.js";
export { save, load } from "./jit/serialize/torch_save.js";
