/**
 * Module-level constructs (keyword arguments to methods, other methods, declared and inferred
 * attributes), torch.jit.isinstance and dicts, checked against PyTorch 1.13's `.code` for the
 * same Python when PyTorch is installed, and against eager results.
 */
import { describe, expect, it } from "vitest";
import { torch } from "../../../src/index.js";
import { script } from "../../../src/jit/script.js";
import { printMethod } from "../../../src/jit/printer/index.js";
import { argumentSpecs } from "../../../src/jit/frontend/signature.js";
import { hasTorch, runTorch } from "../../support/pytorch.js";
import { defineCell } from "./support.js";

type Tensor = torch.Tensor;

const cell = defineCell(`
class Scaler extends nn.Module {
  k: int = 3;
  w = 0.5;
  helper(x: Tensor, scale: float = 1.0, shift: int = 0): Tensor {
    return x.mul(scale).add(shift);
  }
  forward(x: Tensor): Tensor {
    return this.helper(x, {shift: this.k}).mul(this.w);
  }
}
function isi(x: Tensor | null): Tensor {
  if (torch.jit.isinstance(x, "Tensor")) {
    return x;
  }
  return torch.zeros([1]);
}
function dicts(d: Record<string, Tensor>): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(d)) {
    out[k + "_x2"] = v.mul(2);
  }
  out["n"] = torch.ones([1]);
  return out;
}
`, { file: "<cell 12>", scope: { torch: { ...torch, jit: { ...torch.jit, script } } } });

const pytorch: Record<string, string> = hasTorch
  ? runTorch(`
import importlib.util, os, tempfile
src = """
from typing import Dict, Optional
import torch
from torch import Tensor
class Scaler(torch.nn.Module):
    k: int
    def __init__(self):
        super().__init__()
        self.k = 3
        self.w = 0.5
    def helper(self, x: Tensor, scale: float = 1.0, shift: int = 0) -> Tensor:
        return x * scale + shift
    def forward(self, x: Tensor) -> Tensor:
        return self.helper(x, shift=self.k) * self.w
def isi(x: Optional[Tensor]) -> Tensor:
    if torch.jit.isinstance(x, Tensor):
        return x
    return torch.zeros([1])
def dicts(d: Dict[str, Tensor]) -> Dict[str, Tensor]:
    out: Dict[str, Tensor] = {}
    for k, v in d.items():
        out[k + "_x2"] = v * 2
    out["n"] = torch.ones([1])
    return out
"""
path = os.path.join(tempfile.mkdtemp(), "tsjit_language_modules.py")
open(path, "w").write(src)
spec = importlib.util.spec_from_file_location("tsjit_language_modules", path)
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
s = torch.jit.script(mod.Scaler())
print(json.dumps({"forward": s.code, "helper": s.helper.code, "isi": torch.jit.script(mod.isi).code, "dicts": torch.jit.script(mod.dicts).code}))
`)
  : {};

describe("module methods and attributes", () => {
  const m = new cell.Scaler();
  const s = script(m);
  const methodCode = (name: string) => printMethod(s.getMethod(name)!.graph, { name, args: argumentSpecs(s.getMethod(name)!.graph, true) });

  it("keyword arguments to a method fill its parameters by name; the rest take their defaults", () => {
    if (hasTorch) expect(methodCode("forward")).toBe(pytorch["forward"]);
    expect(methodCode("forward")).toContain("(self).helper(x, 1., k, )");
  });

  it("other methods compile recursively, with their defaults in the signature", () => {
    if (hasTorch) expect(methodCode("helper")).toBe(pytorch["helper"]);
  });

  it("a declared int attribute and an inferred float attribute", () => {
    // (eager JS has no keyword arguments for user methods, so the expected values are written out)
    const x = torch.tensor([1.0, 2.0]);
    expect((s as unknown as (x: Tensor) => Tensor)(x).tolist()).toEqual([(1 + 3) * 0.5, (2 + 3) * 0.5]);
    expect(methodCode("forward")).toContain("w = self.w");
  });

  it("an unknown keyword argument is a ScriptError naming it", () => {
    const { Bad } = defineCell(`
class Bad extends nn.Module {
  helper(x: Tensor, scale: float = 1.0): Tensor {
    return x.mul(scale);
  }
  forward(x: Tensor): Tensor {
    return this.helper(x, {bias: 2.0});
  }
}`, { file: "<cell 13>" });
    expect(() => script(new Bad())).toThrow(/Bad\.helper\(\) got an unexpected keyword argument 'bias'[^]*line 7, column 12/);
  });
});

describe("torch.jit.isinstance and dicts", () => {
  it("torch.jit.isinstance refines an Optional to its element in the then-branch", () => {
    const f = script(cell.isi);
    const code = printMethod(f.graph, { name: "isi", isFunction: true });
    if (hasTorch) expect(code).toBe(pytorch["isi"]);
    expect(((f as unknown as (x: Tensor | null) => Tensor)(torch.ones(2))).tolist()).toEqual([1, 1]);
    expect(((f as unknown as (x: Tensor | null) => Tensor)(null)).tolist()).toEqual([0]);
  });

  it("on a type that decides it, torch.jit.isinstance is static: only the branch taken is compiled", () => {
    const { g } = defineCell(`function g(x: Tensor): Tensor {
  if (torch.jit.isinstance(x, "List[int]")) {
    return x.nothing_like_this();
  }
  return x;
}`, { scope: { torch: { ...torch, jit: { ...torch.jit, script } } } });
    expect(script(g).code).toBe("def g(x: Tensor) -> Tensor:\n  return x\n");
  });

  it("Record literals, Object.entries, subscript assignment (value first)", () => {
    const f = script(cell.dicts);
    const code = printMethod(f.graph, { name: "dicts", isFunction: true });
    if (hasTorch) expect(code).toBe(pytorch["dicts"]);
    const out = (f as unknown as (d: Map<string, Tensor>) => Map<string, Tensor>)(new Map([["a", torch.ones(1)]]));
    expect([...out.keys()]).toEqual(["a_x2", "n"]);
    expect(out.get("a_x2")!.tolist()).toEqual([2]);
  });
});
