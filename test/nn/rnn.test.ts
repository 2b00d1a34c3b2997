/**
 * RNN / LSTM / GRU and their cells against PyTorch 1.13: default initialisation after
 * manual_seed (bit for bit), outputs and gradients w.r.t. inputs and weights with PyTorch's
 * weights loaded through load_state_dict, grad_fn names, printing and error messages; plus
 * float64 numeric gradient checks.
 */
import { describe, expect, it } from "vitest";
import { torch, Tensor } from "../../src/index.js";
import { hasTorch, runTorch } from "../support/pytorch.js";
import { gradcheck, leaf } from "../support/gradcheck.js";

const { nn } = torch;
type Module = InstanceType<typeof nn.Module>;

interface J { shape: number[]; data: number[] }

/** [PyTorch module expression, the same module here, input shapes, PyTorch call, the call here]. */
interface Case {
  py: string;
  ts: () => Module;
  shapes: number[][];
  call: string;
  run: (m: Module, xs: Tensor[]) => unknown;
}

const two = (m: Module, xs: Tensor[]) => m(xs[0], xs[1]);
const one = (m: Module, xs: Tensor[]) => m(xs[0]);
const lstmCall = (m: Module, xs: Tensor[]) => m(xs[0], [xs[1], xs[2]]);

const CASES: Case[] = [
  { py: "nn.RNN(3, 5)", ts: () => new nn.RNN(3, 5), shapes: [[4, 2, 3], [1, 2, 5]], call: "m(a, b)", run: two },
  {
    py: "nn.RNN(3, 5, num_layers=2, nonlinearity='relu', bias=False, batch_first=True)",
    ts: () => new nn.RNN(3, 5, { num_layers: 2, nonlinearity: "relu", bias: false, batch_first: true }),
    shapes: [[2, 4, 3], [2, 2, 5]], call: "m(a, b)", run: two,
  },
  {
    py: "nn.LSTM(3, 5, num_layers=2, bidirectional=True)",
    ts: () => new nn.LSTM(3, 5, { num_layers: 2, bidirectional: true }),
    shapes: [[4, 2, 3], [4, 2, 5], [4, 2, 5]], call: "m(a, (b, c))", run: lstmCall,
  },
  {
    py: "nn.LSTM(3, 5, batch_first=True, proj_size=2)",
    ts: () => new nn.LSTM(3, 5, { batch_first: true, proj_size: 2 }),
    shapes: [[2, 4, 3], [1, 2, 2], [1, 2, 5]], call: "m(a, (b, c))", run: lstmCall,
  },
  { py: "nn.LSTM(3, 4, 2)", ts: () => new nn.LSTM(3, 4, 2), shapes: [[5, 3]], call: "m(a)", run: one },
  {
    py: "nn.GRU(3, 5, num_layers=2, bidirectional=True, batch_first=True)",
    ts: () => new nn.GRU(3, 5, { num_layers: 2, bidirectional: true, batch_first: true }),
    shapes: [[2, 4, 3], [4, 2, 5]], call: "m(a, b)", run: two,
  },
  { py: "nn.GRU(3, 5)", ts: () => new nn.GRU(3, 5), shapes: [[4, 3], [1, 5]], call: "m(a, b)", run: two },
  { py: "nn.RNNCell(3, 5)", ts: () => new nn.RNNCell(3, 5), shapes: [[2, 3], [2, 5]], call: "m(a, b)", run: two },
  {
    py: "nn.RNNCell(3, 5, bias=False, nonlinearity='relu')",
    ts: () => new nn.RNNCell(3, 5, { bias: false, nonlinearity: "relu" }),
    shapes: [[2, 3]], call: "m(a)", run: one,
  },
  { py: "nn.LSTMCell(3, 5)", ts: () => new nn.LSTMCell(3, 5), shapes: [[2, 3], [2, 5], [2, 5]], call: "m(a, (b, c))", run: lstmCall },
  { py: "nn.LSTMCell(3, 5, bias=False)", ts: () => new nn.LSTMCell(3, 5, { bias: false }), shapes: [[3]], call: "m(a)", run: one },
  { py: "nn.GRUCell(3, 5)", ts: () => new nn.GRUCell(3, 5), shapes: [[2, 3], [2, 5]], call: "m(a, b)", run: two },
  { py: "nn.GRUCell(3, 5)", ts: () => new nn.GRUCell(3, 5), shapes: [[3], [5]], call: "m(a, b)", run: two },
];

