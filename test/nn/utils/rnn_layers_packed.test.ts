/**
 * nn.LSTM / nn.GRU / nn.RNN on a PackedSequence against PyTorch 1.13: a padded batch with
 * unsorted lengths is packed (enforce_sorted=False), run with and without an initial state,
 * and the packed output, the final state (in the caller's batch order) and the gradients of
 * the padded input, the initial state and every weight must equal PyTorch's.
 */
import { describe, expect, it } from "vitest";
import { torch, Tensor } from "../../../src/index.js";
import { hasTorch, runTorch } from "../../support/pytorch.js";
import { PY_T, expectClose, fromJ, type J } from "./support.js";

const { nn } = torch;
const R = nn.utils.rnn;
type Module = InstanceType<typeof nn.Module>;

const LENGTHS = [2, 5, 3, 1];

interface Case {
  py: string;
  ts: () => Module;
  /** Whether the layer is batch_first (the padded input and the packing follow it). */
  batchFirst: boolean;
  /** Initial state shapes ([] for none: zeros). */
  hx: number[][];
}

const CASES: Case[] = [
  {
    py: "nn.LSTM(3, 4, num_layers=2, bidirectional=True)", ts: () => new nn.LSTM(3, 4, { num_layers: 2, bidirectional: true }),
    batchFirst: false, hx: [[4, 4, 4], [4, 4, 4]],
  },
  { py: "nn.LSTM(3, 5, proj_size=2)", ts: () => new nn.LSTM(3, 5, { proj_size: 2 }), batchFirst: false, hx: [] },
  {
    py: "nn.GRU(3, 4, bidirectional=True, batch_first=True)", ts: () => new nn.GRU(3, 4, { bidirectional: true, batch_first: true }),
    batchFirst: true, hx: [[2, 4, 4]],
  },
  {
    py: "nn.RNN(3, 4, num_layers=2, nonlinearity='relu')", ts: () => new nn.RNN(3, 4, { num_layers: 2, nonlinearity: "relu" }),
    batchFirst: false, hx: [],
  },
  { py: "nn.RNN(3, 4)", ts: () => new nn.RNN(3, 4), batchFirst: false, hx: [[1, 4, 4]] },
];

interface Ref {
  state: [string, J][];
  x: J;
  hx: J[];
  outs: J[];
  ws: J[];
  sorted: J;
  x_grad: J;
  hx_grads: J[];
  param_grads: [string, J][];
}

function reference(): Ref[] {
  const cases = CASES.map((c) => `(${JSON.stringify(c.py)}, ${c.batchFirst ? "True" : "False"}, ${JSON.stringify(c.hx)})`);
  return runTorch<Ref[]>(`${PY_T}
from torch import nn
from torch.nn.utils.rnn import *
res = []
for k, (expr, bf, hx_shapes) in enumerate([${cases.join(", ")}]):
    torch.manual_seed(k)
    m = eval(expr)
    x = torch.randn((4, 5, 3) if bf else (5, 4, 3), requires_grad=True)
    hx = [torch.randn(s, requires_grad=True) for s in hx_shapes]
    p = pack_padded_sequence(x, ${JSON.stringify(LENGTHS)}, batch_first=bf, enforce_sorted=False)
    state = None if not hx else (hx[0] if len(hx) == 1 else tuple(hx))
    out, h = m(p, state)
    outs = [out.data] + ([h] if isinstance(h, torch.Tensor) else list(h))
    ws = [torch.randn(o.shape) for o in outs]
    sum((o * w).sum() for o, w in zip(outs, ws)).backward()
    res.append(dict(state=[[n, T(v)] for n, v in m.state_dict().items()], x=T(x), hx=[T(t) for t in hx],
        outs=[T(o) for o in outs], ws=[T(w) for w in ws], sorted=T(out.sorted_indices), x_grad=T(x.grad),
        hx_grads=[T(t.grad) for t in hx], param_grads=[[n, T(q.grad)] for n, q in m.named_parameters()]))
print(json.dumps(res))
`);
}

const REFS = hasTorch ? reference() : [];

