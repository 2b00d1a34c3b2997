/**
 * Note [library sources]: PyTorch scripts torch.nn's layers from their Python source. Our
 * layers' own `forward` is ordinary eager TypeScript (option objects, JS helpers) and its
 * emitted JavaScript is not even stable under a bundler, so the script compiler does not read
 * it. Instead each scriptable layer has its TorchScript-subset source here, written to compile
 * to the code PyTorch's Python source compiles to (`torch.linear(input, weight, bias)` for
 * Linear, a call to `__torch__.torch.nn.functional.relu` for ReLU), with the attributes that
 * are `__constants__` in PyTorch (inlined where read, `Final` in the archive). Functions of
 * torch.nn.functional that are Python functions in PyTorch (not builtins) are here too and
 * compile to free functions under `__torch__.torch.nn.functional`.
 */
import * as nn from "../../nn/index.js";
import { parseText, type SourceText } from "./source.js";

interface LibraryModule {
  readonly constants: readonly string[];
  readonly source: string;
}

const CONV_CONSTANTS = ["stride", "padding", "dilation", "groups", "padding_mode", "output_padding", "in_channels", "out_channels", "kernel_size"];

/** Conv1d / Conv2d: forward calls `_conv_forward` as PyTorch's does; other padding modes are not scriptable here yet. */
const conv = (name: string, op: string): string => `class ${name} {
  bias: Tensor | null;
  _conv_forward(input: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
    if (this.padding_mode !== "zeros") {
      throw new NotImplementedError("padding_mode other than 'zeros' is not scriptable in tsjit yet");
    }
    return torch.${op}(input, weight, bias, this.stride, this.padding, this.dilation, this.groups);
  }
  forward(input: Tensor): Tensor {
    return this._conv_forward(input, this.weight, this.bias);
  }
}`;

/**
 * _BatchNorm.forward: PyTorch's source with its compile-time facts spelled as the graph shows
 * them: `track_running_stats` and `momentum` are constants, `num_batches_tracked is not None`
 * is static for a Tensor (only the taken branch is compiled), and `not training or
 * track_running_stats` with a true constant keeps the buffers.
 */
const batchNorm = (name: string, check: string): string => `class ${name} {
  weight: Tensor | null;
  bias: Tensor | null;
  running_mean: Tensor | null;
  running_var: Tensor | null;
  num_batches_tracked: Tensor | null;
  momentum: float | null;
  eps: float;
  _check_input_dim(input: Tensor): void {
    ${check}
  }
  forward(input: Tensor): Tensor {
    this._check_input_dim(input);
    let exponential_average_factor: float = 0.0;
    if (this.momentum !== null) {
      exponential_average_factor = this.momentum;
    }
    if (this.training) {
      if (this.track_running_stats) {
        if (this.num_batches_tracked !== null) {
          this.num_batches_tracked.add_(1);
          if (this.momentum === null) {
            exponential_average_factor = 1.0 / Number(this.num_batches_tracked);
          }
        }
      }
    }
    let bn_training: boolean;
    if (this.training) {
      bn_training = true;
    } else {
      bn_training = this.running_mean === null && this.running_var === null;
    }
    return F.batch_norm(input, !this.training || this.track_running_stats ? this.running_mean : null,
      !this.training || this.track_running_stats ? this.running_var : null,
      this.weight, this.bias, bn_training, exponential_average_factor, this.eps);
  }
}`;

const simple = (name: string, body: string, fields = ""): string =>
  `class ${name} {\n${fields}  forward(input: Tensor): Tensor {\n    ${body}\n  }\n}`;

/**
 * Sequential and ModuleList iterate over their children: TorchScript unrolls `for module in
 * self` into one call per child (emit_function.ts, Note [unrolled module loops]).
 */
