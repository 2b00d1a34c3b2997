/**
 * torch.jit.script on the nn layers whose eager forward is not script source (recurrent cells
 * and networks, losses, MultiheadAttention): each scripts from the TypeScript source its class
 * registers (Note [layer script sources] in src/nn/layers/rnn_cells_script_source.ts), gives
 * eager's outputs and gradients, and, where PyTorch is available, PyTorch's scripted module on
 * the same weights and inputs gives the same outputs and gradients. A scripted LSTM saved by
 * tsjit loads and runs in PyTorch.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { torch } from "../../../src/index.js";
import { script } from "../../../src/jit/script.js";
import { save } from "../../../src/jit/serialize/jit_save.js";
import { hasTorch } from "../../support/pytorch.js";
import { difference, runTorchFile, type Encoded } from "../serialize/values.js";

const nn = torch.nn;
type Tensor = torch.Tensor;
type Module = torch.nn.Module;
type Call = (...args: unknown[]) => unknown;

interface Case {
  readonly name: string;
  /** The same layer in Python (its weights are then loaded from ours). */
  readonly python: string;
  readonly make: () => Module;
  /** Arguments after the module; arrays are tuples. Float tensors get gradients. */
  readonly args: () => unknown[];
  /**
   * PyTorch 1.13 cannot script this configuration (MultiheadAttention with kdim/vdim or without
   * bias: its fast-path check reads `.dtype` of a None in_proj_weight / in_proj_bias), so its
   * eager module is the reference.
   */
  readonly pytorchEager?: boolean;
  /** The aten op (a RegExp) the scripted graph must call: the layer's own kernel, as in PyTorch's graph. */
  readonly op: string;
}

