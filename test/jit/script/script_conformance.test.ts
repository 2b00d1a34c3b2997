/**
 * Scripted conformance cases and the seed article's scripted modules, written in TypeScript:
 * `.code` must equal PyTorch 1.13's (shared/conformance/cases/<case>/code.txt and seed outputs
 * 3a, 3e, 3i, 3j, 4b-4d) up to ___torch_mangle_N, and outputs must equal eager's (and PyTorch's
 * when it is installed).
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { torch } from "../../../src/index.js";
import { script } from "../../../src/jit/script.js";
import { printMethod } from "../../../src/jit/printer/index.js";
import { argumentSpecs } from "../../../src/jit/frontend/signature.js";
import type { ScriptModule } from "../../../src/jit/script_module.js";
import { hasTorch, runTorch } from "../../support/pytorch.js";
import { defineCell } from "./support.js";
import { SEED_CELL } from "./seed_cells.js";

type Tensor = torch.Tensor;
const CASES = new URL("../../../../shared/conformance/cases/", import.meta.url);
const SEED = new URL("../../../../shared/reference/pytorch-1.13-seed-outputs.md", import.meta.url);
const unmangle = (s: string) => s.replace(/___torch_mangle_\d+\./g, "");

function expectedCode(name: string): Map<string, string> {
  const text = readFileSync(new URL(`${name}/code.txt`, CASES), "utf8");
  const out = new Map<string, string>();
  for (const part of text.split(/^# ==== /m).slice(1)) {
    const nl = part.indexOf("\n");
    out.set(part.slice(0, nl).replace(/ ====$/, ""), part.slice(nl + 1).replace(/\n+$/, "\n"));
  }
  return out;
}

function seedBlock(title: string): string {
  const text = readFileSync(SEED, "utf8");
  const at = text.indexOf(`## ${title}`);
  const start = text.indexOf("```python\n", at) + "```python\n".length;
  return text.slice(start, text.indexOf("```", start));
}

function compare(name: string, m: ScriptModule): void {
  for (const [key, code] of expectedCode(name)) {
    const [path, method] = [key.slice(0, key.lastIndexOf(".")), key.slice(key.lastIndexOf(".") + 1)];
    const sub = path === "<top>" ? m : (path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], m) as ScriptModule);
    const g = sub.getMethod(method)?.graph;
    expect(g, `${key} compiled`).toBeDefined();
    // defaults come from the source (argumentSpecs), as ScriptModule's .code should print them
    expect(unmangle(printMethod(g!, { name: method, args: argumentSpecs(g!, true) })), key).toBe(unmangle(code));
  }
}

interface Encoded { type: string; dtype?: string; shape?: number[]; data?: number[]; value?: unknown; items?: Encoded[] }
const decode = (v: Encoded): unknown => {
  if (v.type === "tensor") return torch.tensor(v.data!, { dtype: v.dtype as "float32" }).reshape(v.shape!);
  if (v.type === "none") return null;
  if (v.type === "tuple" || v.type === "list") return v.items!.map(decode);
  if (v.type === "dict") return new Map((v.items as unknown as [Encoded, Encoded][]).map(([k, x]) => [decode(k), decode(x)]));
  return v.value;
};
const json = <T>(name: string, file: string): T => JSON.parse(readFileSync(new URL(`${name}/${file}`, CASES), "utf8")) as T;

function archiveState(name: string): Record<string, Tensor> {
  const path = fileURLToPath(new URL(`${name}/model.pt`, CASES));
  const state = runTorch<Record<string, Encoded>>(`
m = torch.jit.load(${JSON.stringify(path)})
print(json.dumps({k: {"type": "tensor", "dtype": str(t.dtype)[6:], "shape": list(t.shape), "data": t.flatten().tolist()} for k, t in m.state_dict().items()}))
`);
  return Object.fromEntries(Object.entries(state).map(([k, v]) => [k, decode(v) as Tensor]));
}

function same(a: unknown, b: unknown): boolean {
  if (a instanceof torch.Tensor && b instanceof torch.Tensor) return torch.allclose(a, b, { rtol: 1e-4, atol: 1e-5 });
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  // dicts in insertion order, as Python's and TorchScript's
  if (a instanceof Map && b instanceof Map) return same([...a.keys()], [...b.keys()]) && same([...a.values()], [...b.values()]);
  return a === b;
}

/**
 * Loads PyTorch's weights (when available), scripts, compares .code, then outputs against eager
 * and expected.json. A stateful model is compared with an eager twin (`twin()`), since the
 * scripted module shares and updates the original's buffers.
 */
