/**
 * nn.MultiheadAttention against PyTorch 1.13: default initialisation after manual_seed (bit for
 * bit), printing, outputs, attention weights and gradients with PyTorch's weights loaded, for
 * self / cross attention, kdim/vdim, batch_first, masks, bias_kv, zero attention and unbatched
 * inputs; plus a float64 numeric gradient check and PyTorch's error messages.
 */
import { describe, expect, it } from "vitest";
import { torch, Tensor } from "../../src/index.js";
import { hasTorch, runTorch } from "../support/pytorch.js";
import { gradcheck, leaf } from "../support/gradcheck.js";

const { nn } = torch;
type Module = InstanceType<typeof nn.Module>;

interface J { shape: number[]; data: number[] }

const KPM = [[false, false, true, false, true], [false, true, false, false, false]];
const MASK2D = [[0, -1.5, 0, 0.5, 0], [0, 0, -Infinity, 0, 0], [1, 0, 0, 0, -2]];
const boolT = (v: boolean[][]): Tensor => torch.tensor(v);
const mask3d = (): Tensor => {
  const vals = Array.from({ length: 4 * 3 * 6 }, (_, i) => (i * 7) % 5 === 0 && i % 6 !== 0);
  return torch.tensor(vals).reshape([4, 3, 6]);
};
const PY_MASKS = `
KPM = torch.tensor(${JSON.stringify(KPM).replace(/false/g, "False").replace(/true/g, "True")})
MASK2D = torch.tensor(${JSON.stringify(MASK2D).replace(/null/g, "float('-inf')")})
MASK3D = torch.tensor([(i * 7) % 5 == 0 and i % 6 != 0 for i in range(4 * 3 * 6)]).reshape(4, 3, 6)
`;

interface Case {
  py: string;
  ts: () => Module;
  shapes: number[][];
  call: string;
  run: (m: Module, xs: Tensor[]) => unknown;
}

const CASES: Case[] = [
  {
    py: "nn.MultiheadAttention(8, 2)", ts: () => new nn.MultiheadAttention(8, 2),
    shapes: [[3, 2, 8]], call: "m(a, a, a)", run: (m, [a]) => m(a, a, a),
  },
  {
    py: "nn.MultiheadAttention(8, 2, kdim=6, vdim=4)", ts: () => new nn.MultiheadAttention(8, 2, { kdim: 6, vdim: 4 }),
    shapes: [[3, 2, 8], [5, 2, 6], [5, 2, 4]], call: "m(a, b, c, key_padding_mask=KPM, average_attn_weights=False)",
    run: (m, [a, b, c]) => m(a, b, c, { key_padding_mask: boolT(KPM), average_attn_weights: false }),
  },
  {
    py: "nn.MultiheadAttention(8, 4, batch_first=True)", ts: () => new nn.MultiheadAttention(8, 4, { batch_first: true }),
    shapes: [[2, 3, 8], [2, 5, 8]], call: "m(a, b, b, KPM, True, MASK2D)",
    run: (m, [a, b]) => m(a, b, b, boolT(KPM), true, torch.tensor(MASK2D)),
  },
  {
    py: "nn.MultiheadAttention(8, 2, bias=False, add_bias_kv=True, add_zero_attn=True)",
    ts: () => new nn.MultiheadAttention(8, 2, { bias: false, add_bias_kv: true, add_zero_attn: true }),
    shapes: [[3, 2, 8], [4, 2, 8], [4, 2, 8]], call: "m(a, b, c, attn_mask=MASK3D[:, :, :4].contiguous())",
    run: (m, [a, b, c]) => m(a, b, c, { attn_mask: mask3d().narrow(2, 0, 4).contiguous() }),
  },
  {
    py: "nn.MultiheadAttention(8, 2, add_bias_kv=True)", ts: () => new nn.MultiheadAttention(8, 2, { add_bias_kv: true }),
    shapes: [[3, 8], [4, 8]], call: "m(a, b, b, need_weights=False)",
    run: (m, [a, b]) => m(a, b, b, { need_weights: false }),
  },
  {
    py: "nn.MultiheadAttention(6, 3, dropout=0.5).eval()", ts: () => new nn.MultiheadAttention(6, 3, { dropout: 0.5 }).eval(),
    shapes: [[3, 6], [5, 6], [5, 6]], call: "m(a, b, c, key_padding_mask=KPM[0], attn_mask=MASK2D)",
    run: (m, [a, b, c]) => m(a, b, c, { key_padding_mask: boolT(KPM).select(0, 0), attn_mask: torch.tensor(MASK2D) }),
  },
];

