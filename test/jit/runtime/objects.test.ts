/**
 * Graphs that use objects: prim::GetAttr / SetAttr on a hand-made ScriptObject holding
 * parameters and a submodule, prim::CallMethod into the submodule's method graph, and
 * autograd through it all: outputs, grad_fn names and gradients equal the eager computation.
 */
import { describe, expect, it } from "vitest";
import { torch, Tensor } from "../../../src/index.js";
import { runGraph } from "../../../src/jit/runtime/index.js";
import { TestObject } from "./support.js";

const LINEAR_FORWARD = `graph(%self : __torch__.Linear, %x : Tensor):
  %bias : Tensor = prim::GetAttr[name="bias"](%self)
  %weight : Tensor = prim::GetAttr[name="weight"](%self)
  %y : Tensor = aten::linear(%x, %weight, %bias)
  return (%y)`;

const CELL_FORWARD = `graph(%self : __torch__.Cell, %x : Tensor, %h : Tensor):
  %lin : __torch__.Linear = prim::GetAttr[name="linear"](%self)
  %scale : Tensor = prim::GetAttr[name="scale"](%self)
  %y : Tensor = prim::CallMethod[name="forward"](%lin, %x)
  %one : int = prim::Constant[value=1]()
  %s : Tensor = aten::add(%y, %h, %one)
  %t : Tensor = aten::tanh(%s)
  %u : Tensor = aten::mul(%t, %scale)
  %r : (Tensor, Tensor) = prim::TupleConstruct(%u, %t)
  return (%r)`;

function param(data: number[], shape: number[]): Tensor {
  return torch.tensor(data, { dtype: torch.float32, requires_grad: true }).reshape(shape).detach().requires_grad_();
}

function makeCell() {
  const weight = param([0.1, -0.2, 0.3, 0.4, -0.5, 0.6], [2, 3]);
  const bias = param([0.05, -0.05], [2]);
  const scale = param([1.5, -2], [2]);
  const linear = new TestObject("__torch__.Linear", { weight, bias }, { forward: LINEAR_FORWARD });
  const cell = new TestObject("__torch__.Cell", { linear, scale, training: true }, { forward: CELL_FORWARD });
  return { weight, bias, scale, cell };
}

function grads(ts: Tensor[]): number[][] {
  return ts.map((t) => Array.from(t.grad!.contiguousData()));
}