interface Ref {
  repr: string;
  state: [string, J][];
  inputs: J[];
  outs: (J & { grad_fn: string | null })[];
  ws: J[];
  input_grads: J[];
  param_grads: [string, J][];
}

/** Seeded modules with dropout between layers, run in train mode on torch.randn inputs. */
const DROPOUT_PY = `
torch.manual_seed(7)
lstm = nn.LSTM(3, 4, num_layers=3, dropout=0.4, bidirectional=True)
x = torch.randn(5, 2, 3)
out, (h, c) = lstm(x)
gru = nn.GRU(3, 4, num_layers=2, dropout=0.6, batch_first=True)
o2, h2 = gru(x)
dropout = [[T(out), T(h), T(c)], [T(o2), T(h2)]]
`;

function reference(): { cases: Ref[]; dropout: J[][] } {
  const cases = CASES.map((c) => `(${JSON.stringify(c.py)}, ${JSON.stringify(c.shapes)}, ${JSON.stringify(c.call)})`);
  return runTorch<{ cases: Ref[]; dropout: J[][] }>(`
from torch import nn
def T(t): return dict(shape=list(t.shape), data=t.detach().flatten().tolist())
def flat(o): return [o] if isinstance(o, torch.Tensor) else [t for x in o for t in flat(x)]
res = []
for k, (expr, shapes, call) in enumerate([${cases.join(", ")}]):
    torch.manual_seed(k)
    m = eval(expr)
    state = [[n, T(v)] for n, v in m.state_dict().items()]
    xs = [torch.randn(s, requires_grad=True) for s in shapes]
    a, b, c = (xs + [None, None])[:3]
    outs = flat(eval(call))
    ws = [torch.randn(o.shape) for o in outs]
    sum((o * w).sum() for o, w in zip(outs, ws)).backward()
    res.append(dict(repr=repr(m), state=state, inputs=[T(x) for x in xs],
        outs=[dict(T(o), grad_fn=type(o.grad_fn).__name__ if o.grad_fn else None) for o in outs],
        ws=[T(w) for w in ws], input_grads=[T(x.grad) for x in xs],
        param_grads=[[n, T(p.grad)] for n, p in m.named_parameters()]))
${DROPOUT_PY}
print(json.dumps(dict(cases=res, dropout=dropout)))
`);
}

const fromJ = (j: J, dtype: "float32" | "float64" = "float32"): Tensor => torch.tensor(j.data, { dtype }).reshape(j.shape);

function flat(o: unknown): Tensor[] {
  return o instanceof Tensor ? [o] : (o as unknown[]).flatMap(flat);
}

function expectClose(got: Tensor, want: J, what: string, atol = 2e-5, rtol = 1e-4): void {
  expect(got.shape, `${what} shape`).toEqual(want.shape);
  const g = got.contiguousData();
  const bad: string[] = [];
  want.data.forEach((w, i) => {
    if (!(Math.abs(g[i]! - w) <= atol + rtol * Math.abs(w))) bad.push(`${what}[${i}] got ${g[i]} want ${w}`);
  });
  expect(bad.slice(0, 5)).toEqual([]);
}

const REF = hasTorch ? reference() : null;
const refs = REF?.cases ?? [];
const dropoutRef = REF?.dropout ?? null;

