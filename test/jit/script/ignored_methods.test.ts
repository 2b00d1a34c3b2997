/**
 * Note [ignored methods]: a scripted forward may call an @torch.jit.ignore method; the call
 * runs the JavaScript method (PyTorch's prim::PythonOp calls Python), in the interpreter and in
 * compiled plans alike, prints as python_print.cpp prints it, and makes the module unsaveable
 * with PyTorch's message.
 */
import { describe, expect, it } from "vitest";
import { torch } from "../../../src/index.js";
import { optimized_execution } from "../../../src/jit/executor/graph_executor.js";
import type { ScriptModule } from "../../../src/jit/script_module.js";
import { defineCell } from "./support.js";

const { Shown } = defineCell(`
class Shown extends nn.Module {
  scale = 2;
  calls = torch.zeros([1]);
  @torch.jit.ignore
  show(x: Tensor, k: int): Tensor {
    this.calls.add_(k);
    return x.mul(this.scale + k);
  }
  forward(x: Tensor): Tensor {
    const y = this.show(x, 1);
    return y.add(1);
  }
}`, { file: "<ignore cell>" });

describe("calling an @torch.jit.ignore method from scripted code", () => {
  it("runs the JavaScript method on the scripted module, compiled and interpreted", () => {
    const original = new Shown();
    const s = torch.jit.script(original) as ScriptModule;
    const x = torch.rand(2, 3);
    const expected = x.mul(3).add(1);
    expect(torch.equal(s(x) as torch.Tensor, expected)).toBe(true);
    expect(torch.equal(optimized_execution(false, () => s(x)) as torch.Tensor, expected)).toBe(true);
    expect(original.calls.item()).toBe(2);
  });

  it("prints as PyTorch prints a Python call, and cannot be saved", () => {
    const s = torch.jit.script(new Shown()) as ScriptModule;
    expect(s.code).toContain("y = ^show()(self, x, 1)");
    expect(() => torch.jit.save(s)).toThrow(/^Could not export Python function call 'show'\. Remove calls to Python functions before export\./);
  });
});