interface Ref {
  repr: string;
  state: [string, J][];
  inputs: J[];
  outs: (J & { grad_fn: string | null })[];
  ws: J[];
  input_grads: J[];
  param_grads: [string, J | null][];
}

/** A seeded module with attention dropout, in train mode, on torch.randn inputs. */
const DROPOUT_PY = `
torch.manual_seed(11)
m = nn.MultiheadAttention(4, 2, dropout=0.3)
x = torch.randn(3, 2, 4)
dropout = [T(t) for t in m(x, x, x)]
`;

function reference(): { cases: Ref[]; dropout: J[] } {
  const cases = CASES.map((c) => `(${JSON.stringify(c.py)}, ${JSON.stringify(c.shapes)}, ${JSON.stringify(c.call)})`);
  return runTorch<{ cases: Ref[]; dropout: J[] }>(`
from torch import nn
${PY_MASKS}
def T(t): return dict(shape=list(t.shape), data=t.detach().flatten().tolist())
def flat(o): return [] if o is None else [o] if isinstance(o, torch.Tensor) else [t for x in o for t in flat(x)]
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
        param_grads=[[n, T(p.grad) if p.grad is not None else None] for n, p in m.named_parameters()]))
${DROPOUT_PY}
print(json.dumps(dict(cases=res, dropout=dropout)).replace("-Infinity", "-1e999"))
`);
}

const fromJ = (j: J): Tensor => torch.tensor(j.data, { dtype: "float32" }).reshape(j.shape);
const flat = (o: unknown): Tensor[] =>
  o === null ? [] : o instanceof Tensor ? [o] : (o as unknown[]).flatMap(flat);

function expectClose(got: Tensor, want: J, what: string, atol = 2e-5, rtol = 1e-4): void {
  expect(got.shape, `${what} shape`).toEqual(want.shape);
  const g = got.contiguousData();
  const bad: string[] = [];
  want.data.forEach((w, i) => {
    const ok = w === g[i] || Math.abs(g[i]! - w) <= atol + rtol * Math.abs(w);
    if (!ok) bad.push(`${what}[${i}] got ${g[i]} want ${w}`);
  });
  expect(bad.slice(0, 5)).toEqual([]);
}

const REF = hasTorch ? reference() : null;
const refs = REF?.cases ?? [];

