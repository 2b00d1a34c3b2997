/**
 * torch.nn.utils.rnn against PyTorch 1.13: pack_padded_sequence (sorted and unsorted lengths,
 * ties, batch_first, trailing dims) with its data, batch_sizes, permutations, grad_fn and the
 * input's gradient; pad_packed_sequence (padding_value, total_length) and its gradient;
 * pad_sequence / pack_sequence / unpack_sequence; PackedSequence's repr; error messages and
 * classes. Plus float64 numeric gradient checks of the three aten ops.
 */
import { describe, expect, it } from "vitest";
import { torch, Tensor } from "../../../src/index.js";
import { hasTorch, runTorch } from "../../support/pytorch.js";
import { gradcheck, leaf } from "../../support/gradcheck.js";
import { PY_T, expectClose, fromJ, type J } from "./support.js";

const { nn } = torch;
const R = nn.utils.rnn;

/** [input shape, lengths, batch_first, enforce_sorted, total_length]. */
type PackCase = [number[], number[], boolean, boolean, number | null];
const PACK_CASES: PackCase[] = [
  [[4, 3, 2], [4, 2, 1], false, true, null],
  [[3, 5, 2], [2, 5, 1], true, false, 7],
  [[5, 4], [3, 5, 3, 1], false, false, null], // ties: the sort must keep PyTorch's order
  [[4, 2, 2, 3], [4, 4], false, true, 6],
];

interface PackRef {
  x: J; w: J; data: J; batch_sizes: J; sorted: J | null; unsorted: J | null; grad_fn: string; x_grad: J;
  padded: J; lens: J; w2: J; d_grad: J; repr: string;
}

interface SeqRef { seqs: J[]; padded: J[]; w: J[]; grads: J[][]; packed_data: J; packed_bs: J; sorted: J; unpacked: J[] }

interface Ref { packs: PackRef[]; seq: SeqRef; int_repr: string; errors: [string, string][] }

function reference(): Ref {
  return runTorch<Ref>(`${PY_T}
from torch.nn.utils.rnn import *
torch.manual_seed(0)
O = lambda t: None if t is None else T(t)
packs = []
for shape, lengths, bf, es, tl in ${JSON.stringify(PACK_CASES).replace(/null/g, "None").replace(/true/g, "True").replace(/false/g, "False")}:
    x = torch.randn(shape, requires_grad=True)
    p = pack_padded_sequence(x, lengths, batch_first=bf, enforce_sorted=es)
    w = torch.randn(p.data.shape)
    (p.data * w).sum().backward()
    padded, lens = pad_packed_sequence(p, batch_first=bf, padding_value=-1.5, total_length=tl)
    d = p.data.detach().requires_grad_()
    q = PackedSequence(d, p.batch_sizes, p.sorted_indices, p.unsorted_indices)
    padded2, _ = pad_packed_sequence(q, batch_first=bf, total_length=tl)
    w2 = torch.randn(padded2.shape)
    (padded2 * w2).sum().backward()
    packs.append(dict(x=T(x), w=T(w), data=T(p.data), batch_sizes=T(p.batch_sizes), sorted=O(p.sorted_indices),
        unsorted=O(p.unsorted_indices), grad_fn=type(p.data.grad_fn).__name__, x_grad=T(x.grad), padded=T(padded),
        lens=T(lens), w2=T(w2), d_grad=T(d.grad), repr=repr(p)))
seqs = [torch.randn(n, 2, requires_grad=True) for n in (3, 5, 1)]
padded, ws, grads = [], [], []
for bf in (False, True):
    out = pad_sequence(seqs, batch_first=bf, padding_value=0.5)
    w = torch.randn(out.shape)
    for s in seqs: s.grad = None
    (out * w).sum().backward()
    padded.append(T(out)); ws.append(T(w)); grads.append([T(s.grad) for s in seqs])
packed = pack_sequence(seqs, enforce_sorted=False)
seq = dict(seqs=[T(s) for s in seqs], padded=padded, w=ws, grads=grads, packed_data=T(packed.data),
    packed_bs=T(packed.batch_sizes), sorted=T(packed.sorted_indices), unpacked=[T(s) for s in unpack_sequence(packed)])
int_repr = repr(pack_sequence([torch.tensor([1, 2, 3]), torch.tensor([4, 5]), torch.tensor([6])]))
x = torch.randn(4, 3, 2)
p = pack_padded_sequence(x, [4, 2, 1])
errors = []
for name, f in [
    ("zero length", lambda: pack_padded_sequence(x, [4, 2, 0])),
    ("unsorted", lambda: pack_padded_sequence(x, [2, 4, 1])),
    ("lengths count", lambda: pack_padded_sequence(x, [4, 2])),
    ("2-D lengths", lambda: pack_padded_sequence(x, torch.tensor([[4, 2, 1]]))),
    ("empty input", lambda: pack_padded_sequence(torch.randn(0, 3, 2), [4, 2, 1])),
    ("total_length", lambda: pad_packed_sequence(p, total_length=3)),
    ("no sequences", lambda: pad_sequence([])),
    ("pack_sequence unsorted", lambda: pack_sequence([torch.ones(2), torch.ones(3)])),
]:
    try:
        f()
        errors.append([name, "no error"])
    except Exception as e:
        errors.append([name, type(e).__name__ + ": " + str(e)])
print(json.dumps(dict(packs=packs, seq=seq, int_repr=int_repr, errors=errors)))
`);
}

