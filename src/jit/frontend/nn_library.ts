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

const MODULES: ReadonlyArray<[string, LibraryModule]> = [
  ["Linear", {
    constants: ["in_features", "out_features"],
    source: `class Linear {
  forward(input: Tensor): Tensor {
    return F.linear(input, this.weight, this.bias);
  }
}`,
  }],
  ["Identity", { constants: [], source: `class Identity {\n  forward(input: Tensor): Tensor {\n    return input;\n  }\n}` }],
  ["ReLU", { constants: ["inplace"], source: `class ReLU {\n  forward(input: Tensor): Tensor {\n    return F.relu(input, this.inplace);\n  }\n}` }],
  ["Tanh", { constants: [], source: `class Tanh {\n  forward(input: Tensor): Tensor {\n    return torch.tanh(input);\n  }\n}` }],
  ["Sigmoid", { constants: [], source: `class Sigmoid {\n  forward(input: Tensor): Tensor {\n    return torch.sigmoid(input);\n  }\n}` }],
];

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
