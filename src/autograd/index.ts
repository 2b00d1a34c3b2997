/** torch.autograd */
export { backward, grad } from "./engine.js";
export { no_grad, enable_grad, is_grad_enabled, set_grad_enabled } from "./grad_mode.js";
export { Node as Function } from "./node.js";
