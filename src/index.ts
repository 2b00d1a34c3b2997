/**
 * tsjit: `import { torch } from "tsjit"` or `import torch from "tsjit"`.
 */
import * as torch from "./torch.js";
export { torch };
export default torch;
export { Tensor } from "./tensor/tensor.js";
/** Python's range, for loops that torch.jit.script compiles to `for i in range(...)`. */
export { range } from "./jit/range.js";