const CASES: readonly Case[] = [
  { name: "RNNCell", python: "nn.RNNCell(3, 4)", make: () => new nn.RNNCell(3, 4), args: () => [torch.randn(2, 3)], op: "aten::rnn_tanh_cell" },
  {
    name: "RNNCell relu unbatched with hx", python: "nn.RNNCell(3, 4, nonlinearity='relu')",
    make: () => new nn.RNNCell(3, 4, { nonlinearity: "relu" }), args: () => [torch.randn(3), torch.randn(4)], op: "aten::rnn_relu_cell",
  },
  { name: "GRUCell", python: "nn.GRUCell(3, 4)", make: () => new nn.GRUCell(3, 4), args: () => [torch.randn(2, 3), torch.randn(2, 4)], op: "aten::gru_cell" },
  {
    name: "LSTMCell with state", python: "nn.LSTMCell(3, 4)", make: () => new nn.LSTMCell(3, 4),
    args: () => [torch.randn(2, 3), [torch.randn(2, 4), torch.randn(2, 4)]], op: "aten::lstm_cell",
  },
  { name: "LSTMCell unbatched", python: "nn.LSTMCell(3, 4, bias=False)", make: () => new nn.LSTMCell(3, 4, { bias: false }), args: () => [torch.randn(3)], op: "aten::lstm_cell" },
  { name: "LSTM", python: "nn.LSTM(3, 4)", make: () => new nn.LSTM(3, 4), args: () => [torch.randn(5, 2, 3)], op: "aten::lstm" },
  {
    name: "LSTM 2-layer bidirectional batch_first with state", python: "nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True)",
    make: () => new nn.LSTM(3, 4, { num_layers: 2, bidirectional: true, batch_first: true }),
    args: () => [torch.randn(2, 5, 3), [torch.randn(4, 2, 4), torch.randn(4, 2, 4)]], op: "aten::lstm",
  },
  { name: "LSTM proj_size unbatched", python: "nn.LSTM(3, 5, proj_size=2)", make: () => new nn.LSTM(3, 5, { proj_size: 2 }), args: () => [torch.randn(4, 3)], op: "aten::lstm" },
  {
    name: "GRU 2-layer with state", python: "nn.GRU(3, 4, num_layers=2)", make: () => new nn.GRU(3, 4, { num_layers: 2 }),
    args: () => [torch.randn(5, 2, 3), torch.randn(2, 2, 4)], op: "aten::gru",
  },
  { name: "RNN", python: "nn.RNN(3, 4)", make: () => new nn.RNN(3, 4), args: () => [torch.randn(5, 2, 3)], op: "aten::rnn_tanh" },
  {
    name: "RNN relu unbatched with state", python: "nn.RNN(3, 4, nonlinearity='relu', bidirectional=True)",
    make: () => new nn.RNN(3, 4, { nonlinearity: "relu", bidirectional: true }), args: () => [torch.randn(5, 3), torch.randn(2, 4)], op: "aten::rnn_relu",
  },
  { name: "MSELoss", python: "nn.MSELoss()", make: () => new nn.MSELoss(), args: () => [torch.randn(3, 4), torch.randn(3, 4)], op: "aten::mse_loss" },
  {
    name: "MSELoss sum broadcast", python: "nn.MSELoss(reduction='sum')", make: () => new nn.MSELoss({ reduction: "sum" }),
    args: () => [torch.randn(3, 4), torch.randn(4)], op: "aten::mse_loss",
  },
  {
    name: "NLLLoss weighted", python: "nn.NLLLoss(weight=torch.tensor([1., 2., 0.5, 1., 3.]))",
    make: () => new nn.NLLLoss({ weight: torch.tensor([1, 2, 0.5, 1, 3]) }),
    args: () => [torch.randn(3, 5).log_softmax(1), torch.tensor([1, 0, 4])], op: "aten::nll_loss_nd",
  },
  {
    name: "CrossEntropyLoss", python: "nn.CrossEntropyLoss()", make: () => new nn.CrossEntropyLoss(),
    args: () => [torch.randn(3, 5), torch.tensor([1, 0, 4])], op: "aten::cross_entropy_loss",
  },
  {
    name: "CrossEntropyLoss smoothed, no reduction", python: "nn.CrossEntropyLoss(reduction='none', label_smoothing=0.1, ignore_index=0)",
    make: () => new nn.CrossEntropyLoss({ reduction: "none", label_smoothing: 0.1, ignore_index: 0 }),
    args: () => [torch.randn(3, 5), torch.tensor([1, 0, 4])], op: "aten::cross_entropy_loss",
  },
  {
    name: "MultiheadAttention self-attention", python: "nn.MultiheadAttention(4, 2)", make: () => new nn.MultiheadAttention(4, 2),
    args: () => { const x = torch.randn(3, 2, 4); return [x, x, x]; }, op: "aten::baddbmm|aten::bmm",
  },
  {
    name: "MultiheadAttention kdim/vdim, bias_kv, zero_attn, batch_first, masks",
    python: "nn.MultiheadAttention(4, 2, kdim=3, vdim=5, add_bias_kv=True, add_zero_attn=True, batch_first=True)",
    make: () => new nn.MultiheadAttention(4, 2, { kdim: 3, vdim: 5, add_bias_kv: true, add_zero_attn: true, batch_first: true }),
    args: () => [torch.randn(2, 3, 4), torch.randn(2, 6, 3), torch.randn(2, 6, 5), torch.tensor([[false, false, true, false, false, true], [false, false, false, false, false, false]]),
      true, torch.randn(3, 6), false], op: "aten::baddbmm", pytorchEager: true,
  },
  {
    name: "MultiheadAttention unbatched, bool attn_mask, no bias", python: "nn.MultiheadAttention(4, 1, bias=False)",
    make: () => new nn.MultiheadAttention(4, 1, { bias: false }),
    args: () => [torch.randn(3, 4), torch.randn(5, 4), torch.randn(5, 4), null, true, torch.tensor([[false, true, false, false, false], [false, false, false, true, false], [true, false, false, false, false]])],
    op: "aten::baddbmm", pytorchEager: true,
  },
];