describe("objects", () => {
  it("reads parameters with GetAttr and calls the submodule's method; outputs and grad_fn names equal eager", () => {
    const { weight, bias, scale, cell } = makeCell();
    const x = torch.tensor([[1, 2, 3], [-1, 0.5, 2]], { dtype: torch.float32 });
    const h = torch.tensor([[0.1, 0.2], [0.3, -0.4]], { dtype: torch.float32 });
    const [u, t] = runGraph(runGraphOf(cell), [cell, x, h])[0] as [Tensor, Tensor];

    const et = torch.tanh(torch.add(torch.nn.functional.linear(x, weight, bias), h));
    const eu = torch.mul(et, scale);
    expect(Array.from(u.contiguousData())).toEqual(Array.from(eu.contiguousData()));
    expect(u.grad_fn?.name()).toBe(eu.grad_fn?.name());
    expect(t.grad_fn?.name()).toBe(et.grad_fn?.name());
    expect(t.grad_fn?.name()).toBe("TanhBackward0");
  });

  it("backward through the interpreted graph gives eager's gradients", () => {
    const jit = makeCell();
    const x = torch.tensor([[1, 2, 3], [-1, 0.5, 2]], { dtype: torch.float32, requires_grad: true });
    const h = torch.tensor([[0.1, 0.2], [0.3, -0.4]], { dtype: torch.float32 });
    const [u] = runGraph(runGraphOf(jit.cell), [jit.cell, x, h])[0] as [Tensor];
    torch.sum(u).backward();
    const jitGrads = grads([jit.weight, jit.bias, jit.scale, x]);

    const eager = makeCell();
    const x2 = torch.tensor([[1, 2, 3], [-1, 0.5, 2]], { dtype: torch.float32, requires_grad: true });
    const eu = torch.mul(torch.tanh(torch.add(torch.nn.functional.linear(x2, eager.weight, eager.bias), h)), eager.scale);
    torch.sum(eu).backward();
    expect(jitGrads).toEqual(grads([eager.weight, eager.bias, eager.scale, x2]));
  });

  it("backward through control flow (a loop and a branch) gives eager's gradients", () => {
    const text = `graph(%self : __torch__.M, %x : Tensor, %n : int):
  %w : Tensor = prim::GetAttr[name="w"](%self)
  %true : bool = prim::Constant[value=1]()
  %two : int = prim::Constant[value=2]()
  %zero : int = prim::Constant[value=0]()
  %y : Tensor = prim::Loop(%n, %true, %x)
    block0(%i : int, %acc : Tensor):
      %m : int = aten::remainder(%i, %two)
      %even : bool = aten::eq(%m, %zero)
      %next : Tensor = prim::If(%even)
        block0():
          %a : Tensor = aten::mul(%acc, %w)
          -> (%a)
        block1():
          %b : Tensor = aten::sin(%acc)
          -> (%b)
      -> (%true, %next)
  return (%y)`;
    const w = param([0.5, 2], [2]);
    const self = new TestObject("__torch__.M", { w }, { forward: text });
    const x = torch.tensor([1, -1], { dtype: torch.float32 });
    const y = runGraph(self.getMethod("forward")!.graph, [self, x, 5])[0] as Tensor;
    torch.sum(y).backward();

    const w2 = param([0.5, 2], [2]);
    let e = x;
    for (let i = 0; i < 5; i++) e = i % 2 === 0 ? torch.mul(e, w2) : torch.sin(e);
    torch.sum(e).backward();
    expect(Array.from(y.contiguousData())).toEqual(Array.from(e.contiguousData()));
    expect(y.grad_fn?.name()).toBe(e.grad_fn?.name());
    expect(grads([w])).toEqual(grads([w2]));
  });

  it("SetAttr writes attributes that later calls see", () => {
    const counter = new TestObject("__torch__.Counter", { count: 0, last: null }, {
      forward: `graph(%self : __torch__.Counter, %x : Tensor):
  %c : int = prim::GetAttr[name="count"](%self)
  %one : int = prim::Constant[value=1]()
  %c2 : int = aten::add(%c, %one)
   = prim::SetAttr[name="count"](%self, %c2)
   = prim::SetAttr[name="last"](%self, %x)
  return (%c2)`,
    });
    const g = counter.getMethod("forward")!.graph;
    const x = torch.ones([1]);
    expect(runGraph(g, [counter, x])).toEqual([1]);
    expect(runGraph(g, [counter, x])).toEqual([2]);
    expect(counter.getAttr("last")).toBe(x);
  });

  it("a missing attribute is named", () => {
    const self = new TestObject("__torch__.Empty", {}, {
      forward: `graph(%self : __torch__.Empty):
  %w : Tensor = prim::GetAttr[name="w"](%self)
  return (%w)`,
    });
    expect(() => runGraph(runGraphOf(self), [self])).toThrow("RuntimeError: Module '__torch__.Empty' has no attribute 'w'");
  });

  it("an object that runs its own methods (callMethod) is called that way", () => {
    const calls: unknown[][] = [];
    const sub = Object.assign(new TestObject("__torch__.Hooked"), {
      callMethod(name: string, args: readonly unknown[]): unknown {
        calls.push([name, ...args]);
        return 7;
      },
    });
    const self = new TestObject("__torch__.Top", { sub }, {
      forward: `graph(%self : __torch__.Top, %a : int):
  %s : __torch__.Hooked = prim::GetAttr[name="sub"](%self)
  %r : int = prim::CallMethod[name="encode"](%s, %a)
  return (%r)`,
    });
    const out = runGraph(runGraphOf(self), [self, 3]);
    expect(out).toEqual([7]);
    expect(calls).toEqual([["encode", 3]]);
  });
});

function runGraphOf(o: TestObject) {
  return o.getMethod("forward")!.graph;
}
