import { describe, expect, test } from "vitest";
import { torch, Tensor } from "../../../src/index.js";
import { hasTorch, runTorch } from "../../support/pytorch.js";
import { gradcheck, leaf } from "../../support/gradcheck.js";
import { compareWithTorch, type TorchCase } from "../../support/torch_cases.js";

const f = (shape: number[], extra: Partial<TorchCase["inputs"][0]> = {}) => ({ shape, ...extra });
const x234 = f([2, 3, 4]);

const CASES: TorchCase[] = [
  { name: "view", inputs: [x234], py: "a.view(6, 4)", ts: (a) => a.view(6, 4), grad: true },
  { name: "view list -1", inputs: [x234], py: "a.view([-1, 8])", ts: (a) => a.view([-1, 8]), grad: true },
  { name: "view transposed ok", inputs: [f([4, 6], { transposed: true })], py: "a.view(2, 3, 4)", ts: (a) => a.view(2, 3, 4), grad: true },
  { name: "view incompatible", inputs: [f([3, 4], { transposed: true })], py: "a.view(-1)", ts: (a) => a.view(-1) },
  { name: "view bad size", inputs: [x234], py: "a.view(5, -1)", ts: (a) => a.view(5, -1) },
  { name: "view two -1", inputs: [x234], py: "a.view(-1, -1)", ts: (a) => a.view(-1, -1) },
  { name: "view ambiguous empty", inputs: [f([0, 3])], py: "a.view(-1, 0)", ts: (a) => a.view(-1, 0) },
  { name: "view_as", inputs: [x234, f([4, 6])], py: "a.view_as(b)", ts: (a, b) => a.view_as(b!), grad: true },
  { name: "reshape view", inputs: [x234], py: "a.reshape(4, 6)", ts: (a) => a.reshape(4, 6), grad: true },
  { name: "reshape copy", inputs: [f([3, 4], { transposed: true })], py: "a.reshape(-1)", ts: (a) => a.reshape(-1), grad: true },
  { name: "reshape copy grad_fn", inputs: [f([3, 4], { transposed: true })], py: "a.reshape(2, 6)", ts: (a) => torch.reshape(a, [2, 6]), grad: true },
  { name: "reshape 0-d", inputs: [f([])], py: "a.reshape(1, 1)", ts: (a) => a.reshape(1, 1), grad: true },
  { name: "reshape_as", inputs: [x234, f([24])], py: "a.reshape_as(b)", ts: (a, b) => a.reshape_as(b!), grad: true },
  { name: "reshape int", inputs: [f([2, 3], { dtype: "int64" })], py: "a.reshape(3, 2)", ts: (a) => a.reshape(3, 2) },
  { name: "select", inputs: [x234], py: "a.select(1, -1)", ts: (a) => a.select(1, -1), grad: true },
  { name: "select oob", inputs: [x234], py: "a.select(0, 5)", ts: (a) => a.select(0, 5) },
  { name: "select 0-d", inputs: [f([])], py: "a.select(0, 0)", ts: (a) => a.select(0, 0) },
  { name: "narrow", inputs: [x234], py: "a.narrow(2, 1, 2)", ts: (a) => a.narrow(2, 1, 2), grad: true },
  { name: "narrow negative start", inputs: [x234], py: "torch.narrow(a, 1, -2, 2)", ts: (a) => torch.narrow(a, 1, -2, 2), grad: true },
  { name: "narrow too long", inputs: [x234], py: "a.narrow(0, 1, 5)", ts: (a) => a.narrow(0, 1, 5) },
  { name: "narrow bad start", inputs: [x234], py: "a.narrow(0, 3, 0)", ts: (a) => a.narrow(0, 3, 0) },
  { name: "transpose", inputs: [x234], py: "a.transpose(0, 2)", ts: (a) => a.transpose(0, 2), grad: true },
  { name: "transpose fn", inputs: [x234], py: "torch.transpose(a, -1, 1)", ts: (a) => torch.transpose(a, -1, 1), grad: true },
  { name: "swapaxes", inputs: [x234], py: "a.swapaxes(0, 1)", ts: (a) => a.swapaxes(0, 1), grad: true },
  { name: "t", inputs: [f([3, 4])], py: "a.t()", ts: (a) => a.t(), grad: true },
  { name: "t 1-d", inputs: [f([3])], py: "torch.t(a)", ts: (a) => torch.t(a), grad: true },
  { name: "t 3-d", inputs: [x234], py: "a.t()", ts: (a) => a.t() },
  { name: "T", inputs: [x234], py: "a.T", ts: (a) => a.T, grad: true },
  { name: "mT", inputs: [x234], py: "a.mT", ts: (a) => a.mT, grad: true },
  { name: "mT 1-d", inputs: [f([3])], py: "a.mT", ts: (a) => a.mT },
  { name: "permute", inputs: [x234], py: "a.permute(2, 0, 1)", ts: (a) => a.permute(2, 0, 1), grad: true },
  { name: "permute list", inputs: [x234], py: "torch.permute(a, [1, -1, 0])", ts: (a) => torch.permute(a, [1, -1, 0]), grad: true },
  { name: "permute wrong len", inputs: [x234], py: "a.permute(0, 1)", ts: (a) => a.permute(0, 1) },
  { name: "permute dup", inputs: [x234], py: "a.permute(0, 1, 1)", ts: (a) => a.permute(0, 1, 1) },
  { name: "movedim", inputs: [x234], py: "a.movedim(0, 2)", ts: (a) => a.movedim(0, 2), grad: true },
  { name: "movedim lists", inputs: [x234], py: "torch.movedim(a, (0, 1), (2, 0))", ts: (a) => torch.movedim(a, [0, 1], [2, 0]), grad: true },
  { name: "movedim repeated", inputs: [x234], py: "a.movedim((0, 0), (1, 0))", ts: (a) => a.movedim([0, 0], [1, 0]) },
  { name: "expand", inputs: [f([3, 1])], py: "a.expand(2, 3, 4)", ts: (a) => a.expand(2, 3, 4), grad: true },
  { name: "expand -1", inputs: [f([3, 1])], py: "a.expand(-1, 5)", ts: (a) => a.expand([-1, 5]), grad: true },
  { name: "expand bad", inputs: [x234], py: "a.expand(3, 3, 4)", ts: (a) => a.expand(3, 3, 4) },
  { name: "expand too few", inputs: [x234], py: "a.expand(3, 4)", ts: (a) => a.expand(3, 4) },
  { name: "expand leading -1", inputs: [x234], py: "a.expand(-1, 2, 3, 4)", ts: (a) => a.expand(-1, 2, 3, 4) },
  { name: "expand_as", inputs: [f([1, 4]), f([3, 4])], py: "a.expand_as(b)", ts: (a, b) => a.expand_as(b!), grad: true },
  { name: "broadcast_to", inputs: [f([4])], py: "torch.broadcast_to(a, (2, 4))", ts: (a) => torch.broadcast_to(a, [2, 4]), grad: true },
  { name: "broadcast_tensors", inputs: [f([3, 1]), f([4])], py: "torch.broadcast_tensors(a, b)", ts: (a, b) => torch.broadcast_tensors(a, b!), grad: true },
  { name: "squeeze", inputs: [f([1, 3, 1, 2])], py: "a.squeeze()", ts: (a) => a.squeeze(), grad: true },
  { name: "squeeze dim", inputs: [f([1, 3, 1, 2])], py: "a.squeeze(2)", ts: (a) => a.squeeze(2), grad: true },
  { name: "squeeze non-1 dim", inputs: [f([1, 3, 1, 2])], py: "torch.squeeze(a, 1)", ts: (a) => torch.squeeze(a, 1), grad: true },
  { name: "squeeze 0-d", inputs: [f([])], py: "a.squeeze(0)", ts: (a) => a.squeeze(0), grad: true },
  { name: "unsqueeze", inputs: [f([3, 2])], py: "a.unsqueeze(-1)", ts: (a) => a.unsqueeze(-1), grad: true },
  { name: "unsqueeze oob", inputs: [f([3, 2])], py: "a.unsqueeze(3)", ts: (a) => a.unsqueeze(3) },
  { name: "flatten", inputs: [x234], py: "a.flatten()", ts: (a) => a.flatten(), grad: true },
  { name: "flatten range", inputs: [x234], py: "torch.flatten(a, 1)", ts: (a) => torch.flatten(a, 1), grad: true },
  { name: "flatten transposed", inputs: [f([3, 4], { transposed: true })], py: "a.flatten()", ts: (a) => a.flatten(), grad: true },
  { name: "flatten same dim", inputs: [x234], py: "a.flatten(1, 1)", ts: (a) => a.flatten(1, 1), grad: true },
  { name: "flatten 0-d", inputs: [f([])], py: "a.flatten()", ts: (a) => a.flatten(), grad: true },
  { name: "flatten bad", inputs: [x234], py: "a.flatten(2, 1)", ts: (a) => a.flatten(2, 1) },
  { name: "unflatten", inputs: [f([2, 12])], py: "a.unflatten(1, (3, -1))", ts: (a) => a.unflatten(1, [3, -1]), grad: true },
  { name: "unflatten bad", inputs: [x234], py: "a.unflatten(1, (2, 2))", ts: (a) => a.unflatten(1, [2, 2]) },
  { name: "contiguous no-op", inputs: [x234], py: "a.contiguous()", ts: (a) => a.contiguous(), grad: true },
  { name: "contiguous copy", inputs: [f([3, 4], { transposed: true })], py: "a.contiguous()", ts: (a) => a.contiguous(), grad: true },
  { name: "unbind", inputs: [x234], py: "a.unbind(1)", ts: (a) => a.unbind(1), grad: true },
  { name: "unbind fn", inputs: [f([3, 2])], py: "torch.unbind(a)", ts: (a) => torch.unbind(a), grad: true },
  { name: "unbind one used", inputs: [f([3, 2])], py: "a.unbind(0)[1]", ts: (a) => a.unbind(0)[1]!, grad: true },
  { name: "unbind 0-d", inputs: [f([])], py: "a.unbind(0)", ts: (a) => a.unbind(0) },
];

