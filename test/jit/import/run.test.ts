/**
 * Methods compiled from the archives' code/ run in the interpreter and reproduce PyTorch's
 * outputs (expected.json). Full loading (data.pkl) is archive-io's: here each module object is
 * built from its imported class, its tensors read from the archive's stored records and plain
 * attributes written from the case's notes.
 */
import { describe, it } from "vitest";
import type { SourceImporter } from "../../../src/jit/import/index.js";
import { runGraph } from "../../../src/jit/runtime/index.js";
import { TestObject, archiveTensor, caseCalls, expectEncoded } from "../runtime/support.js";
import { importerFor, readCaseArchive } from "./support.js";

/**
 * A module object for class `qualifiedName`: its methods from the importer, its submodules
 * built the same way, and `state` giving values by attribute path (`linear.weight`).
 */
function build(importer: SourceImporter, qualifiedName: string, state: Record<string, unknown>, prefix = ""): TestObject {
  const cls = importer.loadType(qualifiedName);
  if (cls?.kind !== "class") throw new Error(`${qualifiedName} is not a class`);
  const obj = new TestObject(qualifiedName, { training: false, _is_full_backward_hook: null });
  for (const [name, m] of cls.methods) obj.methods.set(name, { name, graph: m.graph });
  for (const a of cls.attributes) {
    const path = `${prefix}${a.name}`;
    if (path in state) obj.setAttr(a.name, state[path]);
    else if (a.type.kind === "Class") obj.setAttr(a.name, build(importer, a.type.name, state, `${path}.`));
  }
  return obj;
}

function runCase(name: string, state: (name: string) => Record<string, unknown> = () => ({}), pad?: (args: unknown[]) => unknown[]): void {
  const archive = readCaseArchive(name);
  const importer = importerFor(archive);
  const self = build(importer, archive.rootClass, state(name));
  for (const call of caseCalls(name)) {
    const g = self.getMethod(call.method)!.graph;
    const [out] = runGraph(g, [self, ...(pad ? pad(call.args) : call.args)], { name: call.method, functions: importer.functionTable() });
    expectEncoded(out, call.expected, `${name} ${call.method}`);
  }
}

const linear = (prefix: string, w: string, b: string, shape: [number, number]) => (name: string) => ({
  [`${prefix}weight`]: archiveTensor(name, w, shape),
  [`${prefix}bias`]: archiveTensor(name, b, [shape[0]]),
});

describe("imported methods run and agree with PyTorch", () => {
  it("control_flow_scripted: if/elif, for with break/continue, while", () => runCase("control_flow_scripted"));

  it("types_scalars_optional_scripted: Optional arguments and their defaults", () => {
    runCase("types_scalars_optional_scripted", undefined, (a) => (a.length === 5 ? [...a, null] : a));
  });

  it("types_containers_scripted: dicts, lists, tuples, sorted", () => runCase("types_containers_scripted"));

  it("seed_decision_gate_scripted", () => runCase("seed_decision_gate_scripted"));

  it("seed_mycell_v1_traced: a Linear submodule (CallMethod into an imported class)", () => {
    runCase("seed_mycell_v1_traced", linear("linear.", "data/0", "data/1", [4, 4]));
  });

  it("seed_rnn_loop_trace_script: script loop over a traced cell holding a scripted gate", () => {
    runCase("seed_rnn_loop_trace_script", linear("cell.linear.", "data/0", "data/1", [4, 4]));
  });

  it("mlp_scripted: torch.nn.functional.relu compiled from code/ and called through prim::CallFunction", () => {
    runCase("mlp_scripted", (n) => ({
      ...linear("fc1.", "data/0", "data/1", [16, 8])(n),
      ...linear("fc2.", "data/2", "data/3", [16, 16])(n),
      ...linear("fc3.", "data/4", "data/5", [3, 16])(n),
    }));
  });

  it("exported_methods_scripted: forward, encode and describe", () => {
    runCase("exported_methods_scripted", (n) => ({ ...linear("lin.", "data/0", "data/1", [2, 4])(n), scale: 2 }));
  });

  it("ignore_unused_scripted: the @unused branch raises only when taken", () => {
    runCase("ignore_unused_scripted", () => ({ use_debug: false }));
  });

  it("buffers_state_scripted: in-place buffer updates kept (not dead code), calls in order", () => {
    runCase("buffers_state_scripted", (n) => ({
      count: archiveTensor(n, "data/0", [1], "int64"),
      running: archiveTensor(n, "data/1", [4]),
      scratch: archiveTensor(n, "data/2", [4]),
      momentum: 0.5,
    }));
  });
});
