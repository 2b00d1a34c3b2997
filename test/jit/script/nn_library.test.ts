/**
 * torch.nn layers scripted from their library sources (src/jit/frontend/nn_library.ts): each
 * prints the `.code` PyTorch 1.13 prints for the same layer (methods forward calls included)
 * and computes what the eager layer computes.
 */
import { describe, expect, it } from "vitest";
import { torch } from "../../../src/index.js";
import { script } from "../../../src/jit/script.js";
import type { ScriptModule } from "../../../src/jit/script_module.js";
import { printMethod } from "../../../src/jit/printer/index.js";
import { hasTorch, runTorch } from "../../support/pytorch.js";

const nn = torch.nn;
const unmangle = (s: string) => s.replace(/___torch_mangle_\d+\./g, "");

interface Case {
  readonly name: string;
  /** The layer in Python, for PyTorch's `.code`. */
  readonly python: string;
  readonly make: () => torch.nn.Module;
  readonly input: () => torch.Tensor;
  /** Methods besides forward whose code is compared. */
  readonly methods?: readonly string[];
}

const CASES: readonly Case[] = [
  { name: "Conv1d", python: "nn.Conv1d(2, 3, 3)", make: () => new nn.Conv1d(2, 3, 3), input: () => torch.randn(2, 2, 7), methods: ["_conv_forward"] },
  { name: "Conv2d", python: "nn.Conv2d(2, 3, 3, bias=False)", make: () => new nn.Conv2d(2, 3, 3, { bias: false }), input: () => torch.randn(1, 2, 6, 6), methods: ["_conv_forward"] },
  { name: "Conv2d strided", python: "nn.Conv2d(2, 3, 3, padding=1, stride=2)", make: () => new nn.Conv2d(2, 3, 3, { padding: 1, stride: 2 }), input: () => torch.randn(1, 2, 6, 6), methods: ["_conv_forward"] },
  { name: "Conv2d same", python: "nn.Conv2d(2, 3, 3, padding='same')", make: () => new nn.Conv2d(2, 3, 3, { padding: "same" }), input: () => torch.randn(1, 2, 5, 5), methods: ["_conv_forward"] },
  { name: "BatchNorm1d", python: "nn.BatchNorm1d(3)", make: () => new nn.BatchNorm1d(3), input: () => torch.randn(4, 3), methods: ["_check_input_dim"] },
  { name: "BatchNorm2d eval", python: "nn.BatchNorm2d(3).eval()", make: () => new nn.BatchNorm2d(3).eval(), input: () => torch.randn(2, 3, 2, 2), methods: ["_check_input_dim"] },
  { name: "MaxPool2d", python: "nn.MaxPool2d(2)", make: () => new nn.MaxPool2d(2), input: () => torch.randn(1, 2, 4, 4) },
  { name: "MaxPool2d ceil", python: "nn.MaxPool2d(3, 1, 1, ceil_mode=True)", make: () => new nn.MaxPool2d(3, { stride: 1, padding: 1, ceil_mode: true }), input: () => torch.randn(1, 2, 5, 5) },
  { name: "AvgPool2d", python: "nn.AvgPool2d(2)", make: () => new nn.AvgPool2d(2), input: () => torch.randn(1, 2, 4, 4) },
  { name: "Dropout eval", python: "nn.Dropout(0.3).eval()", make: () => new nn.Dropout(0.3).eval(), input: () => torch.randn(3, 4) },
  { name: "Sequential", python: "nn.Sequential(nn.Linear(2, 2), nn.ReLU())", make: () => new nn.Sequential(new nn.Linear(2, 2), new nn.ReLU()), input: () => torch.randn(3, 2) },
  { name: "Flatten", python: "nn.Flatten()", make: () => new nn.Flatten(), input: () => torch.randn(2, 3, 4) },
  { name: "GELU", python: "nn.GELU()", make: () => new nn.GELU(), input: () => torch.randn(5) },
  { name: "LayerNorm", python: "nn.LayerNorm(4)", make: () => new nn.LayerNorm(4), input: () => torch.randn(3, 4) },
  { name: "Embedding", python: "nn.Embedding(10, 3)", make: () => new nn.Embedding(10, 3), input: () => torch.tensor([[1, 2], [9, 0]]) },
  { name: "Embedding padding_idx", python: "nn.Embedding(10, 3, padding_idx=0)", make: () => new nn.Embedding(10, 3, { padding_idx: 0 }), input: () => torch.tensor([0, 4]) },
];

const pytorchCode: Record<string, Record<string, string>> = hasTorch
  ? runTorch(`
import torch.nn as nn
out = {}
for name, m, methods in [${CASES.map((c) => `(${JSON.stringify(c.name)}, ${c.python}, ${JSON.stringify(["forward", ...(c.methods ?? [])])})`).join(", ")}]:
    s = torch.jit.script(m)
    out[name] = {k: getattr(s, k).code for k in methods}
print(json.dumps(out))
`)
  : {};

describe("library layers print PyTorch's code and compute eager's results", () => {
  for (const c of CASES) {
    it(c.name, () => {
      torch.manual_seed(0);
      const m = c.make();
      const s: ScriptModule = script(m);
      for (const method of ["forward", ...(c.methods ?? [])]) {
        const g = s.getMethod(method)?.graph;
        const code = g && printMethod(g, { name: method });
        expect(code, `${c.name}.${method} compiled`).toBeDefined();
        if (hasTorch) expect(unmangle(code!), `${c.name}.${method}`).toBe(unmangle(pytorchCode[c.name]![method]!));
      }
      const x = c.input();
      const out = (s as unknown as (x: torch.Tensor) => torch.Tensor)(x);
      const eager = (m as unknown as (x: torch.Tensor) => torch.Tensor)(x);
      expect(torch.allclose(out, eager, { rtol: 1e-5, atol: 1e-6 })).toBe(true);
    });
  }

  it("BatchNorm2d in training mode updates the running statistics as eager does", () => {
    const eager = new nn.BatchNorm2d(2);
    const twin = new nn.BatchNorm2d(2);
    const s = script(twin);
    const x = torch.randn(3, 2, 2, 2);
    const a = eager(x) as torch.Tensor;
    const b = (s as unknown as (x: torch.Tensor) => torch.Tensor)(x);
    expect(torch.allclose(a, b, { rtol: 1e-5, atol: 1e-6 })).toBe(true);
    expect(torch.allclose(eager.running_mean!, twin.running_mean!)).toBe(true);
    expect(Number(twin.num_batches_tracked!.item())).toBe(1);
  });
});