describe.skipIf(!hasTorch)("recurrent layers against PyTorch", () => {
  CASES.forEach((c, k) => {
    it(`${c.py}: repr, parameter names and default init after manual_seed(${k})`, () => {
      const r = refs[k]!;
      torch.manual_seed(k);
      const m = c.ts();
      expect(String(m)).toBe(r.repr);
      const sd = [...m.state_dict()];
      expect(sd.map(([n, t]) => [n, t.shape])).toEqual(r.state.map(([n, j]) => [n, j.shape]));
      sd.forEach(([n, t], i) => expect(Array.from(t.contiguousData()), n).toEqual(r.state[i]![1].data.map(Math.fround)));
    });

    it(`${c.py}: ${c.call} outputs and gradients with PyTorch's weights`, () => {
      const r = refs[k]!;
      const m = c.ts();
      m.load_state_dict(new Map(r.state.map(([n, j]) => [n, fromJ(j)])));
      const xs = r.inputs.map((j) => fromJ(j).requires_grad_());
      const outs = flat(c.run(m, xs));
      expect(outs.length).toBe(r.outs.length);
      outs.forEach((o, i) => {
        expectClose(o, r.outs[i]!, `out${i}`);
        // ATen finishes batch_first with an in-place transpose_ (TransposeBackward1); tsjit has
        // no transpose_ and uses transpose (TransposeBackward0).
        const want = r.outs[i]!.grad_fn === "TransposeBackward1" ? "TransposeBackward0" : r.outs[i]!.grad_fn;
        expect(o.grad_fn?.name() ?? null, `out${i} grad_fn`).toBe(want);
      });
      const loss = outs.map((o, i) => o.mul(fromJ(r.ws[i]!)).sum()).reduce((a, b) => a.add(b));
      loss.backward();
      xs.forEach((x, i) => expectClose(x.grad!, r.input_grads[i]!, `input${i}.grad`));
      const params = new Map(m.named_parameters());
      for (const [n, j] of r.param_grads) expectClose(params.get(n)!.grad!, j, `${n}.grad`);
    });
  });
});

describe.skipIf(!hasTorch)("dropout between layers in train mode draws as PyTorch", () => {
  it("seeded LSTM and GRU with dropout match PyTorch (init, randn inputs, dropout masks)", () => {
    const ref = dropoutRef!;
    torch.manual_seed(7);
    const lstm = new nn.LSTM(3, 4, { num_layers: 3, dropout: 0.4, bidirectional: true });
    const x = torch.randn(5, 2, 3);
    const [out, [h, c]] = lstm(x) as [Tensor, [Tensor, Tensor]];
    const gru = new nn.GRU(3, 4, { num_layers: 2, dropout: 0.6, batch_first: true });
    const [o2, h2] = gru(x) as [Tensor, Tensor];
    [out, h, c].forEach((t, i) => expectClose(t, ref[0]![i]!, `lstm out${i}`));
    [o2, h2].forEach((t, i) => expectClose(t, ref[1]![i]!, `gru out${i}`));
  });
});

describe("recurrent layers: numeric gradients (float64)", () => {
  const dbl = (m: Module): Module => m.double();
  it("LSTMCell, GRUCell, RNNCell", () => {
    const x = leaf([2, 3], 1);
    const h = leaf([2, 4], 2);
    const c = leaf([2, 4], 3);
    const lstm = dbl(new nn.LSTMCell(3, 4));
    gradcheck((a, b, d) => lstm(a, [b, d]) as Tensor[], [x, h, c]);
    const gru = dbl(new nn.GRUCell(3, 4));
    gradcheck((a, b) => gru(a, b) as Tensor, [x, h]);
    const rnn = dbl(new nn.RNNCell(3, 4, { nonlinearity: "relu" }));
    gradcheck((a, b) => rnn(a, b) as Tensor, [x, h]);
  });

  it("bidirectional two-layer LSTM and GRU, including weight gradients", () => {
    const x = leaf([3, 2, 2], 4);
    const lstm = dbl(new nn.LSTM(2, 3, { num_layers: 2, bidirectional: true }));
    const w = (lstm as unknown as Record<string, Tensor>).weight_hh_l1_reverse!;
    gradcheck((a, wt) => {
      void wt;
      const [out, [hn, cn]] = lstm(a) as [Tensor, [Tensor, Tensor]];
      return [out, hn, cn];
    }, [x, w]);
    const gru = dbl(new nn.GRU(2, 3, { batch_first: true, bidirectional: true }));
    gradcheck((a, wt) => {
      void wt;
      const [out, hn] = gru(a) as [Tensor, Tensor];
      return [out, hn];
    }, [x, (gru as unknown as Record<string, Tensor>).bias_hh_l0!]);
  });
});

