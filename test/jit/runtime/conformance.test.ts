/**
 * The conformance cases' graphs (graph.txt), run by the interpreter with a hand-built `self`
 * and compared with the outputs PyTorch 1.13 produced (expected.json). No archive loader is
 * involved: parameters, where a case has any, are read from the stored records of model.pt
 * at the offsets archive.json lists; plain attributes are written here from the case's notes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { torch } from "../../../src/index.js";
import { runGraph as interpret } from "../../../src/jit/runtime/index.js";
import { executeGraph, executorState } from "../../../src/jit/executor/graph_executor.js";
import {
  TestObject, archiveTensor, caseCalls, caseGraphs, caseLinear, expectEncoded, functionTable,
} from "./support.js";

/** Makes the case's calls in order on one `self`, method graphs taken from `methods`. */
function runCase(name: string, self: TestObject, opts: { pad?: (args: unknown[]) => unknown[]; env?: object } = {}): void {
  const graphs = caseGraphs(name);
  for (const call of caseCalls(name)) {
    const g = self.getMethod(call.method)?.graph ?? graphs.get(`<top>.${call.method}`)!;
    const args = opts.pad ? opts.pad(call.args) : call.args;
    const [out] = runGraph(g, [self, ...args], { ...opts.env, name: call.method });
    expectEncoded(out, call.expected, `${name} ${call.method}`);
  }
}

/** torch.nn.functional.relu as TorchScript compiles it (the graph prim::CallFunction reaches). */
const RELU = `graph(%input.1 : Tensor, %inplace.1 : bool):
  %r : Tensor = prim::If(%inplace.1)
    block0():
      %a : Tensor = aten::relu_(%input.1)
      -> (%a)
    block1():
      %b : Tensor = aten::relu(%input.1)
      -> (%b)
  return (%r)`;

// Every case runs twice: in the reference interpreter, and compiled by the graph executor
// (specialized, inlined, generated JavaScript), which must give the same outputs and errors.
const RUNNERS = [["interpreter", interpret], ["compiled", executeGraph]] as const;
let runGraph: typeof interpret = interpret;