const MODULES: ReadonlyArray<[string, LibraryModule]> = [
  ["Linear", {
    constants: ["in_features", "out_features"],
    source: simple("Linear", "return F.linear(input, this.weight, this.bias);"),
  }],
  ["Identity", { constants: [], source: simple("Identity", "return input;") }],
  ["ReLU", { constants: ["inplace"], source: simple("ReLU", "return F.relu(input, this.inplace);") }],
  ["Tanh", { constants: [], source: simple("Tanh", "return torch.tanh(input);") }],
  ["Sigmoid", { constants: [], source: simple("Sigmoid", "return torch.sigmoid(input);") }],
  ["GELU", { constants: ["approximate"], source: simple("GELU", "return F.gelu(input, {approximate: this.approximate});") }],
  ["Flatten", { constants: ["start_dim", "end_dim"], source: simple("Flatten", "return input.flatten(this.start_dim, this.end_dim);") }],
  ["Dropout", { constants: ["p", "inplace"], source: simple("Dropout", "return F.dropout(input, this.p, this.training, this.inplace);", "  p: float;\n") }],
  ["Conv1d", { constants: CONV_CONSTANTS, source: conv("Conv1d", "conv1d") }],
  ["Conv2d", { constants: CONV_CONSTANTS, source: conv("Conv2d", "conv2d") }],
  ["BatchNorm1d", {
    constants: ["track_running_stats", "momentum", "eps", "num_features", "affine"],
    source: batchNorm("BatchNorm1d", `if (input.dim() !== 2 && input.dim() !== 3) {
      throw new ValueError(\`expected 2D or 3D input (got \${input.dim()}D input)\`);
    }`),
  }],
  ["BatchNorm2d", {
    constants: ["track_running_stats", "momentum", "eps", "num_features", "affine"],
    source: batchNorm("BatchNorm2d", `if (input.dim() !== 4) {
      throw new ValueError(\`expected 4D input (got \${input.dim()}D input)\`);
    }`),
  }],
  ["MaxPool2d", {
    constants: ["kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode"],
    source: simple("MaxPool2d", `if (this.return_indices) {
      throw new NotImplementedError("MaxPool2d(return_indices=True) is not scriptable in tsjit yet");
    }
    return F._max_pool2d(input, this.kernel_size, this.stride, this.padding, this.dilation, this.ceil_mode, this.return_indices);`),
  }],
  ["AvgPool2d", {
    constants: ["kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"],
    source: simple("AvgPool2d", "return F.avg_pool2d(input, this.kernel_size, this.stride, this.padding, this.ceil_mode, this.count_include_pad, this.divisor_override);",
      "  divisor_override: int | null;\n"),
  }],
  ["LayerNorm", {
    constants: ["normalized_shape", "eps", "elementwise_affine"],
    source: simple("LayerNorm", "return F.layer_norm(input, this.normalized_shape, this.weight, this.bias, this.eps);",
      "  normalized_shape: int[];\n  eps: float;\n  weight: Tensor | null;\n  bias: Tensor | null;\n"),
  }],
  ["Embedding", {
    constants: ["num_embeddings", "embedding_dim", "padding_idx", "max_norm", "norm_type", "scale_grad_by_freq", "sparse"],
    source: simple("Embedding", "return F.embedding(input, this.weight, this.padding_idx, this.max_norm, this.norm_type, this.scale_grad_by_freq, this.sparse);",
      "  padding_idx: int | null;\n  max_norm: float | null;\n  norm_type: float;\n"),
  }],
  ["Sequential", {
    constants: [],
    source: simple("Sequential", "for (const module of this) {\n      input = module(input);\n    }\n    return input;"),
  }],
];

/**
 * torch.nn.functional's Python functions, as TorchScript compiles them (free functions under
 * `__torch__.torch.nn.functional`). `BroadcastingList2<int>` parameters accept one int for
 * every element, as PyTorch's BroadcastingList2[int].
 */
