import { describe, expect, test } from "vitest";
import { torch, Tensor } from "../../../src/index.js";
import { hasTorch } from "../../support/pytorch.js";
import { gradcheck, leaf } from "../../support/gradcheck.js";
import { compareWithTorch, type TorchCase } from "../../support/torch_cases.js";

const f = (shape: number[], extra: Partial<TorchCase["inputs"][0]> = {}) => ({ shape, ...extra });
const long = (values: number[], shape = [values.length]) => f(shape, { dtype: "int64", values });
const mask = (values: number[], shape = [values.length]) => f(shape, { dtype: "bool", values });
const x = f([3, 4, 5]);

/** Python: apply `stmt` (an assignment to t[...]) to a clone of a and return it. */
const setPy = (index: string, value = "b", target = "a.clone()") => `(lambda t: t.__setitem__(${index}, ${value}) or t)(${target})`;

const READ: TorchCase[] = [
  { name: "int", inputs: [x], py: "a[1]", ts: (a) => a.index(1), grad: true },
  { name: "negative int", inputs: [x], py: "a[-1]", ts: (a) => a.index(-1), grad: true },
  { name: "two ints", inputs: [x], py: "a[1, -2]", ts: (a) => a.index(1, -2), grad: true },
  { name: "full slice then int", inputs: [x], py: "a[:, 1]", ts: (a) => a.index(":", 1), grad: true },
  { name: "ellipsis int", inputs: [x], py: "a[..., 1]", ts: (a) => a.index("...", 1), grad: true },
  { name: "None", inputs: [x], py: "a[None]", ts: (a) => a.index(null), grad: true },
  { name: "None mixed", inputs: [x], py: "a[:, None, 1]", ts: (a) => a.index(":", null, 1), grad: true },
  { name: "slices", inputs: [x], py: "a[1:, ::2, -3:]", ts: (a) => a.index("1:", "::2", "-3:"), grad: true },
  { name: "torch.slice", inputs: [x], py: "a[0:2, 1:None:2]", ts: (a) => a.index(torch.slice(2), torch.slice(1, null, 2)), grad: true },
  { name: "exact full slice skipped", inputs: [x], py: "a[0:3, 1]", ts: (a) => a.index("0:3", 1), grad: true },
  { name: "single full slice", inputs: [x], py: "a[0:3]", ts: (a) => a.index("0:3"), grad: true },
  { name: "empty slice", inputs: [x], py: "a[:, 3:1]", ts: (a) => a.index(":", "3:1"), grad: true },
  { name: "clamped slice", inputs: [x], py: "a[-10:10]", ts: (a) => a.index("-10:10"), grad: true },
  { name: "ellipsis alone", inputs: [x], py: "a[...]", ts: (a) => a.index("..."), grad: true },
  { name: "True", inputs: [x], py: "a[True]", ts: (a) => a.index(true), grad: true },
  { name: "False", inputs: [x], py: "a[False]", ts: (a) => a.index(false), grad: true },
  { name: "list", inputs: [x], py: "a[[2, 0, 2]]", ts: (a) => a.index([2, 0, 2]), grad: true },
  { name: "list inner dim", inputs: [x], py: "a[:, [3, -1]]", ts: (a) => a.index(":", [3, -1]), grad: true },
  { name: "tensor index", inputs: [x, long([1, 0])], py: "a[b]", ts: (a, b) => a.index(b!), grad: true },
  { name: "two tensor indices", inputs: [x, long([0, 2]), long([1, 3])], py: "a[b, c]", ts: (a, b, c) => a.index(b!, c!), grad: true },
  { name: "broadcast indices", inputs: [x, long([0, 2], [2, 1]), long([1, 3, 0])], py: "a[b, :, c]", ts: (a, b, c) => a.index(b!, ":", c!), grad: true },
  { name: "non-adjacent", inputs: [x, long([0, 2]), long([1, 3])], py: "a[b, 1:3, c]", ts: (a, b, c) => a.index(b!, "1:3", c!), grad: true },
  { name: "adjacent after slice", inputs: [x, long([0, 2]), long([1, 3])], py: "a[1:, b, c]", ts: (a, b, c) => a.index("1:", b!, c!), grad: true },
  { name: "2-d index", inputs: [x, long([0, 2, 1, 1], [2, 2])], py: "a[:, b]", ts: (a, b) => a.index(":", b!), grad: true },
  { name: "int then index", inputs: [x, long([4, 0])], py: "a[0, :, b]", ts: (a, b) => a.index(0, ":", b!), grad: true },
  { name: "index then None", inputs: [x, long([1, 0])], py: "a[b, None]", ts: (a, b) => a.index(b!, null), grad: true },
  { name: "mask", inputs: [x, mask([1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0], [3, 4])], py: "a[b]", ts: (a, b) => a.index(b!), grad: true },
  { name: "mask after int", inputs: [x, mask([1, 0, 1, 1])], py: "a[1, b]", ts: (a, b) => a.index(1, b!), grad: true },
  { name: "mask inner", inputs: [x, mask([0, 1, 1, 0, 1])], py: "a[..., b]", ts: (a, b) => a.index("...", b!), grad: true },
  { name: "bool list", inputs: [x], py: "a[[True, False, True]]", ts: (a) => a.index([true, false, true]), grad: true },
  { name: "0-d long selects", inputs: [x, long([2], [])], py: "a[b]", ts: (a, b) => a.index(b!), grad: true },
  { name: "0-d bool", inputs: [x, mask([1], [])], py: "a[b]", ts: (a, b) => a.index(b!), grad: true },
  { name: "empty list", inputs: [x], py: "a[[]]", ts: (a) => a.index([]), grad: true },
  { name: "int64 values", inputs: [long([5, 6, 7, 8], [2, 2])], py: "a[:, [1, 1, 0]]", ts: (a) => a.index(":", [1, 1, 0]) },
  { name: "error int oob", inputs: [x], py: "a[5]", ts: (a) => a.index(5) },
  { name: "error int oob after None", inputs: [x], py: "a[None, 5]", ts: (a) => a.index(null, 5) },
  { name: "error too many", inputs: [x], py: "a[0, 0, 0, 0]", ts: (a) => a.index(0, 0, 0, 0) },
  { name: "error 0-d", inputs: [f([])], py: "a[0]", ts: (a) => a.index(0) },
  { name: "error list oob", inputs: [x], py: "a[:, [0, 5]]", ts: (a) => a.index(":", [0, 5]) },
  { name: "error list negative oob", inputs: [x], py: "a[:, [-5]]", ts: (a) => a.index(":", [-5]) },
  { name: "error broadcast", inputs: [x], py: "a[[0, 1], [0, 1, 2]]", ts: (a) => a.index([0, 1], [0, 1, 2]) },
  { name: "error float index", inputs: [x, f([1])], py: "a[b]", ts: (a, b) => a.index(b!) },
  { name: "error int32 index", inputs: [x, f([1], { dtype: "int32" })], py: "a[b]", ts: (a, b) => a.index(b!) },
  { name: "error mask shape", inputs: [x, mask([1, 0], [2])], py: "a[b]", ts: (a, b) => a.index(b!) },
  { name: "error mask then int", inputs: [x, mask([1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0], [3, 4])], py: "a[b, 0]", ts: (a, b) => a.index(b!, 0) },
  { name: "two ellipses", inputs: [x], py: "a[..., 0, ...]", ts: (a) => a.index("...", 0, "..."), grad: true },
];