describe.skipIf(!hasTorch)("recurrent layers on a PackedSequence against PyTorch", () => {
  CASES.forEach((c, k) => {
    it(`${c.py}${c.hx.length ? " with an initial state" : ""}: packed output, final state, gradients`, () => {
      const r = REFS[k]!;
      const m = c.ts();
      m.load_state_dict(new Map(r.state.map(([n, j]) => [n, fromJ(j)])));
      const x = fromJ(r.x).requires_grad_();
      const hx = r.hx.map((j) => fromJ(j).requires_grad_());
      const packed = R.pack_padded_sequence(x, LENGTHS, { batch_first: c.batchFirst, enforce_sorted: false });
      const state = hx.length === 0 ? null : hx.length === 1 ? hx[0] : [hx[0], hx[1]];
      const [out, h] = m(packed, state) as [InstanceType<typeof R.PackedSequence>, Tensor | Tensor[]];
      expect(out).toBeInstanceOf(R.PackedSequence);
      expect(out.batch_sizes).toBe(packed.batch_sizes);
      expectClose(out.sorted_indices!, r.sorted, "sorted_indices", 0, 0);
      const outs = [out.data, ...(h instanceof Tensor ? [h] : h)];
      expect(outs.length).toBe(r.outs.length);
      outs.forEach((o, i) => expectClose(o, r.outs[i]!, `out${i}`, 2e-5, 1e-4));
      outs.map((o, i) => o.mul(fromJ(r.ws[i]!)).sum()).reduce((a, b) => a.add(b)).backward();
      expectClose(x.grad!, r.x_grad, "x.grad", 2e-5, 1e-4);
      hx.forEach((t, i) => expectClose(t.grad!, r.hx_grads[i]!, `hx${i}.grad`, 2e-5, 1e-4));
      const params = new Map(m.named_parameters());
      for (const [n, j] of r.param_grads) expectClose(params.get(n)!.grad!, j, `${n}.grad`, 2e-5, 1e-4);
    });
  });
});

describe("recurrent layers on a PackedSequence: checks of their own", () => {
  it("the packed run equals running each sequence alone, unsorted lengths and state in the caller's order", () => {
    torch.manual_seed(3);
    const lstm = new nn.LSTM(2, 3, { bidirectional: true });
    const seqs = LENGTHS.map((n) => torch.randn(n, 2));
    const h0 = torch.randn(2, 4, 3);
    const c0 = torch.randn(2, 4, 3);
    const [out, [hn, cn]] = lstm(R.pack_sequence(seqs, { enforce_sorted: false }), [h0, c0]);
    const [padded] = R.pad_packed_sequence(out);
    seqs.forEach((s, b) => {
      const own = (t: Tensor) => t.narrow(1, b, 1);
      const [o, [h, c]] = lstm(s.unsqueeze(1), [own(h0), own(c0)]);
      const diff = (a: Tensor, w: Tensor) => a.sub(w).abs().max().item();
      expect(diff(padded.narrow(1, b, 1).narrow(0, 0, s.size(0)), o), `output of sequence ${b}`).toBeLessThan(1e-6);
      expect(diff(own(hn), h), `h_n of sequence ${b}`).toBeLessThan(1e-6);
      expect(diff(own(cn), c), `c_n of sequence ${b}`).toBeLessThan(1e-6);
    });
  });

  it("checks the packed rows and the state against the PackedSequence, with PyTorch's messages", () => {
    const gru = new nn.GRU(3, 4);
    const packed = R.pack_sequence([torch.randn(3, 3), torch.randn(2, 3)]);
    expect(() => gru(packed, torch.randn(1, 3, 4))).toThrow("Expected hidden size (1, 2, 4), got [1, 3, 4]");
    const lstm = new nn.LSTM(5, 4);
    expect(() => lstm(packed)).toThrow("input.size(-1) must be equal to input_size. Expected 5, got 3");
    const flat = new R.PackedSequence(torch.randn(5, 1, 3), packed.batch_sizes);
    expect(() => gru(flat)).toThrow("input must have 2 dimensions, got 3");
  });
});