/** The tensors of a (nested) result, in order; null (no attention weights) is left out. */
function tensorsOf(v: unknown): Tensor[] {
  if (v instanceof torch.Tensor) return [v];
  if (Array.isArray(v)) return v.flatMap(tensorsOf);
  return [];
}

/** Fresh copies of the arguments, float tensors requiring grad (so eager and script runs start equal). */
function cloneArgs(args: unknown[]): unknown[] {
  const copy = (v: unknown): unknown => {
    if (v instanceof torch.Tensor) {
      const c = v.detach().clone();
      return c.is_floating_point() ? c.requires_grad_(true) : c;
    }
    return Array.isArray(v) ? v.map(copy) : v;
  };
  return args.map(copy);
}

interface Run {
  outputs: Tensor[];
  /** Gradients of the sum of all outputs: the float arguments' then the parameters' by name. */
  grads: Map<string, Tensor | null>;
}

function run(m: Module, f: Call, args: unknown[]): Run {
  for (const p of m.parameters()) p.grad = null;
  const a = cloneArgs(args);
  const outputs = tensorsOf(f(...a));
  outputs.map((t) => t.sum()).reduce((x, y) => x.add(y)).backward();
  const grads = new Map<string, Tensor | null>();
  tensorsOf(a).filter((t) => t.is_floating_point()).forEach((t, i) => grads.set(`arg${i}`, t.grad));
  for (const [name, p] of m.named_parameters()) grads.set(name, p.grad);
  return { outputs: outputs.map((t) => t.detach()), grads };
}

const close = (a: Tensor | null, b: Tensor | null): boolean =>
  a === null || b === null ? a === b : torch.allclose(a, b, { rtol: 1e-5, atol: 1e-6 });

/** The Python encoding (test/jit/serialize/values.ts) of a value, tuples for arrays. */
function encode(v: unknown): Encoded {
  if (v instanceof torch.Tensor) return { type: "tensor", dtype: v.dtype.name, shape: [...v.shape], data: v.contiguous().flatten().tolist() as unknown[] };
  if (Array.isArray(v)) return { type: "tuple", items: v.map(encode) };
  if (v === null) return { type: "none" };
  if (typeof v === "boolean") return { type: "bool", value: v };
  throw new Error(`cannot encode ${String(v)}`);
}

const PY_DECODE = `
def dec(v):
    if v["type"] == "tensor":
        return torch.tensor(v["data"], dtype=getattr(torch, v["dtype"])).reshape(v["shape"])
    if v["type"] == "tuple": return tuple(dec(x) for x in v["items"])
    if v["type"] == "bool": return v["value"]
    return None
def tensors(v):
    if isinstance(v, torch.Tensor): return [v]
    if isinstance(v, (tuple, list)): return [t for x in v for t in tensors(x)]
    return []
`;

/** PyTorch's scripted layer on our weights and arguments: outputs and gradients, encoded. */
function pytorchRuns(cases: readonly { c: Case; m: Module; args: unknown[] }[]): { outputs: Encoded; grads: Record<string, Encoded> }[] {
  const dir = mkdtempSync(join(tmpdir(), "tsjit-nnscript-"));
  const payload = cases.map(({ c, m, args }) => ({
    python: c.python,
    eager: c.pytorchEager === true,
    state: Object.fromEntries([...m.state_dict()].map(([k, t]) => [k, encode(t)])),
    args: args.map(encode),
  }));
  return runTorchFile(dir, "layers", `${PY_DECODE}
import torch.nn as nn
torch.manual_seed(0)
results = []
for case in json.loads(${JSON.stringify(JSON.stringify(payload))}):
    m = eval(case["python"])
    m.load_state_dict({k: dec(v) for k, v in case["state"].items()})
    s = m if case["eager"] else torch.jit.script(m)
    args = [dec(a) for a in case["args"]]
    floats = [t.requires_grad_() for t in tensors(args) if t.is_floating_point()]
    # PyTorch scripts RNN / GRU / LSTM to overloads (forward__0 for a Tensor) and no forward
    f = s.forward__0 if hasattr(s, "_c") and s._c._has_method("forward__0") else s
    outs = tensors(f(*args))
    sum(o.sum() for o in outs).backward()
    grads = {"arg%d" % i: enc(t.grad) for i, t in enumerate(floats)}
    grads.update({k: enc(p.grad) for k, p in s.named_parameters()})
    results.append({"outputs": enc([o.detach() for o in outs]), "grads": grads})
print(json.dumps(results))
`);
}

