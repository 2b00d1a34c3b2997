/** torch.nn */
export * from "./module.js";
export * from "./parameter.js";
export * as init from "./init.js";
export * as functional from "./functional.js";
export * from "./layers/linear.js";
export * from "./layers/conv.js";
export * from "./layers/pooling.js";
export * from "./layers/normalization.js";
export * from "./layers/activation.js";
export * from "./layers/container.js";
export * from "./layers/sparse.js";
export * from "./layers/dropout.js";
export * from "./layers/flatten.js";
export * from "./layers/loss.js";
export * from "./layers/rnn.js";
export * from "./layers/attention.js";
export * as utils from "./utils/index.js";