describe.skipIf(!hasTorch)("view ops match PyTorch (values, grad_fn, gradients, errors)", () => {
  test("cases", () => compareWithTorch(CASES));
});

/** Each entry: Python expression over x (a contiguous 2x3x4 float tensor) and the TS call. */
const LAYOUTS: [string, (x: Tensor) => Tensor][] = [
  ["x.view(6, 4)", (x) => x.view(6, 4)],
  ["x.select(1, 2)", (x) => x.select(1, 2)],
  ["x[:, 1:3]", (x) => x.slice(1, 1, 3)],
  ["x[..., ::2]", (x) => x.slice(2, null, null, 2)],
  ["x.narrow(2, 1, 3)", (x) => x.narrow(2, 1, 3)],
  ["x.transpose(0, 2)", (x) => x.transpose(0, 2)],
  ["x.permute(1, 2, 0)", (x) => x.permute(1, 2, 0)],
  ["x[0].t()", (x) => x.select(0, 0).t()],
  ["x[:, :1].expand(2, 5, 4)", (x) => x.slice(1, 0, 1).expand(2, 5, 4)],
  ["x.unsqueeze(1)", (x) => x.unsqueeze(1)],
  ["x.unsqueeze(3)", (x) => x.unsqueeze(3)],
  ["x.transpose(0, 1).unsqueeze(0)", (x) => x.transpose(0, 1).unsqueeze(0)],
  ["x[:, :1].squeeze()", (x) => x.slice(1, 0, 1).squeeze()],
  ["x.transpose(1, 2).reshape(2, 12)", (x) => x.transpose(1, 2).reshape(2, 12)],
  ["x.transpose(0, 1).reshape(3, 8)", (x) => x.transpose(0, 1).reshape(3, 8)],
  ["x.transpose(1, 2).flatten(0, 1)", (x) => x.transpose(1, 2).flatten(0, 1)],
  ["x.unbind(2)[3]", (x) => x.unbind(2)[3]!],
  ["x.mT", (x) => x.mT],
  ["x.T", (x) => x.T],
  ["x.movedim(2, 0)", (x) => x.movedim(2, 0)],
  ["torch.tensor(1.).expand(3, 2)", () => torch.tensor(1.5).expand(3, 2)],
  ["torch.ones(3).expand(1, 3)", () => torch.ones(3).expand(1, 3)],
  ["x.unflatten(2, (2, 2))", (x) => x.unflatten(2, [2, 2])],
  ["x[1].view(-1)", (x) => x.select(0, 1).view(-1)],
];