describe("recurrent layers: construction, printing and errors", () => {
  it("registers parameters in PyTorch's order", () => {
    const m = new nn.LSTM(10, 20, { num_layers: 2, bidirectional: true, proj_size: 5 });
    expect(m.named_parameters().map(([n, p]) => `${n} ${p.shape.join("x")}`)).toEqual([
      "weight_ih_l0 80x10", "weight_hh_l0 80x5", "bias_ih_l0 80", "bias_hh_l0 80", "weight_hr_l0 5x20",
      "weight_ih_l0_reverse 80x10", "weight_hh_l0_reverse 80x5", "bias_ih_l0_reverse 80", "bias_hh_l0_reverse 80",
      "weight_hr_l0_reverse 5x20",
      "weight_ih_l1 80x10", "weight_hh_l1 80x5", "bias_ih_l1 80", "bias_hh_l1 80", "weight_hr_l1 5x20",
      "weight_ih_l1_reverse 80x10", "weight_hh_l1_reverse 80x5", "bias_ih_l1_reverse 80", "bias_hh_l1_reverse 80",
      "weight_hr_l1_reverse 5x20",
    ]);
    expect(new nn.GRUCell(4, 8, { bias: false }).named_parameters().map(([n]) => n)).toEqual(["weight_ih", "weight_hh"]);
  });

  it("prints as PyTorch", () => {
    expect(String(new nn.LSTM(10, 20, 2))).toBe("LSTM(10, 20, num_layers=2)");
    expect(String(new nn.GRUCell(4, 8))).toBe("GRUCell(4, 8)");
    expect(String(new nn.RNNCell(4, 8, { bias: false, nonlinearity: "relu" }))).toBe("RNNCell(4, 8, bias=False, nonlinearity=relu)");
    expect(String(new nn.GRU(3, 4, { num_layers: 2, batch_first: true, dropout: 0.5, bidirectional: true })))
      .toBe("GRU(3, 4, num_layers=2, batch_first=True, dropout=0.5, bidirectional=True)");
    expect(String(new nn.RNN(3, 4, { nonlinearity: "relu", bias: false }))).toBe("RNN(3, 4, bias=False)");
  });

  it("raises PyTorch's errors", () => {
    const lstm = new nn.LSTM(3, 4);
    expect(() => lstm(torch.zeros(2, 1, 5))).toThrow("input.size(-1) must be equal to input_size. Expected 3, got 5");
    expect(() => lstm(torch.zeros(2, 1, 3), [torch.zeros(1, 2, 4), torch.zeros(1, 1, 4)]))
      .toThrow("Expected hidden[0] size (1, 1, 4), got [1, 2, 4]");
    expect(() => lstm(torch.zeros(2, 1, 3), [torch.zeros(1, 4), torch.zeros(1, 1, 4)]))
      .toThrow("For batched 3-D input, hx and cx should also be 3-D but got (2-D, 3-D) tensors");
    const gru = new nn.GRU(3, 4);
    expect(() => gru(torch.zeros(2, 3), torch.zeros(1, 1, 4)))
      .toThrow("For unbatched 2-D input, hx should also be 2-D but got 3-D tensor");
    expect(() => gru(torch.zeros(2, 1, 3), torch.zeros(2, 1, 4))).toThrow("Expected hidden size (1, 1, 4), got [2, 1, 4]");
    expect(() => new nn.GRUCell(3, 4)(torch.zeros(2, 2, 3))).toThrow("GRUCell: Expected input to be 1-D or 2-D but received 3-D tensor");
    expect(() => new nn.RNNCell(3, 4)(torch.zeros(2, 5))).toThrow("input has inconsistent input_size: got 5 expected 3");
    expect(() => new nn.LSTMCell(3, 4)(torch.zeros(2, 3), [torch.zeros(3, 4), torch.zeros(2, 4)]))
      .toThrow("Input batch size 2 doesn't match hidden0 batch size 3");
    expect(() => new nn.GRU(3, 4, { proj_size: 2 })).toThrow("proj_size argument is only supported for LSTM, not RNN or GRU");
    expect(() => new nn.LSTM(3, 4, { proj_size: 4 })).toThrow("proj_size has to be smaller than hidden_size");
    expect(() => new nn.RNN(3, 4, { nonlinearity: "gelu" })).toThrow("Unknown nonlinearity 'gelu'");
    expect(() => new nn.LSTM(3, 4, { dropout: 1.5 })).toThrow("dropout should be a number in range [0, 1]");
  });

  it("keeps working after parameters are reassigned (flat weights are read by name)", () => {
    const m = new nn.GRU(2, 3) as InstanceType<typeof nn.GRU> & Record<string, Tensor>;
    m.weight_hh_l0 = new nn.Parameter(torch.zeros(9, 3));
    expect(m._flat_weights[1]).toBe(m.weight_hh_l0);
  });
});