const FUNCTIONS: Readonly<Record<string, string>> = {
  relu: `function relu(input: Tensor, inplace: boolean = false): Tensor {
  let result: Tensor;
  if (inplace) {
    result = torch.relu_(input);
  } else {
    result = torch.relu(input);
  }
  return result;
}`,
  _verify_batch_size: `function _verify_batch_size(size: int[]): void {
  let size_prods = size[0];
  for (let i = 0; i < size.length - 2; i++) {
    size_prods *= size[i + 2];
  }
  if (size_prods === 1) {
    throw new ValueError(\`Expected more than 1 value per channel when training, got input size \${size}\`);
  }
}`,
  batch_norm: `function batch_norm(input: Tensor, running_mean: Tensor | null, running_var: Tensor | null, weight: Tensor | null = null,
    bias: Tensor | null = null, training: boolean = false, momentum: float = 0.1, eps: float = 1e-5): Tensor {
  if (training) {
    F._verify_batch_size(input.size());
  }
  return torch.batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, true);
}`,
  _max_pool2d: `function _max_pool2d(input: Tensor, kernel_size: BroadcastingList2<int>, stride: BroadcastingList2<int> | null = null,
    padding: BroadcastingList2<int> = 0, dilation: BroadcastingList2<int> = 1, ceil_mode: boolean = false, return_indices: boolean = false): Tensor {
  let s: int[] = [];
  if (stride !== null) {
    s = stride;
  }
  return torch.max_pool2d(input, kernel_size, s, padding, dilation, ceil_mode);
}`,
  dropout: `function dropout(input: Tensor, p: float = 0.5, training: boolean = true, inplace: boolean = false): Tensor {
  if (p < 0.0 || p > 1.0) {
    throw new ValueError(\`dropout probability has to be between 0 and 1, but got \${p}\`);
  }
  return inplace ? torch.dropout_(input, p, training) : torch.dropout(input, p, training);
}`,
  layer_norm: `function layer_norm(input: Tensor, normalized_shape: int[], weight: Tensor | null = null, bias: Tensor | null = null,
    eps: float = 1e-5): Tensor {
  return torch.layer_norm(input, normalized_shape, weight, bias, eps, true);
}`,
  embedding: `function embedding(input: Tensor, weight: Tensor, padding_idx: int | null = null, max_norm: float | null = null,
    norm_type: float = 2.0, scale_grad_by_freq: boolean = false, sparse: boolean = false): Tensor {
  let pad: int = -1;
  if (padding_idx !== null) {
    if (padding_idx < 0) {
      pad = weight.size(0) + padding_idx;
    } else {
      pad = padding_idx;
    }
  }
  if (max_norm !== null) {
    throw new NotImplementedError("embedding(max_norm=...) is not scriptable in tsjit yet");
  }
  return torch.embedding(weight, input, pad, scale_grad_by_freq, sparse);
}`,
};

let modules: Map<Function, { constants: readonly string[]; src: SourceText }> | null = null;

/** The scriptable source of a torch.nn layer class, or null when it is not a library layer. */
export function libraryModule(cls: Function): { constants: readonly string[]; src: SourceText } | null {
  if (!modules) {
    modules = new Map();
    const exported = nn as unknown as Record<string, Function>;
    for (const [name, lib] of MODULES) {
      const c = exported[name];
      if (c) modules.set(c, { constants: lib.constants, src: parseText(`<torch.nn.${name}>`, lib.source) });
    }
  }
  return modules.get(cls) ?? null;
}

const functions = new Map<string, { fn: Function; qualifiedName: string; src: SourceText }>();

/** A torch.nn.functional function compiled from source (PyTorch's Python functions), or null. */
export function libraryFunction(name: string): { fn: Function; qualifiedName: string; src: SourceText } | null {
  const text = FUNCTIONS[name];
  if (text === undefined) return null;
  let f = functions.get(name);
  if (!f) {
    // a stand-in object: the compiler keys compiled functions by function object
    const fn = { [name]: () => undefined }[name]!;
    f = { fn, qualifiedName: `__torch__.torch.nn.functional.${name}`, src: parseText(`<torch.nn.functional.${name}>`, text) };
    functions.set(name, f);
  }
  return f;
}

/** The source of a library stand-in function, for the compiler. */
export function librarySourceOf(fn: Function): SourceText | null {
  for (const f of functions.values()) if (f.fn === fn) return f.src;
  return null;
}