function checkCase(name: string, model: torch.nn.Module, twin?: () => torch.nn.Module): ScriptModule {
  const eagerModel = twin ? twin() : model;
  if (hasTorch) {
    const state = archiveState(name);
    model.load_state_dict(state, false);
    if (eagerModel !== model) eagerModel.load_state_dict(state, false);
  }
  const scripted = script(model);
  compare(name, scripted);
  const calls = json<{ calls: { method: string; args: Encoded[] }[] }>(name, "inputs.json").calls;
  const expected = json<{ calls: { output: Encoded; matches_eager: boolean | null }[] }>(name, "expected.json").calls;
  const invoke = (m: object, method: string, args: unknown[]) =>
    method === "forward" ? (m as (...a: unknown[]) => unknown)(...args) : (m as Record<string, (...a: unknown[]) => unknown>)[method]!(...args);
  calls.forEach((call, i) => {
    const args = call.args.map(decode);
    // calls that leave out trailing arguments get the source's defaults, in eager JS and in the interpreter
    const out = invoke(scripted, call.method, args);
    const eager = invoke(eagerModel, call.method, args);
    // where PyTorch's own eager result differs by design (TorchScript's str(2.0) is "2."), so does ours
    if (expected[i]!.matches_eager !== false) expect(same(out, eager), `${name} call ${i}: scripted equals eager`).toBe(true);
    if (hasTorch) expect(same(out, decode(expected[i]!.output)), `${name} call ${i}: PyTorch's output`).toBe(true);
  });
  return scripted;
}


describe("the seed article's scripted modules print PyTorch 1.13's code", () => {
  const { MyDecisionGate, MyCell_v2, MyRNNLoop_TraceScript } = defineCell(SEED_CELL, { file: "<cell 2>", scope: { torch: { ...torch, jit: { ...torch.jit, script } } } });

  it("3a: scripted_gate.code", () => {
    expect(script(new MyDecisionGate()).code).toBe(seedBlock("3a. scripted_gate.code"));
  });

  it("3e: scripted_cell.code, and it agrees with eager for x and -x", () => {
    const cell = new MyCell_v2(new MyDecisionGate());
    const scripted = script(cell);
    expect(scripted.code).toBe(seedBlock("3e. scripted_cell.code"));
    const x = torch.rand(3, 4);
    const h = torch.rand(3, 4);
    for (const input of [x, x.neg()]) expect(same(scripted(input, h), cell(input, h))).toBe(true);
  });

  it("3i/3j: tracing a cell that holds the scripted gate keeps the gate's code", () => {
    const traced = torch.jit.trace(new MyCell_v2(script(new MyDecisionGate())), [torch.rand(3, 4), torch.rand(3, 4)]);
    expect(traced.code).toBe(seedBlock("3i. trace(MyCell_v2(scripted_gate)).code"));
    expect((traced as any).dg.code).toBe(seedBlock("3j. trace(MyCell_v2(scripted_gate)).dg.code"));
  });

  it("4b-4d: a scripted loop over a traced cell (trace inside script keeps the traced module as is)", () => {
    const loop = new MyRNNLoop_TraceScript();
    const rnn = script(loop);
    expect(rnn.code).toBe(seedBlock("4b. rnn_loop.code"));
    expect((rnn as any).cell.code).toBe(seedBlock("4c. rnn_loop.cell.code"));
    expect((rnn as any).cell.dg.code).toBe(seedBlock("4d. rnn_loop.cell.dg.code"));
    const xs = torch.rand(10, 3, 4);
    expect(same(rnn(xs), loop(xs))).toBe(true);
  });
});