describe("nn layers script from their registered sources", () => {
  const built = CASES.map((c) => {
    torch.manual_seed(0);
    const m = c.make();
    return { c, m, args: c.args() };
  });
  const theirs = hasTorch ? pytorchRuns(built) : [];

  built.forEach(({ c, m, args }, i) => {
    it(`${c.name}: scripts, calls ${c.op}, and equals eager (outputs and gradients)${hasTorch ? ` and PyTorch's ${c.pytorchEager === true ? "eager" : "scripted"} module` : ""}`, () => {
      const s = script(m);
      expect(s.graph.toString()).toMatch(new RegExp(c.op));
      const eager = run(m, m as unknown as Call, args);
      const scripted = run(m, s as unknown as Call, args);
      expect(scripted.outputs.length).toBe(eager.outputs.length);
      scripted.outputs.forEach((t, j) => expect(close(t, eager.outputs[j]!), `output ${j}`).toBe(true));
      for (const [k, g] of eager.grads) expect(close(scripted.grads.get(k) ?? null, g), `grad ${k}`).toBe(true);
      if (!hasTorch) return;
      const ref = theirs[i]!;
      expect(difference(scripted.outputs, ref.outputs)).toBeNull();
      expect([...scripted.grads.keys()].sort()).toEqual(Object.keys(ref.grads).sort());
      for (const [k, g] of scripted.grads) expect(difference(g, ref.grads[k]!, `grad ${k}`)).toBeNull();
    });
  });

  it("LSTM's scripted forward reads the weights list PyTorch's does (self._flat_weights) and checks the state", () => {
    const s = script(new nn.LSTM(3, 4));
    expect(s.graph.toString()).toContain('prim::GetAttr[name="_flat_weights"]');
    expect(s.code).toContain("torch.lstm(input0, [");
    expect(() => (s as unknown as Call)(torch.randn(5, 2, 3), [torch.randn(1, 3, 4), torch.randn(1, 2, 4)]))
      .toThrow("Expected hidden[0] size (1, 2, 4), got [1, 3, 4]");
  });

  it("a scripted cell rejects a 3-D input with PyTorch's assertion", () => {
    const s = script(new nn.GRUCell(3, 4));
    expect(() => (s as unknown as Call)(torch.randn(1, 2, 3))).toThrow("GRUCell: Expected input to be 1-D or 2-D but received 3-D tensor");
  });
});

describe.skipIf(!hasTorch)("a scripted LSTM saved by tsjit", () => {
  it("loads in PyTorch and gives the outputs tsjit gives", () => {
    torch.manual_seed(0);
    const s = script(new nn.LSTM(3, 4, { num_layers: 2, bidirectional: true }));
    const x = torch.randn(5, 2, 3);
    const ours = (s as unknown as Call)(x);
    const dir = mkdtempSync(join(tmpdir(), "tsjit-nnscript-"));
    const path = join(dir, "lstm.pt");
    save(s, path);
    const theirs = runTorchFile<Encoded>(dir, "load_lstm", `${PY_DECODE}
m = torch.jit.load(${JSON.stringify(path)})
# hx is passed: tsjit's archive code leaves out the parameters' defaults (hx=None)
print(json.dumps(enc(m(dec(json.loads(${JSON.stringify(JSON.stringify(encode(x)))})), None))))
`);
    expect(difference(ours, theirs)).toBeNull();
  });
});
