import { describe, expect, it } from "vitest";
import { parseSchema } from "../../src/tensor/schema.js";
import { REGISTRY } from "../../src/tensor/registry.js";
import { torch } from "../../src/index.js";

describe("schema parser", () => {
  it("parses overload names, kwarg-only markers, defaults and alias annotations", () => {
    const s = parseSchema("aten::add_.Tensor(Tensor(a!) self, Tensor other, *, Scalar alpha=1) -> Tensor(a!)");
    expect(s.name).toBe("aten::add_");
    expect(s.overload).toBe("Tensor");
    expect(s.args.map((a) => [a.name, a.kind, a.kwargOnly, a.mutated])).toEqual([
      ["self", "Tensor", false, true],
      ["other", "Tensor", false, false],
      ["alpha", "Scalar", true, false],
    ]);
    expect(s.args[2]!.default).toBe(1);
  });

  it("parses optional lists with fixed lengths and tuple returns", () => {
    const s = parseSchema("aten::max.dim(Tensor self, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)");
    expect(s.returns.map((r) => r.name)).toEqual(["values", "indices"]);
    const t = parseSchema("aten::sum.dim_IntList(Tensor self, int[1]? dim, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor");
    expect(t.args[1]).toMatchObject({ kind: "int[]", optional: true, fixedLength: 1 });
    expect(t.args[3]).toMatchObject({ kind: "ScalarType", kwargOnly: true, default: null });
  });

  it("rejects malformed schemas with a message", () => {
    expect(() => parseSchema("aten::bad(Widget x) -> Tensor")).toThrow(/unknown type 'Widget'/);
    expect(() => parseSchema("not a schema")).toThrow(/cannot parse/);
  });
});

describe("op registry", () => {
  it("registers every overload of an op under its qualified name", () => {
    const adds = REGISTRY.get("aten::add")!;
    expect(adds.map((o) => o.schema.overload)).toContain("Tensor");
    expect(adds[0]!.gradName).toBe("AddBackward0");
    expect(adds[0]!.jsExpr).toBe("a + p0 * b");
  });

  it("binds keyword arguments from a trailing object and fills defaults", () => {
    const a = torch.tensor([1, 2], { dtype: torch.float32 });
    expect(torch.add(a, a, { alpha: 3 }).tolist()).toEqual([4, 8]);
    expect(torch.add(a, a).tolist()).toEqual([2, 4]);
  });

  it("rejects keyword-only arguments passed positionally and unknown kwargs, as PyTorch does", () => {
    const a = torch.ones(2);
    expect(() => (torch.add as (...x: unknown[]) => unknown)(a, a, { beta: 2 })).toThrow(/invalid combination of arguments/);
    expect(() => (torch.add as (...x: unknown[]) => unknown)(a, "x")).toThrow(
      "add() received an invalid combination of arguments - got (Tensor, str), but expected one of:",
    );
  });

  it("lets an observer see only outermost op calls", async () => {
    const { dispatchState } = await import("../../src/tensor/registry.js");
    const seen: string[] = [];
    dispatchState.observer = { record: (op) => void seen.push(`${op.schema.name}.${op.schema.overload}`) };
    try {
      torch.div(torch.ones(2), 2);
      torch.tanh(torch.ones(2));
    } finally {
      dispatchState.observer = null;
    }
    expect(seen).toEqual(["aten::ones.", "aten::div.Tensor", "aten::ones.", "aten::tanh."]);
  });
});