const WRITE: TorchCase[] = [
  { name: "set row", inputs: [x, f([4, 5])], py: setPy("1"), ts: (a, b) => a.clone().set([1], b!), grad: true },
  { name: "set row broadcast", inputs: [x, f([5])], py: setPy("(slice(None), 2)"), ts: (a, b) => a.clone().set([":", 2], b!), grad: true },
  { name: "set leading ones dropped", inputs: [x, f([1, 1, 5])], py: setPy("(0, 1)"), ts: (a, b) => a.clone().set([0, 1], b!), grad: true },
  { name: "set slice scalar", inputs: [x], py: setPy("(slice(None), slice(1, 3))", "2.5"), ts: (a) => a.clone().set([":", "1:3"], 2.5), grad: true },
  { name: "set everything", inputs: [x, f([5])], py: setPy("Ellipsis"), ts: (a, b) => a.clone().set("...", b!), grad: true },
  { name: "set list", inputs: [x, f([2, 4, 5])], py: setPy("[2, 0]"), ts: (a, b) => a.clone().set([[2, 0]], b!), grad: true },
  { name: "set list inner", inputs: [x, f([3, 4, 2])], py: setPy("(slice(None), slice(None), [4, 1])"), ts: (a, b) => a.clone().set([":", ":", [4, 1]], b!), grad: true },
  { name: "set list after int", inputs: [x, f([2, 5])], py: setPy("(1, [0, 3])"), ts: (a, b) => a.clone().set([1, [0, 3]], b!), grad: true },
  { name: "set mask scalar", inputs: [x, mask([1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0], [3, 4])], py: setPy("b", "-1.0"), ts: (a, b) => a.clone().set(b!, -1), grad: true },
  { name: "set mask values", inputs: [x, mask([0, 1, 1]), f([2, 4, 5])], py: setPy("b", "c"), ts: (a, b, c) => a.clone().set(b!, c!), grad: true },
  { name: "set duplicates", inputs: [f([4]), f([3])], py: setPy("[[1, 1, 2]]"), ts: (a, b) => a.clone().set([[1, 1, 2]], b!) },
  { name: "set into int tensor", inputs: [long([1, 2, 3, 4], [2, 2])], py: setPy("(0,)", "7.9"), ts: (a) => a.clone().set([0], 7.9) },
  { name: "set dtype converts", inputs: [x, f([5], { dtype: "float64" })], py: setPy("(0, 0)"), ts: (a, b) => a.clone().set([0, 0], b!) },
  { name: "set through a view", inputs: [x, f([3, 5])], py: "(lambda y: y[1].__setitem__(slice(1, None), b) or y)(a * 1)", ts: (a, b) => {
    const y = a.mul(1);
    y.index(1).set(["1:"], b!);
    return y;
  }, grad: true },
  { name: "set view then use view", inputs: [x, f([5])], py: "(lambda y: (y[0].__setitem__(0, b), y[0] * 2)[1])(a * 1)", ts: (a, b) => {
    const y = a.mul(1);
    const v = y.index(0);
    v.set([0], b!);
    return v.mul(2);
  }, grad: true },
  { name: "error set dtype advanced", inputs: [x, f([5], { dtype: "float64" })], py: setPy("[0]"), ts: (a, b) => a.clone().set([[0]], b!) },
  { name: "error set shape basic", inputs: [x, f([2, 5])], py: setPy("(0, 0)"), ts: (a, b) => a.clone().set([0, 0], b!) },
  { name: "error set shape advanced", inputs: [x, f([3])], py: setPy("[0, 2]"), ts: (a, b) => a.clone().set([[0, 2]], b!) },
  { name: "index_put_", inputs: [x, long([0, 2]), f([2, 4, 5])], py: "a.clone().index_put_((b,), c)", ts: (a, b, c) => a.clone().index_put_([b!], c!), grad: true },
  { name: "index_put_ accumulate", inputs: [x, long([0, 0]), long([1, 1]), f([5])], py: "a.clone().index_put_((b, c), d, accumulate=True)", ts: (a, b, c, d) => a.clone().index_put_([b!, c!], d!, true), grad: true },
  { name: "index_put functional", inputs: [x, long([2, 1]), f([5])], py: "torch.index_put(a, (b,), c[None, None, :])", ts: (a, b, c) => torch.index_put(a, [b!], c!.index(null, null, ":")), grad: true },
  { name: "index_put mask", inputs: [x, mask([1, 0, 1]), f([])], py: "a.clone().index_put_((b,), c)", ts: (a, b, c) => a.clone().index_put_([b!], c!), grad: true },
  { name: "error index_put dtype", inputs: [x, long([0]), f([5], { dtype: "float64" })], py: "a.clone().index_put_((b,), c)", ts: (a, b, c) => a.clone().index_put_([b!], c!) },
  { name: "error index_put shape", inputs: [f([3]), long([0, 0]), f([3])], py: "a.clone().index_put_((b,), c)", ts: (a, b, c) => a.clone().index_put_([b!], c!) },
];

