/**
 * Traced conformance cases written in TypeScript: tracing the same model must print the .code
 * PyTorch 1.13 printed (shared/conformance/cases/<case>/code.txt), up to ___torch_mangle_N.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { torch } from "../../src/index.js";
import { printMethod } from "../../src/jit/printer/index.js";
import type { ScriptModule } from "../../src/jit/script_module.js";
import { nameLocal } from "../../src/tensor/local_names.js";
import { hasTorch, runTorch } from "../support/pytorch.js";
import { MyCell_v2, MyDecisionGate } from "./seed_modules.js";

type Tensor = torch.Tensor;
const { nn } = torch;
const F = nn.functional;

const CASES = new URL("../../../shared/conformance/cases/", import.meta.url);
const unmangle = (s: string) => s.replace(/___torch_mangle_\d+\./g, "");

/** code.txt sections: "<top>.forward" -> text. */
function expectedCode(name: string): Map<string, string> {
  const text = readFileSync(new URL(`${name}/code.txt`, CASES), "utf8");
  const out = new Map<string, string>();
  for (const part of text.split(/^# ==== /m).slice(1)) {
    const nl = part.indexOf("\n");
    out.set(part.slice(0, nl).replace(/ ====$/, ""), part.slice(nl + 1).replace(/\n+$/, "\n"));
  }
  return out;
}

/** Our sections, keyed the same way: every method of the top module and of each submodule. */
function actualCode(m: ScriptModule): Map<string, string> {
  const out = new Map<string, string>();
  for (const [path, sub] of m.named_modules()) {
    for (const [name, method] of (sub as ScriptModule)._methods) {
      out.set(`${path || "<top>"}.${name}`, printMethod(method.graph, { name }));
    }
  }
  return out;
}

function compare(name: string, traced: ScriptModule): void {
  const expected = expectedCode(name);
  const actual = actualCode(traced);
  for (const [key, code] of expected) {
    expect(unmangle(actual.get(key) ?? `<missing ${key}>`), key).toBe(unmangle(code));
  }
}

describe("traced conformance cases print PyTorch's .code", () => {
  it("nn_sequential_relu_traced", () => {
    const seq = new torch.nn.Sequential(new torch.nn.Linear(4, 6), new torch.nn.ReLU(), new torch.nn.Linear(6, 2));
    compare("nn_sequential_relu_traced", torch.jit.trace(seq, [torch.rand(3, 4)]));
  });

  it("trace_module_multi_methods", () => {
    class TwoHeads extends torch.nn.Module {
      enc = new torch.nn.Linear(4, 3);
      dec = new torch.nn.Linear(3, 4);
      override forward(x: torch.Tensor) {
        return this.dec(torch.relu(this.enc(x)));
      }
      encode(x: torch.Tensor) {
        return torch.sigmoid(this.enc(x));
      }
    }
    const x = torch.rand(2, 4);
    compare("trace_module_multi_methods", torch.jit.trace_module(new TwoHeads(), { forward: [x], encode: [x] }));
  });

  it("seed_mycell_v1_traced", () => {
    class MyCell_v1 extends torch.nn.Module {
      linear = new torch.nn.Linear(4, 4);
      override forward(x: torch.Tensor, h: torch.Tensor) {
        const new_h = torch.tanh(this.linear(x).add(h));
        return [new_h, new_h];
      }
    }
    compare("seed_mycell_v1_traced", torch.jit.trace(new MyCell_v1(), [torch.rand(3, 4), torch.rand(3, 4)]));
  });
});

describe("inlined_graph", () => {
  it("equals PyTorch's inlined graph of seed_mycell_v1_traced (without source comments)", () => {
    const text = readFileSync(new URL("seed_mycell_v1_traced/graph.txt", CASES), "utf8");
    const expected = text.split("# ==== <top>.forward (inlined_graph) ====\n")[1]!.replace(/ # \S+:\d+:\d+/g, "").trim();
    class MyCell_v1 extends torch.nn.Module {
      linear = new torch.nn.Linear(4, 4);
      override forward(x: torch.Tensor, h: torch.Tensor) {
        const new_h = torch.tanh(this.linear(x).add(h));
        return [new_h, new_h];
      }
    }
    const traced = torch.jit.trace(new MyCell_v1(), [torch.rand(3, 4), torch.rand(3, 4)]);
    const actual = String(traced.inlined_graph).replace(/ # \S+:\d+:\d+/g, "").trim();
    expect(unmangle(actual)).toBe(unmangle(expected));
  });
});

// ---------------------------------------------------------------------------------------------
// Cases whose value names PyTorch takes from Python locals (Note [local names]). The models are
// written as a notebook user writes them, with `nameLocal` where the kernel's cell compiler puts
// `__tsjit_name`: around every variable initializer and identifier assignment.

/** A value of the cases' JSON encoding (tensors only: these cases take and return tensors). */
interface EncodedTensor { type: "tensor"; dtype: string; shape: number[]; data: number[] }

const decode = (v: EncodedTensor): Tensor =>
  torch.tensor(v.data, { dtype: v.dtype as "float32" }).reshape(v.shape);

function caseJson<T>(name: string, file: string): T {
  return JSON.parse(readFileSync(new URL(`${name}/${file}`, CASES), "utf8")) as T;
}

/** The archive's parameters and buffers, read by PyTorch itself (no archive loader needed). */
function archiveState(name: string): Record<string, Tensor> {
  const path = fileURLToPath(new URL(`${name}/model.pt`, CASES));
  const state = runTorch<Record<string, EncodedTensor>>(`
m = torch.jit.load(${JSON.stringify(path)})
out = {}
for k, t in m.state_dict().items():
    out[k] = {"type": "tensor", "dtype": str(t.dtype)[6:], "shape": list(t.shape), "data": t.flatten().tolist()}
print(json.dumps(out))
`);
  return Object.fromEntries(Object.entries(state).map(([k, v]) => [k, decode(v)]));
}

/** Traces `model` on the case's trace inputs and checks .code, then outputs against PyTorch's and eager. */
function checkCase(name: string, model: torch.nn.Module): void {
  if (hasTorch) model.load_state_dict(archiveState(name));
  const matchesEager = caseJson<{ matches_eager?: boolean[] }>(name, "meta.json").matches_eager ?? [];
  const example = caseJson<{ forward: EncodedTensor[] }>(name, "trace_inputs.json").forward.map(decode);
  const traced = torch.jit.trace(model, example);
  compare(name, traced);
  const calls = caseJson<{ calls: { args: EncodedTensor[] }[] }>(name, "inputs.json").calls;
  const expected = caseJson<{ calls: { output: EncodedOutput }[] }>(name, "expected.json").calls;
  calls.forEach((call, i) => {
    const args = call.args.map(decode);
    const out = tensorsOf((traced as unknown as (...a: Tensor[]) => unknown)(...args));
    const eager = tensorsOf((model as unknown as (...a: Tensor[]) => unknown)(...args));
    // the seed's gate cases bake a branch in: PyTorch's meta.json says which calls match eager
    const same = out.every((t, j) => torch.allclose(t, eager[j]!));
    expect(same, `${name} call ${i}: traced equals eager`).toBe(matchesEager[i] ?? true);
    if (hasTorch) {
      const want = expectedTensors(expected[i]!.output);
      expect(out.length).toBe(want.length);
      out.forEach((t, j) => {
        expect(torch.allclose(t, want[j]!, { rtol: 1e-4, atol: 1e-5 }), `${name} call ${i}: PyTorch's output ${j}`).toBe(true);
      });
    }
  });
}

type EncodedOutput = EncodedTensor | { type: "tuple"; items: EncodedTensor[] };
const expectedTensors = (v: EncodedOutput): Tensor[] => (v.type === "tuple" ? v.items.map(decode) : [decode(v)]);
const tensorsOf = (v: unknown): Tensor[] => (Array.isArray(v) ? (v as Tensor[]) : [v as Tensor]);

class MLP extends nn.Module {
  fc1 = new nn.Linear(8, 16);
  act = new nn.ReLU();
  fc2 = new nn.Linear(16, 16);
  fc3 = new nn.Linear(16, 3);
  override forward(x: Tensor): Tensor {
    x = nameLocal(this.act(this.fc1(x)), "x");
    x = nameLocal(this.act(this.fc2(x)), "x");
    return torch.log_softmax(this.fc3(x), -1);
  }
}

class SmallCNN extends nn.Module {
  conv1 = new nn.Conv2d(1, 4, 3, { padding: 1 });
  bn1 = new nn.BatchNorm2d(4);
  pool = new nn.MaxPool2d(2);
  conv2 = new nn.Conv2d(4, 8, 3);
  fc = new nn.Linear(32, 5);
  override forward(x: Tensor): Tensor {
    x = nameLocal(this.pool(F.relu(this.bn1(this.conv1(x)))), "x");
    x = nameLocal(F.relu(this.conv2(x)), "x");
    x = nameLocal(torch.flatten(x, 1), "x");
    return this.fc(x);
  }
}

class TensorConsts extends nn.Module {
  lin = new nn.Linear(4, 4);
  override forward(x: Tensor): Tensor {
    const w = nameLocal(torch.tensor([1.0, 2.0, 3.0, 4.0], { dtype: torch.float32 }), "w");
    const idx = nameLocal(torch.tensor([3, 0]), "idx");
    return torch.index_select(this.lin(x).mul(w), 1, idx).add(torch.arange(2));
  }
}


describe("traced conformance cases whose names come from locals", () => {
  it("mlp_traced", () => checkCase("mlp_traced", new MLP()));
  it("cnn_traced", () => checkCase("cnn_traced", new SmallCNN().eval()));
  it("seed_mycell_v2_traced_pos", () => checkCase("seed_mycell_v2_traced_pos", new MyCell_v2(new MyDecisionGate())));
  it("seed_mycell_v2_traced_neg", () => checkCase("seed_mycell_v2_traced_neg", new MyCell_v2(new MyDecisionGate())));
  it("tensor_constants_traced", () => checkCase("tensor_constants_traced", new TensorConsts()));
});