const REF = hasTorch ? reference() : null;

const opt = (j: J | null): Tensor | null => (j === null ? null : fromJ(j));

describe.skipIf(!hasTorch)("nn.utils.rnn against PyTorch", () => {
  PACK_CASES.forEach(([shape, lengths, batchFirst, enforceSorted, totalLength], k) => {
    const label = `[${shape}] lengths [${lengths}] batch_first=${batchFirst} enforce_sorted=${enforceSorted}`;

    it(`pack_padded_sequence ${label}: rows, batch_sizes, permutations, repr, input gradient`, () => {
      const r = REF!.packs[k]!;
      const x = fromJ(r.x).requires_grad_();
      const p = R.pack_padded_sequence(x, lengths, { batch_first: batchFirst, enforce_sorted: enforceSorted });
      expectClose(p.data, r.data, "data", 0, 0);
      expectClose(p.batch_sizes, r.batch_sizes, "batch_sizes", 0, 0);
      for (const [got, want, what] of [[p.sorted_indices, r.sorted, "sorted"], [p.unsorted_indices, r.unsorted, "unsorted"]] as const) {
        if (want === null) expect(got, what).toBeNull();
        else expectClose(got!, want, what, 0, 0);
      }
      expect(p.data.grad_fn?.name()).toBe(r.grad_fn);
      expect(String(p)).toBe(r.repr);
      p.data.mul(fromJ(r.w)).sum().backward();
      expectClose(x.grad!, r.x_grad, "x.grad", 0, 0);
    });

    it(`pad_packed_sequence ${label}: padding_value, total_length=${totalLength}, lengths, data gradient`, () => {
      const r = REF!.packs[k]!;
      const p = new R.PackedSequence(fromJ(r.data), fromJ(r.batch_sizes), opt(r.sorted), opt(r.unsorted));
      const [padded, lens] = R.pad_packed_sequence(p, { batch_first: batchFirst, padding_value: -1.5, total_length: totalLength });
      expectClose(padded, r.padded, "padded", 0, 0);
      expectClose(lens, r.lens, "lengths", 0, 0);
      const d = fromJ(r.data).requires_grad_();
      const q = new R.PackedSequence(d, p.batch_sizes, p.sorted_indices, p.unsorted_indices);
      const [padded2] = R.pad_packed_sequence(q, batchFirst, 0.0, totalLength);
      padded2.mul(fromJ(r.w2)).sum().backward();
      expectClose(d.grad!, r.d_grad, "data.grad", 0, 0);
    });
  });

  it("pad_sequence (both layouts, padding_value) and its gradients; pack_sequence / unpack_sequence", () => {
    const r = REF!.seq;
    [false, true].forEach((batchFirst, i) => {
      const seqs = r.seqs.map((j) => fromJ(j).requires_grad_());
      const out = R.pad_sequence(seqs, { batch_first: batchFirst, padding_value: 0.5 });
      expectClose(out, r.padded[i]!, `padded batch_first=${batchFirst}`, 0, 0);
      expect(out.grad_fn?.name()).toBe("CopySlices");
      out.mul(fromJ(r.w[i]!)).sum().backward();
      seqs.forEach((s, b) => expectClose(s.grad!, r.grads[i]![b]!, `seq ${b} grad`, 0, 0));
    });
    const packed = R.pack_sequence(r.seqs.map(fromJ), { enforce_sorted: false });
    expectClose(packed.data, r.packed_data, "pack_sequence data", 0, 0);
    expectClose(packed.batch_sizes, r.packed_bs, "pack_sequence batch_sizes", 0, 0);
    expectClose(packed.sorted_indices!, r.sorted, "pack_sequence sorted_indices", 0, 0);
    const unpacked = R.unpack_sequence(packed);
    expect(unpacked.length).toBe(r.unpacked.length);
    unpacked.forEach((s, b) => expectClose(s, r.unpacked[b]!, `unpacked ${b}`, 0, 0));
  });

  it("an integer PackedSequence prints as PyTorch's namedtuple repr, and destructures as one", () => {
    const p = R.pack_sequence([torch.tensor([1, 2, 3]), torch.tensor([4, 5]), torch.tensor([6])]);
    expect(String(p)).toBe(REF!.int_repr);
    const [data, batchSizes, sorted, unsorted] = p;
    expect([data, batchSizes, sorted, unsorted]).toEqual([p.data, p.batch_sizes, null, null]);
  });

  it("errors: PyTorch's class and message", () => {
    const x = torch.randn(4, 3, 2);
    const p = R.pack_padded_sequence(x, [4, 2, 1]);
    const calls: Record<string, () => unknown> = {
      "zero length": () => R.pack_padded_sequence(x, [4, 2, 0]),
      unsorted: () => R.pack_padded_sequence(x, [2, 4, 1]),
      "lengths count": () => R.pack_padded_sequence(x, [4, 2]),
      "2-D lengths": () => R.pack_padded_sequence(x, torch.tensor([[4, 2, 1]])),
      "empty input": () => R.pack_padded_sequence(torch.randn(0, 3, 2), [4, 2, 1]),
      total_length: () => R.pad_packed_sequence(p, { total_length: 3 }),
      "no sequences": () => R.pad_sequence([]),
      "pack_sequence unsorted": () => R.pack_sequence([torch.ones(2), torch.ones(3)]),
    };
    for (const [name, want] of REF!.errors) {
      let got = "no error";
      try {
        calls[name]!();
      } catch (e) {
        got = `${(e as Error).name}: ${(e as Error).message}`;
      }
      expect(got, name).toBe(want);
    }
  });
});