const GATHER: TorchCase[] = [
  { name: "gather", inputs: [x, long([0, 2, 1, 1, 0, 2, 2, 2], [2, 2, 2])], py: "torch.gather(a, 1, b)", ts: (a, b) => torch.gather(a, 1, b!), grad: true },
  { name: "gather method neg dim", inputs: [x, long([4, 0, 0], [1, 1, 3])], py: "a.gather(-1, b)", ts: (a, b) => a.gather(-1, b!), grad: true },
  { name: "gather oob", inputs: [x, long([5], [1, 1, 1])], py: "a.gather(1, b)", ts: (a, b) => a.gather(1, b!) },
  { name: "gather negative", inputs: [x, long([-1], [1, 1, 1])], py: "a.gather(1, b)", ts: (a, b) => a.gather(1, b!) },
  { name: "gather dims", inputs: [x, long([0], [1])], py: "a.gather(1, b)", ts: (a, b) => a.gather(1, b!) },
  { name: "gather size", inputs: [x, long([0, 0, 0, 0, 0, 0], [1, 1, 6])], py: "a.gather(1, b)", ts: (a, b) => a.gather(1, b!) },
  { name: "gather int32 index", inputs: [x, f([1, 1, 1], { dtype: "int32", values: [0] })], py: "a.gather(1, b)", ts: (a, b) => a.gather(1, b!) },
  { name: "scatter src", inputs: [f([3, 4]), long([2, 0, 1, 1], [2, 2]), f([2, 2])], py: "torch.scatter(a, 0, b, c)", ts: (a, b, c) => torch.scatter(a, 0, b!, c!), grad: true },
  { name: "scatter larger src", inputs: [f([3, 4]), long([2, 0, 1, 1], [2, 2]), f([2, 3])], py: "torch.scatter(a, 0, b, c)", ts: (a, b, c) => torch.scatter(a, 0, b!, c!) },
  { name: "scatter value", inputs: [f([3, 4]), long([3, 0], [1, 2])], py: "a.scatter(1, b, 2.5)", ts: (a, b) => a.scatter(1, b!, 2.5), grad: true },
  { name: "scatter_ in place", inputs: [f([3, 4]), long([3, 0], [1, 2]), f([1, 2])], py: "a.clone().scatter_(1, b, c)", ts: (a, b, c) => a.clone().scatter_(1, b!, c!), grad: true },
  { name: "scatter_add", inputs: [f([3, 4]), long([1, 1, 1, 0, 2, 2], [2, 3]), f([2, 3])], py: "torch.scatter_add(a, 1, b, c)", ts: (a, b, c) => torch.scatter_add(a, 1, b!, c!), grad: true },
  { name: "scatter_add_", inputs: [f([3, 4]), long([2, 2], [2, 1]), f([2, 1])], py: "a.clone().scatter_add_(0, b, c)", ts: (a, b, c) => a.clone().scatter_add_(0, b!, c!), grad: true },
  { name: "scatter dtype", inputs: [f([3, 4]), long([0], [1, 1]), f([1, 1], { dtype: "float64" })], py: "a.scatter(1, b, c)", ts: (a, b, c) => a.scatter(1, b!, c!) },
  { name: "scatter shape", inputs: [f([3, 4]), long([0, 0, 0, 0, 0], [1, 5]), f([1, 5])], py: "a.scatter(1, b, c)", ts: (a, b, c) => a.scatter(1, b!, c!) },
  { name: "scatter oob", inputs: [f([3, 4]), long([7], [1, 1]), f([1, 1])], py: "a.scatter(1, b, c)", ts: (a, b, c) => a.scatter(1, b!, c!) },
  { name: "index_select", inputs: [x, long([2, 0, 2])], py: "torch.index_select(a, 1, b)", ts: (a, b) => torch.index_select(a, 1, b!), grad: true },
  { name: "index_select 0-d index", inputs: [x, long([1], [])], py: "a.index_select(2, b)", ts: (a, b) => a.index_select(2, b!), grad: true },
  { name: "index_select int32", inputs: [x, f([2], { dtype: "int32", values: [1, 0] })], py: "a.index_select(0, b)", ts: (a, b) => a.index_select(0, b!), grad: true },
  { name: "index_select oob", inputs: [x, long([3])], py: "a.index_select(0, b)", ts: (a, b) => a.index_select(0, b!) },
  { name: "index_select matrix", inputs: [x, long([0, 0], [1, 2])], py: "a.index_select(0, b)", ts: (a, b) => a.index_select(0, b!) },
  { name: "index_add", inputs: [f([3, 4]), long([0, 2, 0]), f([3, 3])], py: "torch.index_add(a, 1, b, c)", ts: (a, b, c) => torch.index_add(a, 1, b!, c!), grad: true },
  { name: "index_add alpha", inputs: [f([3, 4]), long([1, 1]), f([2, 4])], py: "a.index_add(0, b, c, alpha=2)", ts: (a, b, c) => a.index_add(0, b!, c!, { alpha: 2 }), grad: true },
  { name: "index_add_", inputs: [f([3, 4]), long([2]), f([1, 4])], py: "a.clone().index_add_(0, b, c)", ts: (a, b, c) => a.clone().index_add_(0, b!, c!), grad: true },
  { name: "index_add count", inputs: [f([3, 4]), long([0, 0]), f([3, 4])], py: "a.index_add(0, b, c)", ts: (a, b, c) => a.index_add(0, b!, c!) },
  { name: "index_add dtype", inputs: [f([3, 4]), long([0]), f([1, 4], { dtype: "float64" })], py: "a.index_add(0, b, c)", ts: (a, b, c) => a.index_add(0, b!, c!) },
  { name: "masked_select", inputs: [x, mask([1, 0, 1, 1, 0], [5])], py: "torch.masked_select(a, b)", ts: (a, b) => torch.masked_select(a, b!), grad: true },
  { name: "masked_select broadcast self", inputs: [f([5]), mask([1, 0, 1, 1, 0, 0, 1, 0, 1, 1], [2, 5])], py: "a.masked_select(b)", ts: (a, b) => a.masked_select(b!), grad: true },
  { name: "masked_select bad mask", inputs: [x, f([5])], py: "a.masked_select(b)", ts: (a, b) => a.masked_select(b!) },
  { name: "nonzero", inputs: [f([3, 4], { values: [0, 1, 0, 2, 3, 0, 0, 0, 4, 0, 5, 0] })], py: "torch.nonzero(a)", ts: (a) => torch.nonzero(a) },
  { name: "nonzero 0-d", inputs: [f([], { values: [3] })], py: "a.nonzero()", ts: (a) => a.nonzero() },
  { name: "take", inputs: [x, long([0, -1, 7, 59], [2, 2])], py: "torch.take(a, b)", ts: (a, b) => torch.take(a, b!), grad: true },
  { name: "take transposed", inputs: [f([3, 4], { transposed: true }), long([1, 5])], py: "a.take(b)", ts: (a, b) => a.take(b!), grad: true },
  { name: "take oob", inputs: [x, long([-61])], py: "a.take(b)", ts: (a, b) => a.take(b!) },
];