describe.skipIf(!hasTorch)("views have PyTorch's strides and storage offsets", () => {
  test("layouts", () => {
    const py = `x = torch.arange(24.).reshape(2, 3, 4)
out = []
for e in ${JSON.stringify(LAYOUTS.map(([e]) => e))}:
    r = eval(e)
    out.append({"shape": list(r.shape), "stride": list(r.stride()), "offset": r.storage_offset()})
print(json.dumps(out))`;
    const ref = runTorch<{ shape: number[]; stride: number[]; offset: number }[]>(py);
    LAYOUTS.forEach(([e, fn], i) => {
      const x = torch.tensor(Array.from({ length: 24 }, (_, k) => k + 0.5)).reshape(2, 3, 4);
      const r = fn(x);
      expect({ shape: r.shape, stride: r.stride(), offset: r.storage_offset() }, e).toEqual(ref[i]);
    });
  });
});

describe("views share storage", () => {
  const base = () => torch.tensor(Array.from({ length: 12 }, (_, k) => k), { dtype: torch.float32 }).reshape(3, 4);

  test("writes through a view appear in the base, and back", () => {
    const x = base();
    const row = x.select(0, 1);
    const col = x.transpose(0, 1).select(0, 2);
    row.storage.data[row.storage_offset()] = 100;
    expect(x.tolist()).toEqual([[0, 1, 2, 3], [100, 5, 6, 7], [8, 9, 10, 11]]);
    x.set([2, 2], -1);
    expect(col.tolist()).toEqual([2, 6, -1]);
    expect(row.storage).toBe(x.storage);
    expect(row._base).toBe(x._base ?? x);
  });

  test("in-place assignment into a view writes the base", () => {
    const x = base();
    x.slice(1, 1, 3).set([":"], 0);
    expect(x.tolist()).toEqual([[0, 0, 0, 3], [4, 0, 0, 7], [8, 0, 0, 11]]);
    x.view(-1).set(["::5"], 7);
    expect(x.view(-1).tolist()).toEqual([7, 0, 0, 3, 4, 7, 0, 7, 8, 0, 7, 11]);
  });

  test("reshape copies only when it must", () => {
    const x = base();
    expect(x.reshape(4, 3).storage).toBe(x.storage);
    expect(x.t().reshape(-1).storage).not.toBe(x.storage);
    expect(x.t().reshape(-1).tolist()).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    expect(x.contiguous()).toBe(x);
    expect(x.t().contiguous().is_contiguous()).toBe(true);
  });

  test("split and chunk return views", () => {
    const x = base();
    const [a, b] = x.split(2, 1);
    a!.set([0, 0], 42);
    expect((x.tolist() as number[][])[0]).toEqual([42, 1, 2, 3]);
    expect(b!.storage_offset()).toBe(2);
    expect(x.chunk(3)[2]!.storage_offset()).toBe(8);
  });
});

