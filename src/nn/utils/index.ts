/** torch.nn.utils: gradient clipping, parameter vectors, and the packed sequences of `rnn`. */
export { clip_grad_norm_, clip_grad_norm, clip_grad_value_, type TensorOrTensors } from "./clip_grad.js";
export { parameters_to_vector, vector_to_parameters } from "./convert_parameters.js";
export * as rnn from "./rnn_utils.js";