describe.skipIf(!hasTorch)("indexing matches PyTorch", () => {
  test("reading x[...]", () => compareWithTorch(READ));
  test("assignment x[...] = v and index_put_", () => compareWithTorch(WRITE));
  test("gather, scatter, index_select, index_add, masked_select, nonzero, take", () => compareWithTorch(GATHER));
});

describe("indexing semantics", () => {
  const grid = () => torch.tensor(Array.from({ length: 12 }, (_, k) => k), { dtype: torch.float32 }).reshape(3, 4);

  test("basic indexing returns views; advanced indexing copies", () => {
    const x = grid();
    const row = x.index(1);
    expect(row.storage).toBe(x.storage);
    expect(x.index(":", "1:3").stride()).toEqual([4, 1]);
    expect(x.index("::2").storage_offset()).toBe(0);
    expect(x.index(-1, "1:").storage_offset()).toBe(9);
    expect(x.index([0, 1]).storage).not.toBe(x.storage);
    expect(x.index("...")).not.toBe(x);
    expect(x.index("...").storage).toBe(x.storage);
  });

  test("slice strings and torch.slice follow Python", () => {
    const x = torch.tensor([0, 1, 2, 3, 4, 5]);
    const read = (...items: Parameters<Tensor["index"]>) => x.index(...items).tolist();
    expect(read(":")).toEqual([0, 1, 2, 3, 4, 5]);
    expect(read("1:3")).toEqual([1, 2]);
    expect(read("::2")).toEqual([0, 2, 4]);
    expect(read("-1:")).toEqual([5]);
    expect(read(" 1 : -1 : 2 ")).toEqual([1, 3]);
    expect(read(torch.slice(3))).toEqual([0, 1, 2]);
    expect(read(torch.slice(1, null, 3))).toEqual([1, 4]);
    expect(read(torch.slice(null, null, 4))).toEqual([0, 4]);
    expect(() => x.index("::-1")).toThrow("step must be greater than zero");
    expect(() => x.index("::0")).toThrow("slice step cannot be zero");
    expect(() => x.index("a:b")).toThrow("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got str)");
    expect(() => x.index(1.5)).toThrow("(got float)");
  });

  test("assignment writes in place and returns the tensor", () => {
    const x = grid();
    expect(x.set([0], 7)).toBe(x);
    x.set([":", -1], torch.tensor([1, 2, 3], { dtype: torch.float32 }));
    x.set(x.index(":", 0).gt(5), 0);
    expect(x.tolist()).toEqual([[0, 0, 0, 0], [4, 5, 6, 2], [0, 0, 0, 0]]);
    const v0 = x.storage.version;
    x.set([[0, 0]], torch.tensor([1, 2, 3, 4], { dtype: torch.float32 }));
    expect(x.storage.version).toBeGreaterThan(v0);
  });

  test("index_put_ accumulates duplicates; accumulate with items", () => {
    const x = torch.zeros(5);
    x.index_put_([torch.tensor([0, 0, 4])], torch.tensor([1, 2, 3], { dtype: torch.float32 }), true);
    expect(x.tolist()).toEqual([3, 0, 0, 0, 3]);
    x.index_put_(["1:3"], 5, true);
    expect(x.tolist()).toEqual([3, 5, 5, 0, 3]);
  });

  test("grad_fn names of assignment follow PyTorch", () => {
    const v = leaf([4], 2);
    const names = [
      (z: Tensor) => z.set([0], v),
      (z: Tensor) => z.set([[0, 1]], v),
      (z: Tensor) => z.set([":", [0, 1, 2, 3]], v.index("0:1").expand(3, 4)),
      (z: Tensor) => z.set("...", v),
    ].map((fn) => fn(torch.zeros(3, 4, { dtype: torch.float64 })).grad_fn?.name());
    expect(names).toEqual(["CopySlices", "IndexPutBackward0", "CopySlices", "CopyBackwards"]);
  });

  test("assignment into a view of a leaf that requires grad fails as in PyTorch", () => {
    const w = leaf([3, 4], 1);
    expect(() => w.index(0).set([1], 0)).toThrow("a view of a leaf Variable that requires grad is being used in an in-place operation.");
    expect(() => w.set([[0]], 0)).toThrow("a leaf Variable that requires grad is being used in an in-place operation.");
    torch.no_grad(() => w.set([0], 1));
    expect(w.index(0).tolist()).toEqual([1, 1, 1, 1]);
  });

  test("a buffer filled row by row carries every row's gradient", () => {
    const a = leaf([3], 3);
    const buf = torch.zeros(12, { dtype: torch.float64 }).reshape(3, 4);
    buf.set([0, "1:"], a);
    buf.set([2, "1:"], a.mul(2));
    // as in PyTorch: the base gets CopySlices, the view is re-derived from it
    expect(buf.grad_fn?.name()).toBe("AsStridedBackward0");
    expect(buf._base!.grad_fn?.name()).toBe("CopySlices");
    buf.sum().backward();
    expect(a.grad!.tolist()).toEqual([3, 3, 3]);
  });
});

