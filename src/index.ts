/**
 * tsjit: `import { torch } from "tsjit"` or `import torch from "tsjit"`.
 */
import * as torch from "./torch.js";
export { torch };
export default torch;
export { Tensor } from "./tensor/tensor.js";