describe("scripted conformance cases", () => {
  const { MyDecisionGate, MyCell_v2 } = defineCell(SEED_CELL, { file: "<cell 3>", scope: { torch: { ...torch, jit: { ...torch.jit, script } } } });
  const { MLP, ControlFlow } = defineCell(`
class MLP extends nn.Module {
  fc1 = new nn.Linear(8, 16);
  act = new nn.ReLU();
  fc2 = new nn.Linear(16, 16);
  fc3 = new nn.Linear(16, 3);
  forward(x: Tensor): Tensor {
    x = this.act(this.fc1(x));
    x = this.act(this.fc2(x));
    return torch.log_softmax(this.fc3(x), -1);
  }
}

class ControlFlow extends nn.Module {
  forward(x: Tensor, n: int): [Tensor, int] {
    let y: Tensor;
    if (n < 0) {
      y = x.neg();
    } else if (n === 0) {
      y = x.mul(0);
    } else {
      y = x.clone();
    }
    let acc = 0;
    for (let i = 0; i < n; i++) {
      if (i % 2 === 0) {
        continue;
      }
      if (i > 7) {
        break;
      }
      y = y.add(i);
      acc += i;
    }
    let k = 0;
    while (k < 3 && y.sum().lt(100.0).item()) {
      y = y.mul(2);
      k += 1;
    }
    return [y, acc + k];
  }
}
`, { file: "<cell 4>" });

  const { ConvPoolBN, NestedTop, BufferState } = defineCell(`
class ConvPoolBN extends nn.Module {
  conv = new nn.Conv2d(3, 6, 3, {padding: 1, bias: false});
  bn = new nn.BatchNorm2d(6);
  relu = new nn.ReLU();
  pool = new nn.MaxPool2d(2);
  forward(x: Tensor): Tensor {
    return this.pool(this.relu(this.bn(this.conv(x))));
  }
}

class Leaf extends nn.Module {
  lin = new nn.Linear(4, 4);
  gain = new nn.Parameter(torch.ones(4));
  forward(x: Tensor): Tensor {
    return this.lin(x).mul(this.gain);
  }
}

class Block extends nn.Module {
  scale: Final<int> = 2;
  first = new Leaf();
  layers = new nn.ModuleList([new Leaf(), new Leaf()]);
  acts = new nn.ModuleDict({relu: new nn.ReLU(), tanh: new nn.Tanh()});
  forward(x: Tensor): Tensor {
    x = this.first(x);
    for (const layer of this.layers) {
      x = this.acts.get("relu")(layer(x));
    }
    return this.acts.get("tanh")(x).mul(this.scale);
  }
}

class NestedTop extends nn.Module {
  blocks = new nn.Sequential(new Block(), new Block());
  head = new nn.Linear(4, 2);
  forward(x: Tensor): Tensor {
    return this.head(this.blocks(x));
  }
}

class BufferState extends nn.Module {
  momentum = 0.5;
  constructor() {
    super();
    this.register_buffer("count", torch.zeros([1], {dtype: torch.int64}));
    this.register_buffer("running", torch.zeros([4]));
    this.register_buffer("scratch", torch.ones([4]), false);
  }
  forward(x: Tensor): [Tensor, Tensor] {
    // PyTorch's \`self.count += 1\` on a tensor: add_ in place, then assign (JS's += would not call add_)
    this.count = this.count.add_(1);
    this.running.mul_(1 - this.momentum).add_(x.mean(0).mul(this.momentum));
    return [x.sub(this.running).add(this.scratch), this.count.clone()];
  }
}
`, { file: "<cell 5>" });

  const { Containers } = defineCell(`
class Containers extends nn.Module {
  forward(xs: Tensor[], d: Map<string, Tensor>, t: [Tensor, int], li: int[]): [Map<string, Tensor>, Tensor[], int[], [int, int]] {
    const out = new Map<string, Tensor>();
    for (const [k, v] of d) {
      out.set(k + "_x2", v.mul(2));
    }
    out.set("sum", torch.stack(xs).sum(0).add(t[0].mul(t[1])));
    const ys: Tensor[] = xs.map((x) => x.add(1));
    ys.push(torch.zeros([1]));
    const li2 = li.toSorted((a, b) => a - b);
    li2.push(li.length);
    return [out, ys, li2, [d.size, li[0]]];
  }
}`, { file: "<containers cell>" });
  it("types_containers_scripted", () => void checkCase("types_containers_scripted", new Containers()));

  const { ScalarsOptional, Int64Bool } = defineCell(`
class ScalarsOptional extends nn.Module {
  forward(x: Tensor, a: int, b: float, flag: boolean, opt: Tensor | null, s: int | null = null): [Tensor, float, boolean, int, int | null] {
    let y = x.mul(a).add(b);
    if (flag) {
      y = y.neg();
    }
    if (opt !== null) {
      y = y.add(opt);
    }
    const c = Number(a) / 2.0 + b;
    const k = Math.floor(a / 3) + (s !== null ? s : -1);
    return [y, c, !flag, k, s];
  }
}

class Int64Bool extends nn.Module {
  forward(x: Tensor, idx: Tensor, mask: Tensor): [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor] {
    const am = x.argmax(1);
    const gt = x.gt(0.5);
    const sel = x.index(mask);
    const g = x.index_select(0, idx);
    const cnt = gt.sum();
    const fd = torch.div(idx.mul(7), 2, {rounding_mode: "floor"});
    const w = torch.where(gt, x, torch.zeros_like(x));
    const anyall = torch.stack([gt.any(), gt.all(), mask.logical_not().any()]);
    return [am, gt, sel, g, cnt, fd, w, anyall];
  }
}
`, { file: "<cell 6>" });

  const jitScope = { torch: { ...torch, jit: { ...torch.jit, script } } };
  const { WithExport, WithIgnoreUnused } = defineCell(`
class WithExport extends nn.Module {
  lin = new nn.Linear(4, 2);
  scale: float = 2.0;
  forward(x: Tensor): Tensor {
    return this.lin(x).mul(this.scale);
  }
  @torch.jit.export
  encode(x: Tensor): Tensor {
    return torch.relu(this.lin(x));
  }
  @torch.jit.export
  describe(k: int): string {
    return "scale=" + String(this.scale) + " k=" + String(k);
  }
}

class WithIgnoreUnused extends nn.Module {
  use_debug = false;
  @torch.jit.ignore
  debug_info(x: Tensor): string {
    return \`sum=\${x.sum().item()}\`;
  }
  @torch.jit.unused
  debug_path(x: Tensor): Tensor {
    return new Proxy(x, {});
  }
  forward(x: Tensor): Tensor {
    if (this.use_debug) {
      this.debug_path(x);
    }
    return x.mul(3);
  }
}
`, { file: "<cell 7>", scope: jitScope });

  it("exported_methods_scripted: @torch.jit.export methods are compiled and callable", () => {
    const scripted = checkCase("exported_methods_scripted", new WithExport());
    expect((scripted as unknown as { describe(k: number): string }).describe(7)).toBe("scale=2. k=7");
  });
  it("ignore_unused_scripted: an unused method's call raises, an ignored one is not compiled", () => {
    const scripted = checkCase("ignore_unused_scripted", new WithIgnoreUnused());
    expect(scripted.getMethod("debug_info")).toBeUndefined();
    expect(scripted.getMethod("debug_path")).toBeUndefined();
    scripted.setAttr("use_debug", true);
    expect(() => (scripted as unknown as (x: Tensor) => Tensor)(torch.ones(2))).toThrow(/annotated to be ignored and cannot be run/);
  });
  it("types_scalars_optional_scripted", () => void checkCase("types_scalars_optional_scripted", new ScalarsOptional()));
  it("int64_bool_tensors_scripted", () => void checkCase("int64_bool_tensors_scripted", new Int64Bool()));
  it("nn_conv_bn_pool_scripted", () => void checkCase("nn_conv_bn_pool_scripted", new ConvPoolBN().eval()));
  it("nested_submodules_scripted", () => void checkCase("nested_submodules_scripted", new NestedTop()));
  it("buffers_state_scripted: in-place buffer updates carry across calls", () => {
    // eager and scripted each update their own buffers: run them on twins, in call order
    const scripted = checkCase("buffers_state_scripted", new BufferState(), () => new BufferState());
    expect(Number((scripted as unknown as { count: Tensor }).count.item())).toBeGreaterThan(0);
  });
  it("seed_decision_gate_scripted", () => void checkCase("seed_decision_gate_scripted", new MyDecisionGate()));
  it("seed_mycell_v2_scripted", () => void checkCase("seed_mycell_v2_scripted", new MyCell_v2(new MyDecisionGate())));
  it("nn_linear_scripted", () => void checkCase("nn_linear_scripted", new torch.nn.Linear(5, 3)));
  it("mlp_scripted", () => void checkCase("mlp_scripted", new MLP()));
  it("control_flow_scripted", () => void checkCase("control_flow_scripted", new ControlFlow()));
});