/** One root for multi-output ops. */
const joined = (ts: Tensor[]): Tensor => torch.cat(ts.map((t) => t.reshape(-1)));

describe("indexing gradients (float64 gradcheck)", () => {
  const idx = (v: number[], shape = [v.length]) => torch.tensor(v).reshape(shape);
  const checks: [string, number[][], (...t: Tensor[]) => Tensor][] = [
    ["basic", [[3, 4, 5]], (t) => t.index(1, "::2", null, -1)],
    ["advanced with repeats", [[3, 4, 5]], (t) => t.index([2, 0, 2], ":", [1, 1, 4])],
    ["advanced non-adjacent", [[3, 4, 5]], (t) => t.index([0, 2], "1:", [4, 0])],
    ["mask", [[3, 4]], (t) => t.index(t.detach().gt(0))],
    ["set", [[3, 4], [4]], (t, v) => t.mul(1).set([1], v!)],
    ["set advanced", [[3, 4], [2, 4]], (t, v) => t.mul(1).set([[2, 0]], v!)],
    ["set through view", [[3, 4], [2]], (t, v) => {
      const y = t.mul(1);
      y.index(":", 2).set(["1:"], v!);
      return y;
    }],
    ["index_put accumulate", [[3, 4], [3, 4]], (t, v) => torch.index_put(t, [idx([0, 0, 2])], v!, true)],
    ["gather", [[3, 4]], (t) => t.gather(1, idx([0, 3, 3, 1, 2, 2], [3, 2]))],
    ["scatter", [[3, 4], [2, 2]], (t, s) => t.scatter(1, idx([0, 3, 1, 2], [2, 2]), s!)],
    ["scatter src larger than index", [[3, 4], [2, 3]], (t, s) => t.scatter(1, idx([0, 3, 1, 2], [2, 2]), s!)],
    ["scatter_add", [[3, 4], [2, 2]], (t, s) => t.scatter_add(1, idx([0, 0, 1, 1], [2, 2]), s!)],
    ["index_select", [[3, 4]], (t) => t.index_select(1, idx([3, 0, 3]))],
    ["index_add", [[3, 4], [3, 2]], (t, s) => t.index_add(1, idx([1, 1]), s!, { alpha: 3 })],
    ["masked_select", [[4]], (t) => t.masked_select(torch.tensor([[true, false, true, true], [false, true, false, true]]))],
    ["take", [[3, 4]], (t) => t.take(idx([0, 11, -1, 5], [2, 2]))],
  ];
  for (const [name, shapes, fn] of checks) {
    test(name, () => gradcheck(fn, shapes.map((s, i) => leaf(s, 10 + i))));
  }
  test("IndexBackward0 of holes keeps values' gradient (create_graph)", () => {
    const t = leaf([3, 4], 4);
    const w = leaf([3, 2], 5);
    const [g] = torch.autograd.grad(t.index(":", [1, 3]).mul(w).sum(), [t], null, { create_graph: true });
    const [gw] = torch.autograd.grad(g!.index(":", 1).sum(), [w]);
    expect(gw!.tolist()).toEqual([[1, 0], [1, 0], [1, 0]]);
  });
  test("multi-output after indexing", () => gradcheck((t) => joined(t.index([0, 2]).unbind(1)), [leaf([3, 2], 7)]));
});
