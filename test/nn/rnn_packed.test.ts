/**
 * The `.data` overloads of aten::lstm / gru / rnn_tanh (a PackedSequence's rows and
 * batch_sizes, what a scripted nn.LSTM's forward__1 calls): each packed sequence must get what
 * the padded `.input` overload gives it when run alone, in both directions and across layers;
 * gradients flow through the row slicing; bad batch_sizes fail with a clear message. PyTorch's
 * own numbers for a packed archive are in test/jit/serialize/torch_written.test.ts.
 */
import { describe, expect, it } from "vitest";
import { torch, Tensor } from "../../src/index.js";
import { gru, lstm, rnn_tanh } from "../../src/nn/layers/rnn_ops.js";
import { gradcheck, leaf } from "../support/gradcheck.js";

const INPUT = 3;
const HIDDEN = 4;
const LAYERS = 2;
const DIRS = 2;
const LENGTHS = [4, 3, 3, 1]; // longest first, as pack_padded_sequence sorts them

/** Flat weights of a 2-layer bidirectional stack with `gates` gates, PyTorch's order. */
function flatWeights(gates: number, dtype: "float32" | "float64" = "float32"): Tensor[] {
  const out: Tensor[] = [];
  for (let l = 0; l < LAYERS; l++) {
    for (let d = 0; d < DIRS; d++) {
      const inSize = l === 0 ? INPUT : HIDDEN * DIRS;
      out.push(torch.randn([gates * HIDDEN, inSize], { dtype }), torch.randn([gates * HIDDEN, HIDDEN], { dtype }),
        torch.randn([gates * HIDDEN], { dtype }), torch.randn([gates * HIDDEN], { dtype }));
    }
  }
  return out;
}

/** batch_sizes of LENGTHS and the packed row of (step, sequence). */
function packing(lengths: number[]): { batchSizes: Tensor; rowOf: (t: number, b: number) => number } {
  const sizes: number[] = [];
  for (let t = 0; t < lengths[0]!; t++) sizes.push(lengths.filter((n) => n > t).length);
  const starts = sizes.map((_, t) => sizes.slice(0, t).reduce((a, b) => a + b, 0));
  return { batchSizes: torch.tensor(sizes, { dtype: "int64" }), rowOf: (t, b) => starts[t]! + b };
}

/** Sequence b alone as [length, 1, INPUT] from the packed rows. */
function sequence(data: Tensor, lengths: number[], b: number): Tensor {
  const { rowOf } = packing(lengths);
  const steps = Array.from({ length: lengths[b]! }, (_, t) => data.narrow(0, rowOf(t, b), 1));
  return torch.stack(steps, 0);
}

function expectClose(got: Tensor, want: Tensor, what: string): void {
  expect(got.shape, what).toEqual(want.shape);
  const g = got.contiguousData();
  const w = want.contiguousData();
  for (let i = 0; i < g.length; i++) expect(Math.abs(g[i]! - w[i]!), `${what}[${i}]`).toBeLessThan(1e-5);
}

describe("packed recurrent operators (.data overloads)", () => {
  it("LSTM: every packed sequence gets what it gets alone, both directions, two layers", () => {
    torch.manual_seed(1);
    const total = LENGTHS.reduce((a, b) => a + b, 0);
    const data = torch.randn([total, INPUT]);
    const h0 = torch.randn([LAYERS * DIRS, LENGTHS.length, HIDDEN]);
    const c0 = torch.randn([LAYERS * DIRS, LENGTHS.length, HIDDEN]);
    const params = flatWeights(4);
    const { batchSizes, rowOf } = packing(LENGTHS);
    const [out, hn, cn] = lstm(data, batchSizes, [h0, c0], params, true, LAYERS, 0, false, true);
    expect(out.shape).toEqual([total, HIDDEN * DIRS]);
    LENGTHS.forEach((length, b) => {
      const own = (s: Tensor) => s.narrow(1, b, 1);
      const [o, h, c] = lstm(sequence(data, LENGTHS, b), [own(h0), own(c0)], params, true, LAYERS, 0, false, true, false);
      for (let t = 0; t < length; t++) expectClose(out.narrow(0, rowOf(t, b), 1), o.select(0, t), `out step ${t} seq ${b}`);
      expectClose(own(hn), h, `h_n seq ${b}`);
      expectClose(own(cn), c, `c_n seq ${b}`);
    });
  });

  it("GRU and tanh RNN: the same against their padded overloads", () => {
    torch.manual_seed(2);
    const total = LENGTHS.reduce((a, b) => a + b, 0);
    const data = torch.randn([total, INPUT]);
    const h0 = torch.randn([LAYERS * DIRS, LENGTHS.length, HIDDEN]);
    const { batchSizes, rowOf } = packing(LENGTHS);
    for (const [op, gates] of [[gru, 3], [rnn_tanh, 1]] as const) {
      const params = flatWeights(gates);
      const [out, hn] = op(data, batchSizes, h0, params, true, LAYERS, 0, false, true);
      LENGTHS.forEach((length, b) => {
        const [o, h] = op(sequence(data, LENGTHS, b), h0.narrow(1, b, 1), params, true, LAYERS, 0, false, true, false);
        for (let t = 0; t < length; t++) expectClose(out.narrow(0, rowOf(t, b), 1), o.select(0, t), `${op.name} out ${t} seq ${b}`);
        expectClose(hn.narrow(1, b, 1), h, `${op.name} h_n seq ${b}`);
      });
    }
  });

  it("gradients through packed rows and states (float64)", () => {
    torch.manual_seed(3);
    const lengths = [3, 2, 1];
    const { batchSizes } = packing(lengths);
    const data = leaf([6, INPUT], 5);
    const h0 = leaf([LAYERS * DIRS, 3, HIDDEN], 6);
    const c0 = leaf([LAYERS * DIRS, 3, HIDDEN], 7);
    const params = flatWeights(4, "float64");
    gradcheck((x, h, c) => lstm(x, batchSizes, [h, c], params, true, LAYERS, 0, false, true), [data, h0, c0]);
  });

  it("refuses batch_sizes that do not describe the packed rows", () => {
    const data = torch.randn([5, INPUT]);
    const h = torch.zeros([1, 3, HIDDEN]);
    const params = flatWeights(3).slice(0, 4);
    const run = (sizes: Tensor, hx = h) => () => gru(data, sizes, hx, params, true, 1, 0, false, false);
    expect(run(torch.tensor([2, 3], { dtype: "int64" }))).toThrow(/non-increasing/);
    expect(run(torch.tensor([3, 1], { dtype: "int64" }))).toThrow(/sum to 4 but the packed input has 5 rows/);
    expect(run(torch.tensor([3, 2], { dtype: "float32" }))).toThrow(/1D int64/);
    expect(run(torch.tensor([3, 2], { dtype: "int64" }), torch.zeros([1, 2, HIDDEN]))).toThrow(/hidden batch size 3, got 2/);
  });
});
