/**
 * torch.jit.script_if_tracing: eager calls run the function as it is; under torch.jit.trace
 * the function is scripted and recorded as one call, so its loop and branch survive
 * (conformance case script_if_tracing_traced: code.txt and PyTorch's outputs).
 */
import { describe, expect, it } from "vitest";
import { torch } from "../../../src/index.js";
import { scriptIfTracingOriginal } from "../../../src/jit/script_if_tracing.js";
import { defineCell } from "../script/support.js";
import { caseCalls, expectedCode, same, traceInputs, unmangle } from "./support.js";

const cell = defineCell(`
function dyn_repeat(x: Tensor, n: int): Tensor {
  for (let i = 0; i < n; i++) {
    x = x.mul(2);
  }
  if (x.sum().gt(0).item()) {
    return x;
  }
  return x.neg();
}

const repeat = torch.jit.script_if_tracing(dyn_repeat);

class UsesScriptIfTracing extends nn.Module {
  forward(x: Tensor): Tensor {
    return repeat(x, 2).add(1);
  }
}

function exported() {
  return repeat;
}
`, { file: "<script_if_tracing cell>" });
const { dyn_repeat, UsesScriptIfTracing } = cell;
const repeat = cell["exported"]() as typeof dyn_repeat;

describe("torch.jit.script_if_tracing", () => {
  it("eagerly is the function itself: same results, same name, no compilation", () => {
    const x = torch.rand(2, 3);
    expect(same(repeat(x, 3), dyn_repeat(x, 3))).toBe(true);
    expect(same(repeat(x.neg(), 1), x.mul(2))).toBe(true);
    expect(repeat.name).toBe("dyn_repeat");
    expect(scriptIfTracingOriginal(repeat)).toBe(dyn_repeat);
    expect(scriptIfTracingOriginal(dyn_repeat)).toBeUndefined();
  });

  it("script_if_tracing_traced: the trace calls the scripted function (PyTorch's code.txt and outputs)", () => {
    const model = new UsesScriptIfTracing();
    const traced = torch.jit.trace(model, traceInputs("script_if_tracing_traced")["forward"]!);
    expect(unmangle(traced.code)).toBe(unmangle(expectedCode("script_if_tracing_traced").get("<top>.forward")!));
    const graph = String(traced.graph);
    expect(graph).toContain('prim::Constant[name="dyn_repeat"]()');
    expect(graph).toContain("prim::CallFunction");
    expect(graph).not.toContain("aten::mul"); // the loop ran inside the call, not in the trace
    for (const call of caseCalls("script_if_tracing_traced")) {
      // the positive and the negative input both take their own branch: nothing was baked in
      expect(same(traced(...call.args), call.output)).toBe(true);
      expect(same(traced(...call.args), model(...call.args))).toBe(true);
    }
  });

  it("rejects what is not a function", () => {
    expect(() => torch.jit.script_if_tracing(3 as unknown as () => void)).toThrow("torch.jit.script_if_tracing: expected a function, got number");
  });
});
