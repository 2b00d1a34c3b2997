/**
 * TorchScript class names for modules: a user class `MyCell` is `__torch__.MyCell`; torch.nn's
 * own classes keep their Python module path (`__torch__.torch.nn.modules.linear.Linear`). A
 * name already taken by another type is mangled as PyTorch does
 * (`__torch__.torch.nn.modules.linear.___torch_mangle_3.Linear`).
 */
import * as nn from "../nn/index.js";

const NN_MODULE_FILES: Readonly<Record<string, readonly string[]>> = {
  linear: ["Identity", "Linear", "NonDynamicallyQuantizableLinear"],
  conv: ["Conv1d", "Conv2d"],
  pooling: ["MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d"],
  batchnorm: ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d"],
  normalization: ["LayerNorm", "GroupNorm"],
  sparse: ["Embedding"],
  dropout: ["Dropout"],
  activation: [
    "ReLU", "ReLU6", "GELU", "SiLU", "Tanh", "Sigmoid", "Softmax", "LogSoftmax", "LeakyReLU", "ELU",
    "Softplus", "Hardtanh", "MultiheadAttention",
  ],
  flatten: ["Flatten", "Unflatten"],
  container: ["Sequential", "ModuleList", "ModuleDict"],
  loss: ["MSELoss", "CrossEntropyLoss", "NLLLoss"],
  rnn: ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"],
};

let builtinPaths: Map<Function, string> | null = null;

function builtins(): Map<Function, string> {
  if (builtinPaths) return builtinPaths;
  builtinPaths = new Map();
  const exported = nn as unknown as Record<string, unknown>;
  for (const [file, names] of Object.entries(NN_MODULE_FILES)) {
    for (const name of names) {
      const cls = exported[name];
      if (typeof cls === "function") builtinPaths.set(cls, `__torch__.torch.nn.modules.${file}.${name}`);
    }
  }
  return builtinPaths;
}

/** The unmangled qualified name of a module's class. */
export function baseQualifiedName(module: object): string {
  const ctor = (module as { constructor: Function }).constructor;
  return builtins().get(ctor) ?? `__torch__.${ctor.name || "Module"}`;
}

const taken = new Set<string>();
let mangleCounter = 0;

/** Reserves a fresh class name: the base name if free, else a mangled one. */
export function freshQualifiedName(base: string): string {
  if (!taken.has(base)) {
    taken.add(base);
    return base;
  }
  const dot = base.lastIndexOf(".");
  let name: string;
  do name = `${base.slice(0, dot)}.___torch_mangle_${mangleCounter++}${base.slice(dot)}`;
  while (taken.has(name));
  taken.add(name);
  return name;
}

/** The last component: what `original_name` shows. */
export function unqualified(name: string): string {
  return name.slice(name.lastIndexOf(".") + 1);
}
