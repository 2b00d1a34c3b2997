// The generated eager entry points (src/tensor/dispatch_codegen.ts) must do exactly what binding
// and runOverload do: these tests call ops through the fast paths and the slow path and compare.
import { describe, expect, it } from "vitest";
import { defineOp, dispatchState, invokerOf, runOverload } from "../../src/tensor/registry.js";
import { torch, Tensor } from "../../src/index.js";

type AnyFn = (...a: unknown[]) => unknown;

describe("generated op dispatchers", () => {
  const seen: unknown[][] = [];
  // one simple overload with a positional default, an optional argument and a keyword-only default
  const probe = defineOp<AnyFn>("dispatch_probe", [{
    schema: "test::dispatch_probe(Tensor self, int k=3, Tensor? other=None, *, float scale=2.5) -> Tensor",
    forward: (self: Tensor, k: number, other: Tensor | null, scale: number) => {
      seen.push([k, other, scale]);
      return self.mul(scale);
    },
  }]);
  // two quick overloads: the Tensor one first, then the Scalar one; and a fixed-length int list
  const pick = defineOp<AnyFn>("dispatch_pick", [
    { schema: "test::dispatch_pick.Tensor(Tensor self, Tensor other) -> Tensor", forward: () => "tensor" },
    { schema: "test::dispatch_pick.Scalar(Tensor self, Scalar other) -> Tensor", forward: () => "scalar" },
    { schema: "test::dispatch_pick.pair(Tensor self, int[2] size) -> Tensor", forward: (_: Tensor, size: number[]) => size },
  ]);

  it("fills defaults for missing and explicitly undefined arguments, as binding does", () => {
    const x = torch.ones(2);
    seen.length = 0;
    probe(x);
    probe(x, 5);
    probe(x, undefined, x);
    probe(x, 1, null, { scale: 4 });
    expect(seen).toEqual([[3, null, 2.5], [5, null, 2.5], [3, x, 2.5], [1, null, 4]]);
  });

  it("sends keyword arguments and wrong kinds to full binding, with PyTorch's message", () => {
    const x = torch.ones(2);
    expect((probe(x, { k: 7 }) as Tensor).tolist()).toEqual([2.5, 2.5]);
    expect(seen.at(-1)).toEqual([7, null, 2.5]);
    expect(() => probe("x")).toThrow(/dispatch_probe\(\) received an invalid combination of arguments - got \(str\)/);
  });

  it("picks the first overload whose kinds match exactly, and broadcasts an int to int[2]", () => {
    const x = torch.ones(2);
    expect(pick(x, x)).toBe("tensor");
    expect(pick(x, 1.5)).toBe("scalar");
    expect(pick(x, true)).toBe("scalar");
    expect(pick(x, [3, 4])).toEqual([3, 4]);
    // 7 is a Scalar before it is an int[2]: overload order decides, as strict binding does
    expect(pick(x, 7)).toBe("scalar");
  });

  it("gives every Tensor method and op function its own name", () => {
    expect(torch.add.name).toBe("add");
    expect(Tensor.prototype.add.name).toBe("add");
    expect(Tensor.prototype.tanh.name).toBe("tanh");
  });

  it("records autograd and notifies the observer exactly as runOverload does", () => {
    const w = torch.ones(3, { requires_grad: true });
    const viaMethod = w.mul(2).add(1).tanh();
    const viaInvoker = invokerOf(torch.tanh.overloads[0]!)([invokerOf(torch.add.overloads[0]!)([w.mul(2), 1, 1])]) as Tensor;
    const viaGeneric = runOverload(torch.tanh.overloads[0]!, [w.mul(2).add(1)]) as Tensor;
    for (const y of [viaMethod, viaInvoker, viaGeneric]) expect(String(y.grad_fn)).toBe("<TanhBackward0 object>");
    viaMethod.sum().backward();
    const g = w.grad!.tolist();
    w.grad = null;
    viaInvoker.sum().backward();
    expect(w.grad!.tolist()).toEqual(g);

    const ops: string[] = [];
    const [a, b] = [torch.ones(2), torch.ones(2)];
    dispatchState.observer = { record: (op) => void ops.push(op.schema.name) };
    try {
      a.add(1).tanh();
      invokerOf(torch.neg.overloads[0]!)([b]);
    } finally {
      dispatchState.observer = null;
    }
    expect(ops).toEqual(["aten::add", "aten::tanh", "aten::neg"]);
  });

  it("bumps the storage version of an in-place op's target, with or without grad", () => {
    const x = torch.ones(2);
    const v = x.storage.version;
    x.add_(1);
    torch.no_grad(() => x.mul_(2));
    expect(x.storage.version).toBe(v + 2);
    expect(x.tolist()).toEqual([4, 4]);
  });
});
