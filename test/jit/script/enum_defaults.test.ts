/**
 * A schema default written as a c10 enum name (`memory_format=contiguous_format`) compiles to
 * its int code, as PyTorch's graphs carry it: `x.contiguous()` scripts, runs and prints as
 * PyTorch prints it (before, the default became a str constant and the graph failed to verify).
 */
import { describe, expect, it } from "vitest";
import { torch, Tensor } from "../../../src/index.js";
import type { Graph } from "../../../src/jit/ir/index.js";
import { defineCell } from "./support.js";

const { made_contiguous } = defineCell(`
function made_contiguous(x: Tensor): Tensor {
  return x.t().contiguous();
}`, { file: "<enum default cell>" });

describe("enum-named schema defaults", () => {
  it("x.contiguous() compiles its memory_format default to int 0 and runs", () => {
    const f = torch.jit.script(made_contiguous) as ((x: Tensor) => Tensor) & { graph: Graph; code: string };
    expect(String(f.graph)).toMatch(/%\w+ : int = prim::Constant\[value=0\]\(\)[\s\S]*aten::contiguous\(%\w+, %\w+\)/);
    expect(f.code).toContain("torch.contiguous(torch.t(x))");
    const x = torch.rand(2, 3);
    const y = f(x);
    expect(y.is_contiguous()).toBe(true);
    expect(torch.equal(y, x.t())).toBe(true);
  });
});