describe.each(RUNNERS)("conformance cases (top forward graphs with a hand-built self), %s", (runner, run) => {
  beforeAll(() => {
    runGraph = run;
    executorState.fallbacks = 0;
  });
  afterAll(() => {
    runGraph = interpret;
    // a graph the generator could not compile would have been interpreted: none may be
    if (runner === "compiled") expect(executorState.fallbacks).toBe(0);
  });

  it("seed_mycell_v1_traced: Linear submodule through GetAttr + CallMethod, tuple return", () => {
    const name = "seed_mycell_v1_traced";
    const linear = caseLinear(name, ["data/0", "data/1"], [4, 4], caseGraphs(name).get("linear.forward"));
    runCase(name, new TestObject("__torch__.MyCell_v1", { linear }));
  });

  it("seed_mycell_v1_traced: the inlined graph gives the same outputs", () => {
    const name = "seed_mycell_v1_traced";
    const inlined = caseGraphs(name).get("<top>.forward (inlined_graph)")!;
    const self = new TestObject("__torch__.MyCell_v1", { linear: caseLinear(name, ["data/0", "data/1"], [4, 4]) }, { forward: inlined });
    runCase(name, self);
  });

  it("seed_decision_gate_scripted: if/else on bool(tensor)", () => {
    runCase("seed_decision_gate_scripted", new TestObject("__torch__.MyDecisionGate"));
  });

  it("control_flow_scripted: if/elif/else, for with continue/break, while with `and`, int carries", () => {
    runCase("control_flow_scripted", new TestObject("__torch__.ControlFlow"));
  });

  it("types_scalars_optional_scripted: int/float/bool/Optional args and a mixed tuple return", () => {
    // The first call leaves `s: Optional[int] = None` to its default; graphs hold no defaults.
    runCase("types_scalars_optional_scripted", new TestObject("__torch__.ScalarTypes"), { pad: (a) => (a.length === 5 ? [...a, null] : a) });
  });

  it("types_containers_scripted: lists, dicts, tuples, dict iteration, sorted()", () => {
    runCase("types_containers_scripted", new TestObject("__torch__.Containers"));
  });

  it("ignore_unused_scripted: a bool attribute guards a RaiseException", () => {
    runCase("ignore_unused_scripted", new TestObject("__torch__.WithIgnoreUnused", { use_debug: false }));
    const forward = caseGraphs("ignore_unused_scripted").get("<top>.forward")!;
    const self = new TestObject("__torch__.WithIgnoreUnused", { use_debug: true });
    expect(() => runGraph(forward, [self, torch.ones([2])])).toThrow(
      /RuntimeError: This Python function is annotated to be ignored and cannot be run/,
    );
  });

  it("seed_mycell_v2_traced_pos: the traced gate (-> NoneType) is called and its result unused", () => {
    const name = "seed_mycell_v2_traced_pos";
    const graphs = caseGraphs(name);
    const dg = new TestObject("__torch__.MyDecisionGate", {}, { forward: graphs.get("dg.forward")! });
    const linear = caseLinear(name, ["data/0", "data/1"], [4, 4], graphs.get("linear.forward"));
    runCase(name, new TestObject("__torch__.MyCell_v2", { dg, linear }));
  });

  it("seed_mycell_v2_scripted: a scripted gate inside a scripted cell", () => {
    const name = "seed_mycell_v2_scripted";
    const graphs = caseGraphs(name);
    const dg = new TestObject("__torch__.MyDecisionGate", {}, { forward: graphs.get("dg.forward")! });
    const linear = caseLinear(name, ["data/0", "data/1"], [4, 4], graphs.get("linear.forward"));
    runCase(name, new TestObject("__torch__.MyCell_v2", { dg, linear }));
  });

  it("seed_rnn_loop_trace_script: a loop over xs.size(0) calling a traced cell with a scripted gate", () => {
    const name = "seed_rnn_loop_trace_script";
    const graphs = caseGraphs(name);
    const dg = new TestObject("__torch__.MyDecisionGate", {}, { forward: graphs.get("cell.dg.forward")! });
    const linear = caseLinear(name, ["data/0", "data/1"], [4, 4], graphs.get("cell.linear.forward"));
    const cell = new TestObject("__torch__.MyCell_v2", { dg, linear }, { forward: graphs.get("cell.forward")! });
    runCase(name, new TestObject("__torch__.MyRNNLoop_TraceScript", { cell }));
  });

  it("mlp_scripted: ReLU submodule calls torch.nn.functional.relu through prim::CallFunction", () => {
    const name = "mlp_scripted";
    const graphs = caseGraphs(name);
    const act = new TestObject("__torch__.torch.nn.modules.activation.ReLU", {}, { forward: graphs.get("act.forward")! });
    const self = new TestObject("__torch__.MLP", {
      act,
      fc1: caseLinear(name, ["data/0", "data/1"], [16, 8], graphs.get("fc1.forward")),
      fc2: caseLinear(name, ["data/2", "data/3"], [16, 16], graphs.get("fc2.forward")),
      fc3: caseLinear(name, ["data/4", "data/5"], [3, 16], graphs.get("fc3.forward")),
    });
    runCase(name, self, { env: { functions: functionTable({ relu: RELU }) } });
  });

  it("exported_methods_scripted: forward, encode and describe (str(2.0) is '2.')", () => {
    const name = "exported_methods_scripted";
    const graphs = caseGraphs(name);
    const lin = caseLinear(name, ["data/0", "data/1"], [2, 4], graphs.get("lin.forward"));
    const self = new TestObject("__torch__.WithExport", { lin, scale: 2 }, {
      forward: graphs.get("<top>.forward")!, encode: graphs.get("<top>.encode")!, describe: graphs.get("<top>.describe")!,
    });
    runCase(name, self);
  });

  it("buffers_state_scripted: in-place buffer updates and SetAttr across calls, in order", () => {
    const name = "buffers_state_scripted";
    const self = new TestObject("__torch__.BufferState", {
      count: archiveTensor(name, "data/0", [1], "int64"),
      running: archiveTensor(name, "data/1", [4]),
      scratch: archiveTensor(name, "data/2", [4]),
      momentum: 0.5,
      training: false,
    });
    runCase(name, self);
  });

  it("int64_bool_tensors_scripted: argmax, comparison, masks, index_select, floor division, where, any/all", () => {
    runCase("int64_bool_tensors_scripted", new TestObject("__torch__.IntBoolTensors"));
  });

  it("script_function_saved: a scripted free function (no self)", () => {
    const name = "script_function_saved";
    const fn = caseGraphs(name).get("<function scripted_fn>")!;
    for (const call of caseCalls(name)) expectEncoded(runGraph(fn, call.args, { name: "scripted_fn" })[0], call.expected);
  });
});
