/**
 * Mixing tracing and scripting, as the seed article's section 3 does. Seed outputs 3i/3j and
 * 4b-4d are checked in test/jit/script/script_conformance.test.ts; here: the
 * seed_rnn_loop_trace_script conformance case (every method's code.txt and PyTorch's outputs
 * with PyTorch's weights), and a traced function calling a scripted one.
 */
import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { torch } from "../../../src/index.js";
import type { ScriptModule } from "../../../src/jit/script_module.js";
import { printMethod } from "../../../src/jit/printer/index.js";
import { hasTorch, runTorch } from "../../support/pytorch.js";
import { defineCell } from "../script/support.js";
import { SEED_CELL } from "../script/seed_cells.js";
import { caseCalls, decode, expectedCode, same, unmangle } from "./support.js";

const CASES = new URL("../../../../shared/conformance/cases/", import.meta.url);

const { MyRNNLoop_TraceScript } = defineCell(SEED_CELL, { file: "<mixing cell>" });

/** The state_dict PyTorch saved in a case's archive (its weights). */
function archiveState(name: string): Record<string, torch.Tensor> {
  const path = fileURLToPath(new URL(`${name}/model.pt`, CASES));
  const state = runTorch<Record<string, Parameters<typeof decode>[0]>>(`
m = torch.jit.load(${JSON.stringify(path)})
print(json.dumps({k: {"type": "tensor", "dtype": str(t.dtype)[6:], "shape": list(t.shape), "data": t.flatten().tolist()} for k, t in m.state_dict().items()}))
`);
  return Object.fromEntries(Object.entries(state).map(([k, v]) => [k, decode(v) as torch.Tensor]));
}

function methodAt(root: ScriptModule, key: string): string {
  const dot = key.lastIndexOf(".");
  const [path, method] = [key.slice(0, dot), key.slice(dot + 1)];
  const owner = path === "<top>" ? root : path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], root) as ScriptModule;
  const graph = owner.getMethod(method)?.graph;
  if (graph === undefined) throw new Error(`${key}: no such method`);
  return printMethod(graph, { name: method });
}

describe("seed_rnn_loop_trace_script: script of a loop over a traced cell holding a scripted gate", () => {
  let built: { loop: any; rnn: ScriptModule } | undefined;
  const weights = hasTorch ? archiveState("seed_rnn_loop_trace_script") : null;
  // built on first use, so a scripting error fails the tests rather than the whole file
  const models = () => {
    if (built === undefined) {
      const loop = new MyRNNLoop_TraceScript();
      if (weights !== null) loop.load_state_dict(weights);
      built = { loop, rnn: torch.jit.script(loop) };
    }
    return built;
  };

  it.each([...expectedCode("seed_rnn_loop_trace_script")])("%s prints code.txt", (key, code) => {
    expect(unmangle(methodAt(models().rnn, key))).toBe(unmangle(code));
  });

  it("gives eager's outputs, and PyTorch's with PyTorch's weights", () => {
    const { loop, rnn } = models();
    for (const call of caseCalls("seed_rnn_loop_trace_script")) {
      const out = rnn(...call.args);
      expect(same(out, loop(...call.args))).toBe(true);
      if (hasTorch) expect(same(out, call.output)).toBe(true);
    }
  });
});

describe("script inside trace for free functions", () => {
  const { helper, uses_helper } = defineCell(`
function helper(x: Tensor, k: int): Tensor {
  return x.mul(k);
}
function uses_helper(x: Tensor): Tensor {
  return scripted_helper(x, 3).relu();
}
`, { file: "<script in trace cell>", scope: { scripted_helper: (x: torch.Tensor, k: number) => scriptedHelper(x, k) } });
  const scriptedHelper = torch.jit.script(helper);

  // PyTorch 1.13 prints `return torch.relu(__torch__.helper(x, 3, ))`: a ScriptFunction
  // called during a trace is recorded as prim::CallFunction (makeScriptFunction routes traced
  // calls through callWhileTracing, src/jit/traced_calls.ts).
  it("records the call, as PyTorch's tracer does", () => {
    const traced = torch.jit.trace(uses_helper, [torch.rand(2)]);
    expect(traced.code).toBe("def uses_helper(x: Tensor) -> Tensor:\n  return torch.relu(__torch__.helper(x, 3, ))\n");
  });

  it("computes what eager computes", () => {
    const traced = torch.jit.trace(uses_helper, [torch.rand(2)]);
    const x = torch.randn(5);
    expect(same(traced(x), uses_helper(x))).toBe(true);
  });
});