describe("size arguments", () => {
  test("varargs, arrays and -1 are accepted", () => {
    const x = torch.zeros(2, 3, 4);
    expect(x.view(6, 4).shape).toEqual([6, 4]);
    expect(x.view([6, 4]).shape).toEqual([6, 4]);
    expect(x.reshape(-1).shape).toEqual([24]);
    expect(x.reshape([4, -1]).shape).toEqual([4, 6]);
    expect(x.permute([2, 0, 1]).shape).toEqual([4, 2, 3]);
    expect(x.expand(5, 2, 3, 4).shape).toEqual([5, 2, 3, 4]);
    expect(() => x.view(2.5, 4)).toThrow(/must be tuple of ints/);
    expect(() => x.view(5, 5)).toThrow("shape '[5, 5]' is invalid for input of size 24");
  });

  test("view of a 0-d tensor and to 0-d", () => {
    const s = torch.tensor(3.5);
    expect(s.view(1, 1).shape).toEqual([1, 1]);
    expect(s.view(1).view([]).shape).toEqual([]);
    expect(s.reshape([]).item()).toBe(3.5);
  });
});

/** One root for multi-output ops (the engine is given a single tensor to differentiate). */
const joined = (ts: Tensor[]): Tensor => torch.cat(ts.map((t) => t.reshape(-1)));

