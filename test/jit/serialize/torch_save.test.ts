/**
 * torch.save / torch.load against real PyTorch both ways: files PyTorch writes during the test
 * load here (state dicts, every dtype, views sharing a storage, parameters, containers), and
 * files we write load in PyTorch with the same values, views still sharing storage.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as torch from "../../../src/torch.js";
import { Parameter } from "../../../src/nn/parameter.js";
import { tuple, isTuple } from "../../../src/jit/serialize/pickle_values.js";
import { TorchScriptArchiveError } from "../../../src/jit/serialize/errors.js";
import { hasTorch, runTorch } from "../../support/pytorch.js";

const dir = mkdtempSync(join(tmpdir(), "tsjit-save-"));

/** A JSON-able description of a loaded value: tensors as dtype/shape/values. */
function describeValue(v: unknown): unknown {
  if (v instanceof torch.Tensor) {
    return { dtype: v.dtype.name, shape: v.shape, values: v.tolist(), param: v instanceof Parameter, rg: v.requires_grad };
  }
  if (Array.isArray(v)) return { [isTuple(v) ? "tuple" : "list"]: v.map(describeValue) };
  if (v instanceof Map) return { dict: [...v].map(([k, x]) => [k, describeValue(x)]) };
  return v;
}

const PY_DESCRIBE = `
def describe(v):
    if isinstance(v, torch.Tensor):
        vals = v.float().tolist() if v.dtype in (torch.float16, torch.bfloat16) else v.tolist()
        return {"dtype": str(v.dtype)[6:], "shape": list(v.shape), "values": vals, "param": isinstance(v, torch.nn.Parameter), "rg": v.requires_grad}
    if isinstance(v, tuple): return {"tuple": [describe(x) for x in v]}
    if isinstance(v, list): return {"list": [describe(x) for x in v]}
    if isinstance(v, dict): return {"dict": [[k, describe(x)] for k, x in v.items()]}
    return v
`;

describe.skipIf(!hasTorch)("torch.load of files PyTorch wrote", () => {
  it("a state dict of every dtype, views, parameters and containers", () => {
    const path = join(dir, "from_torch.pt");
    const want = runTorch(`${PY_DESCRIBE}
torch.manual_seed(0)
base = torch.arange(12, dtype=torch.float32).view(3, 4)
obj = {
  "sd": torch.nn.Linear(3, 2).state_dict(),
  "dtypes": [torch.tensor([1.5, -2], dtype=d) for d in (torch.float32, torch.float64, torch.float16, torch.bfloat16)]
            + [torch.tensor([3, -4], dtype=d) for d in (torch.int64, torch.int32, torch.int16, torch.int8)]
            + [torch.tensor([3, 4], dtype=torch.uint8), torch.tensor([True, False])],
  "views": (base, base[:, 1], base.t()),
  "param": torch.nn.Parameter(torch.ones(2)),
  "big": torch.tensor([2**62, -2**40]),
  "scalars": [1, 2.5, "s", None, True, 2**40],
  "empty": torch.zeros(0, 3),
  "zero_dim": torch.tensor(7.0),
}
torch.save(obj, ${JSON.stringify(path)})
print(json.dumps(describe(obj)))
`);
    const got = torch.load(path) as Map<string, unknown>;
    expect(describeValue(got)).toEqual(want);
    const views = got.get("views") as torch.Tensor[];
    expect(views[1]!.storage).toBe(views[0]!.storage);
    expect(views[2]!.storage).toBe(views[0]!.storage);
  });

  it("model.load_state_dict(torch.load(path)) takes PyTorch's weights", () => {
    const path = join(dir, "linear.pt");
    const out = runTorch<number[][]>(`
torch.manual_seed(3)
m = torch.nn.Linear(4, 3)
torch.save(m.state_dict(), ${JSON.stringify(path)})
print(json.dumps(m(torch.ones(2, 4)).tolist()))
`);
    const m = new torch.nn.Linear(4, 3);
    m.load_state_dict(torch.load(path) as Map<string, torch.Tensor>);
    const y = m(torch.ones([2, 4])) as torch.Tensor;
    expect(torch.allclose(y, torch.tensor(out), { rtol: 1e-6, atol: 1e-7 })).toBe(true);
  });

  it("refuses a pickled Python class", () => {
    const path = join(dir, "module.pt");
    runTorch(`torch.save(torch.nn.ReLU(), ${JSON.stringify(path)})\nprint("null")`);
    expect(() => torch.load(path)).toThrow(TorchScriptArchiveError);
    expect(() => torch.load(path)).toThrow(/not in the allow-list/);
  });
});

describe.skipIf(!hasTorch)("torch.save read by PyTorch", () => {
  it("state dicts, dtypes, views, parameters and containers", () => {
    const path = join(dir, "sub", "from_tsjit.pt");
    torch.manual_seed(0);
    const lin = new torch.nn.Linear(3, 2);
    const base = torch.arange(12, { dtype: torch.float32 }).view(3, 4);
    const obj = new Map<string, unknown>([
      ["sd", lin.state_dict()],
      ["dtypes", ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8"].map((d) => torch.tensor([3, -4], { dtype: torch.toDType(d) }))],
      ["views", tuple([base, base.select(1, 1), base.t()])],
      ["param", new Parameter(torch.ones([2]))],
      ["plain", { a: 1, b: [2.5, "s", null, true] }],
    ]);
    torch.save(obj, path);
    const got = runTorch(`${PY_DESCRIBE}
obj = torch.load(${JSON.stringify(path)})
v = obj["views"]
assert v[1].storage().data_ptr() == v[0].storage().data_ptr() == v[2].storage().data_ptr()
assert type(obj["sd"]).__name__ == "OrderedDict"
print(json.dumps(describe(obj)))
`);
    const want = describeValue(new Map([...obj].map(([k, v]) => [k, k === "plain" ? new Map(Object.entries(v as object)) : v])));
    expect(got).toEqual(JSON.parse(JSON.stringify(want)));
    expect(readFileSync(path).subarray(0, 4).toString("latin1")).toBe("PK\x03\x04");
  });

  it("round-trips through our own reader", () => {
    const t = torch.tensor([[1, 2], [3, 4]], { dtype: torch.int64 });
    const back = torch.load(torch.save(new Map([["t", t]]))) as Map<string, torch.Tensor>;
    expect(back.get("t")!.tolist()).toEqual([[1, 2], [3, 4]]);
  });
});