describe.skipIf(!hasTorch)("MultiheadAttention against PyTorch", () => {
  it("draws attention dropout as PyTorch in train mode", () => {
    torch.manual_seed(11);
    const m = new nn.MultiheadAttention(4, 2, { dropout: 0.3 });
    const x = torch.randn(3, 2, 4);
    flat(m(x, x, x)).forEach((t, i) => expectClose(t, REF!.dropout[i]!, `out${i}`));
  });

  CASES.forEach((c, k) => {
    it(`${c.py}: repr, parameters and default init after manual_seed(${k})`, () => {
      const r = refs[k]!;
      torch.manual_seed(k);
      const m = c.ts();
      expect(String(m)).toBe(r.repr);
      const sd = [...m.state_dict()];
      expect(sd.map(([n, t]) => [n, t.shape])).toEqual(r.state.map(([n, j]) => [n, j.shape]));
      sd.forEach(([n, t], i) => expect(Array.from(t.contiguousData()), n).toEqual(r.state[i]![1].data.map(Math.fround)));
    });

    it(`${c.py}: ${c.call}`, () => {
      const r = refs[k]!;
      const m = c.ts();
      m.load_state_dict(new Map(r.state.map(([n, j]) => [n, fromJ(j)])));
      const xs = r.inputs.map((j) => fromJ(j).requires_grad_());
      const outs = flat(c.run(m, xs));
      expect(outs.length).toBe(r.outs.length);
      outs.forEach((o, i) => {
        expectClose(o, r.outs[i]!, `out${i}`);
        expect(o.grad_fn?.name() ?? null, `out${i} grad_fn`).toBe(r.outs[i]!.grad_fn);
      });
      outs.map((o, i) => o.mul(fromJ(r.ws[i]!)).sum()).reduce((a, b) => a.add(b)).backward();
      xs.forEach((x, i) => expectClose(x.grad!, r.input_grads[i]!, `input${i}.grad`));
      const params = new Map(m.named_parameters());
      for (const [n, j] of r.param_grads) {
        if (j === null) expect(params.get(n)!.grad, n).toBeNull();
        else expectClose(params.get(n)!.grad!, j, `${n}.grad`);
      }
    });
  });
});

describe("MultiheadAttention", () => {
  it("registers parameters in PyTorch's order and prints out_proj as NonDynamicallyQuantizableLinear", () => {
    const m = new nn.MultiheadAttention(8, 2, { add_bias_kv: true, kdim: 4 });
    expect(m.named_parameters().map(([n, p]) => `${n} ${p.shape.join("x")}`)).toEqual([
      "q_proj_weight 8x8", "k_proj_weight 8x4", "v_proj_weight 8x8", "in_proj_bias 24", "bias_k 1x1x8", "bias_v 1x1x8",
      "out_proj.weight 8x8", "out_proj.bias 8",
    ]);
    expect(String(new nn.MultiheadAttention(4, 2))).toBe(
      "MultiheadAttention(\n  (out_proj): NonDynamicallyQuantizableLinear(in_features=4, out_features=4, bias=True)\n)");
  });

  it("passes a float64 numeric gradient check", () => {
    const m = new nn.MultiheadAttention(4, 2, { add_bias_kv: true }).double();
    const inW = (m as unknown as Record<string, Tensor>).in_proj_weight!;
    gradcheck((q, k, v) => m(q, k, v, { attn_mask: torch.zeros(2, 3, { dtype: "float64" }) }) as Tensor[],
      [leaf([2, 1, 4], 1), leaf([3, 1, 4], 2), leaf([3, 1, 4], 3), inW]);
  });

  it("raises PyTorch's errors", () => {
    expect(() => new nn.MultiheadAttention(6, 4)).toThrow("embed_dim must be divisible by num_heads");
    const m = new nn.MultiheadAttention(4, 2);
    const x = torch.zeros(3, 1, 4);
    expect(() => m(x, x, x, { attn_mask: torch.zeros(3, 4) }))
      .toThrow("The shape of the 2D attn_mask is torch.Size([3, 4]), but should be (3, 3).");
    expect(() => m(x, x, x, { key_padding_mask: torch.zeros(1, 3, { dtype: "int64" }) }))
      .toThrow("only bool and floating types of key_padding_mask are supported");
    expect(() => m(torch.zeros(3, 4), x, x))
      .toThrow("For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found 3-D and 3-D tensors respectively");
    expect(() => m(torch.zeros(3, 1, 5), torch.zeros(3, 1, 5), torch.zeros(3, 1, 5)))
      .toThrow("was expecting embedding dimension of 4, but got 5");
    expect(() => m(x, x, x, { attn_mask: torch.zeros(3, 3, 3) }))
      .toThrow("The shape of the 3D attn_mask is torch.Size([3, 3, 3]), but should be (2, 3, 3).");
  });
});
