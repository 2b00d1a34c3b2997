import { describe, expect, it } from "vitest";
import { torch } from "../../src/index.js";
import { catchWarnings } from "../../src/util/warnings.js";
import { MyCell_v1, MyCell_v2, MyDecisionGate } from "./seed_modules.js";

const TRACER_BOOL =
  "Converting a tensor to a Python boolean might cause the trace to be incorrect. We can't record the data flow of Python values, so this value will be treated as a constant in the future. This means that the trace might not generalize to other inputs!";

function seedInputs(): [torch.Tensor, torch.Tensor] {
  torch.manual_seed(0);
  return [torch.rand(3, 4), torch.rand(3, 4)];
}

describe("torch.jit.trace reproduces the seed article (PyTorch 1.13's outputs)", () => {
  it("1: MyCell_v1 traces to PyTorch's code, graph and outputs", () => {
    const [x, h] = seedInputs();
    const cell = new MyCell_v1();
    const [traced, warnings] = catchWarnings(() => torch.jit.trace(cell, [x, h]));
    expect(warnings).toEqual([]);
    expect(traced.code).toBe(
      "def forward(self,\n    x: Tensor,\n    h: Tensor) -> Tuple[Tensor, Tensor]:\n  linear = self.linear\n  _0 = torch.tanh(torch.add((linear).forward(x, ), h))\n  return (_0, _0)\n",
    );
    expect((traced as unknown as { linear: torch.jit.ScriptModule }).linear.code).toBe(
      "def forward(self,\n    x: Tensor) -> Tensor:\n  bias = self.bias\n  weight = self.weight\n  return torch.linear(x, weight, bias)\n",
    );
    expect(String(traced)).toBe("MyCell_v1(\n  original_name=MyCell_v1\n  (linear): Linear(original_name=Linear)\n)");
    const [a] = cell(x, h) as torch.Tensor[];
    const [b] = traced(x, h) as torch.Tensor[];
    expect(b!.tolist()).toEqual(a!.tolist());
    expect(b!.grad_fn!.name()).toBe("TanhBackward0");
  });

  it("1f: the traced graph has PyTorch's structure", () => {
    const [x, h] = seedInputs();
    const traced = torch.jit.trace(new MyCell_v1(), [x, h]);
    const text = String(traced.graph).replace(/___torch_mangle_\d+\./g, "");
    expect(text).toContain("graph(%self.1 : __torch__.MyCell_v1,\n      %x : Float(3, 4, strides=[4, 1], requires_grad=0, device=cpu),\n      %h : Float(3, 4, strides=[4, 1], requires_grad=0, device=cpu)):");
    expect(text).toContain('prim::GetAttr[name="linear"](%self.1)');
    expect(text).toContain('prim::CallMethod[name="forward"](%linear, %x)');
    expect(text).toMatch(/= aten::add\(%\d+, %h, %\d+\)/);
    expect(text).toContain("prim::TupleConstruct");
  });

  it("2: tracing the gate bakes in the branch that ran, with PyTorch's warnings", () => {
    const [x, h] = seedInputs();
    const cell = new MyCell_v2(new MyDecisionGate());
    const [traced, warnings] = catchWarnings(() => torch.jit.trace(cell, [x, h]));
    expect(warnings).toEqual([
      { category: "TracerWarning", message: TRACER_BOOL },
      { category: "TracerWarning", message: TRACER_BOOL },
    ]);
    const dg = (traced as unknown as { dg: torch.jit.ScriptModule }).dg;
    expect(dg.code).toBe("def forward(self,\n    x: Tensor) -> NoneType:\n  return None\n");
    expect(traced.code).toBe(
      "def forward(self,\n    x: Tensor,\n    h: Tensor) -> Tuple[Tensor, Tensor]:\n  linear = self.linear\n  dg = self.dg\n  _0 = (dg).forward(x, )\n  _1 = torch.tanh(torch.add((linear).forward(x, ), h))\n  return (_1, _1)\n",
    );
    // the baked-in branch: with -x, traced and eager disagree
    const [eager] = cell(x.neg(), h) as torch.Tensor[];
    const [fromTrace] = traced(x.neg(), h) as torch.Tensor[];
    expect(fromTrace!.tolist()).not.toEqual(eager!.tolist());
    const [same] = traced(x, h) as torch.Tensor[];
    expect(same!.tolist()).toEqual((cell(x, h) as torch.Tensor[])[0]!.tolist());
  });

  it("2h/2i: traced with -x, the gate's code is torch.neg", () => {
    const [x, h] = seedInputs();
    const cell = new MyCell_v2(new MyDecisionGate());
    const [traced] = catchWarnings(() => torch.jit.trace(cell, [x.neg(), h]));
    const dg = (traced as unknown as { dg: torch.jit.ScriptModule }).dg;
    expect(dg.code).toBe("def forward(self,\n    x: Tensor) -> Tensor:\n  return torch.neg(x)\n");
    expect(traced.code).toBe(
      "def forward(self,\n    x: Tensor,\n    h: Tensor) -> Tuple[Tensor, Tensor]:\n  linear = self.linear\n  dg = self.dg\n  _0 = torch.add((linear).forward((dg).forward(x, ), ), h)\n  _1 = torch.tanh(_0)\n  return (_1, _1)\n",
    );
  });

  it("traced modules share parameters with the original, and backward gives eager's gradients", () => {
    const [x, h] = seedInputs();
    const cell = new MyCell_v1();
    const traced = torch.jit.trace(cell, [x, h]);
    expect(traced.parameters()).toEqual(cell.parameters());
    expect([...traced.state_dict().keys()]).toEqual(["linear.weight", "linear.bias"]);
    (traced(x, h) as torch.Tensor[])[0]!.sum().backward();
    const gTraced = cell.linear.weight.grad!.tolist();
    cell.zero_grad(true);
    (cell(x, h) as torch.Tensor[])[0]!.sum().backward();
    expect(cell.linear.weight.grad!.tolist()).toEqual(gTraced);
  });

  it("traces free functions into ScriptFunctions", () => {
    const fn = (a: torch.Tensor, b: torch.Tensor) => torch.relu(a.mul(b).add(1));
    const [x, h] = seedInputs();
    const traced = torch.jit.trace(fn, [x, h]);
    // PyTorch 1.13's tracer records the 1 as a tensor constant (checked with torch.jit.trace)
    expect(traced.code).toBe("def fn(a: Tensor,\n    b: Tensor) -> Tensor:\n  _0 = torch.add(torch.mul(a, b), CONSTANTS.c0)\n  return torch.relu(_0)\n");
    expect((traced(x, h) as torch.Tensor).tolist()).toEqual(fn(x, h).tolist());
  });

  it("gives a message naming the schema for a wrong call", () => {
    const [x, h] = seedInputs();
    const traced = torch.jit.trace(new MyCell_v1(), [x, h]);
    expect(() => traced(x)).toThrow(
      "forward() is missing value for argument 'h'. Declaration: forward(Tensor x, Tensor h) -> (Tensor, Tensor)",
    );
    expect(() => traced(x, 3)).toThrow("Expected a value of type 'Tensor' for argument 'h' but instead found type 'int'.");
  });

  it("trace_module traces several methods, each with its own inputs", () => {
    class EncDec extends torch.nn.Module {
      enc = new torch.nn.Linear(4, 3);
      dec = new torch.nn.Linear(3, 4);
      override forward(x: torch.Tensor) {
        return this.dec(torch.relu(this.enc(x)));
      }
      encode(x: torch.Tensor) {
        return torch.sigmoid(this.enc(x));
      }
    }
    const m = new EncDec();
    const [x] = seedInputs();
    const traced = torch.jit.trace_module(m, { forward: [x], encode: [x] });
    expect(traced.code).toContain("(dec).forward");
    const encode = (traced as unknown as { encode: (t: torch.Tensor) => torch.Tensor }).encode;
    expect(encode(x).tolist()).toEqual(m.encode(x).tolist());
  });
});