describe("view gradients (float64 gradcheck)", () => {
  const x = () => leaf([2, 3, 4], 3);
  const checks: [string, (t: Tensor) => Tensor | Tensor[]][] = [
    ["view", (t) => t.view(4, 6)],
    ["reshape copy", (t) => t.transpose(0, 2).reshape(-1, 2)],
    ["select", (t) => t.select(1, -2)],
    ["slice step", (t) => t.slice(2, 1, null, 2)],
    ["narrow", (t) => t.narrow(0, 1, 1)],
    ["transpose", (t) => t.transpose(0, 1)],
    ["t", (t) => t.select(0, 1).t()],
    ["permute", (t) => t.permute(2, 0, 1)],
    ["expand", (t) => t.slice(1, 0, 1).expand(3, 2, 5, 4)],
    ["squeeze", (t) => t.slice(1, 1, 2).squeeze()],
    ["squeeze dim", (t) => t.slice(1, 1, 2).squeeze(1)],
    ["unsqueeze", (t) => t.unsqueeze(2)],
    ["flatten", (t) => t.transpose(1, 2).flatten(1)],
    ["unflatten", (t) => t.unflatten(2, [2, 2])],
    ["contiguous", (t) => t.transpose(0, 2).contiguous()],
    ["unbind", (t) => joined(t.unbind(2))],
    ["unbind partial", (t) => joined(t.unbind(1).slice(0, 2))],
    ["movedim", (t) => t.movedim([0, 2], [1, 0])],
    ["mT", (t) => t.mT],
    ["chain of views", (t) => t.transpose(0, 1).select(2, 1).unsqueeze(0).expand(2, 3, 2)],
  ];
  for (const [name, fn] of checks) test(name, () => gradcheck(fn as (t: Tensor) => Tensor, [x()]));

  test("select and slice backward are differentiable (create_graph)", () => {
    const t = leaf([3, 4], 5);
    const w = leaf([4], 6);
    const [g] = torch.autograd.grad(t.select(0, 1).mul(w).sum(), [t], null, { create_graph: true });
    expect(g!.grad_fn?.name()).toBe("SelectBackwardBackward0");
    const [gw] = torch.autograd.grad(g!.slice(1, 1, 3).sum(), [w]);
    expect(gw!.tolist()).toEqual([0, 1, 1, 0]);
    const [h] = torch.autograd.grad(t.slice(1, 1, 3).mul(w.slice(0, 0, 2)).sum(), [t], null, { create_graph: true });
    expect(h!.grad_fn?.name()).toBe("SliceBackwardBackward0");
  });
});