describe("nn.utils.rnn aten ops: numeric gradients (float64) and checks of their own", () => {
  it("_pack_padded_sequence, _pad_packed_sequence and pad_sequence", () => {
    const lengths = torch.tensor([3, 3, 1], { dtype: "int64" });
    gradcheck((x) => torch._pack_padded_sequence(x, lengths, false)[0], [leaf([4, 3, 2], 1)]);
    gradcheck((x) => torch._pack_padded_sequence(x, lengths, true)[0], [leaf([3, 4], 2)]);
    const batchSizes = torch.tensor([3, 2, 2], { dtype: "int64" });
    gradcheck((d) => torch._pad_packed_sequence(d, batchSizes, true, 0.25, 5)[0], [leaf([7, 2], 3)]);
    gradcheck((a, b) => R.pad_sequence([a, b], { padding_value: -1 }), [leaf([2, 3], 4), leaf([4, 3], 5)]);
  });

  it("a length past the input's sequence dimension fails with a message instead of reading out of bounds", () => {
    expect(() => R.pack_padded_sequence(torch.randn(4, 3, 2), [5, 2, 1])).toThrow(
      "pack_padded_sequence: the longest length 5 exceeds the input's sequence length 4",
    );
  });

  it("pad_sequence rejects sequences whose trailing dimensions differ, and non-iterables", () => {
    expect(() => R.pad_sequence([torch.ones(2, 3), torch.ones(2, 4)])).toThrow("every sequence must have the trailing dimensions [3]");
    expect(() => R.pad_sequence(3 as unknown as Tensor[])).toThrow(
      "pad_sequence: Expected iterable for input sequences, but got arg of type: <class 'int'>",
    );
  });
});
