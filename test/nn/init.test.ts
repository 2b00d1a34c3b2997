import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { torch, Tensor } from "../../src/index.js";
import * as init from "../../src/nn/init.js";
import { hasTorch, runTorch } from "../support/pytorch.js";

const { nn } = torch;
const vals = (t: Tensor): number[] => Array.from(t.contiguousData());
const f32 = (xs: number[]): number[] => xs.map(Math.fround);

interface LinearRef { seed: number; call: string; out: { weight: number[]; bias: number[] } }
const RNG_REF = JSON.parse(
  readFileSync(new URL("../../../shared/reference/pytorch-1.13-rng.json", import.meta.url), "utf8"),
) as { cases: LinearRef[] };

describe("nn.Linear default initialisation (shared/reference/pytorch-1.13-rng.json)", () => {
  const cases = RNG_REF.cases.filter((c) => c.call.startsWith("nn.Linear("));
  it("has Linear cases", () => expect(cases.length).toBeGreaterThan(0));
  for (const c of cases) {
    it(`seed ${c.seed}: ${c.call}`, () => {
      const [i, o] = /\((\d+), (\d+)\)/.exec(c.call)!.slice(1).map(Number) as [number, number];
      torch.manual_seed(c.seed);
      const lin = new nn.Linear(i, o);
      expect(vals(lin.weight)).toEqual(f32(c.out.weight));
      expect(vals(lin.bias!)).toEqual(f32(c.out.bias));
    });
  }
});

describe("calculate_gain and fans", () => {
  it("gives PyTorch's gains", () => {
    expect(init.calculate_gain("linear")).toBe(1);
    expect(init.calculate_gain("sigmoid")).toBe(1);
    expect(init.calculate_gain("tanh")).toBe(5 / 3);
    expect(init.calculate_gain("relu")).toBe(Math.sqrt(2));
    expect(init.calculate_gain("leaky_relu")).toBe(Math.sqrt(2 / (1 + 0.01 ** 2)));
    expect(init.calculate_gain("leaky_relu", 0.2)).toBe(Math.sqrt(2 / (1 + 0.2 * 0.2)));
    expect(init.calculate_gain("selu")).toBe(0.75);
  });
  it("raises PyTorch's errors", () => {
    expect(() => init.calculate_gain("swish")).toThrow("Unsupported nonlinearity swish");
    expect(() => init._calculate_fan_in_and_fan_out(torch.zeros(3))).toThrow(
      "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions",
    );
    expect(() => init.kaiming_uniform_(torch.zeros(3, 4), { mode: "fan_avg" as "fan_in" })).toThrow(
      "Mode fan_avg not supported, please use one of ['fan_in', 'fan_out']",
    );
    expect(() => init.eye_(torch.zeros(3))).toThrow("Only tensors with 2 dimensions are supported");
    expect(() => init.dirac_(torch.zeros(3, 3))).toThrow("Only tensors with 3, 4, or 5 dimensions are supported");
  });
  it("computes fan_in / fan_out with the receptive field", () => {
    expect(init._calculate_fan_in_and_fan_out(torch.zeros(8, 3, 5, 5))).toEqual([75, 200]);
    expect(init._calculate_fan_in_and_fan_out(torch.zeros(4, 6))).toEqual([6, 4]);
  });
  it("runs under no_grad on a parameter and keeps it a leaf", () => {
    const p = new nn.Parameter(torch.zeros(3, 4));
    init.kaiming_uniform_(p);
    expect(p.grad_fn).toBeNull();
    expect(p.requires_grad).toBe(true);
  });
  it("constant_, ones_, zeros_, eye_ and dirac_ fill as PyTorch", () => {
    expect(vals(init.constant_(torch.zeros(2, 2), 0.5))).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(vals(init.ones_(torch.zeros(3)))).toEqual([1, 1, 1]);
    expect(vals(init.zeros_(torch.ones(3)))).toEqual([0, 0, 0]);
    expect(vals(init.eye_(torch.ones(2, 3)))).toEqual([1, 0, 0, 0, 1, 0]);
    const d = init.dirac_(torch.ones(2, 2, 3));
    expect(vals(d)).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
  });
});

describe.skipIf(!hasTorch)("seeded initialisers against PyTorch", () => {
  it("uniform_, normal_, xavier_*, kaiming_*, trunc_normal_ draw PyTorch's numbers", () => {
    const ref = runTorch<Record<string, number[]>>(`
import torch.nn.init as I
out = {}
def run(name, fn, shape):
    torch.manual_seed(0)
    t = torch.empty(*shape)
    fn(t)
    out[name] = t.flatten().tolist()
run("uniform", lambda t: I.uniform_(t, -2, 3), (3, 5))
run("normal", lambda t: I.normal_(t, 1, 2), (5, 7))
run("xavier_uniform", lambda t: I.xavier_uniform_(t, gain=2), (6, 4))
run("xavier_normal", lambda t: I.xavier_normal_(t), (6, 4, 3))
run("kaiming_uniform", lambda t: I.kaiming_uniform_(t, a=0.1, mode='fan_out', nonlinearity='leaky_relu'), (5, 3, 2, 2))
run("kaiming_normal", lambda t: I.kaiming_normal_(t, nonlinearity='relu'), (7, 3))
run("kaiming_relu", lambda t: I.kaiming_uniform_(t, nonlinearity='relu'), (4, 4))
run("trunc_normal", lambda t: I.trunc_normal_(t, 0.5, 2.0, -1.0, 3.0), (40,))
print(json.dumps(out))
`);
    const run = (fn: (t: Tensor) => unknown, shape: number[]): number[] => {
      torch.manual_seed(0);
      const t = torch.empty(shape);
      fn(t);
      return vals(t);
    };
    expect(run((t) => init.uniform_(t, -2, 3), [3, 5])).toEqual(f32(ref["uniform"]!));
    expect(run((t) => init.normal_(t, 1, 2), [5, 7])).toEqual(f32(ref["normal"]!));
    expect(run((t) => init.xavier_uniform_(t, 2), [6, 4])).toEqual(f32(ref["xavier_uniform"]!));
    expect(run((t) => init.xavier_normal_(t), [6, 4, 3])).toEqual(f32(ref["xavier_normal"]!));
    expect(run((t) => init.kaiming_uniform_(t, 0.1, { mode: "fan_out" }), [5, 3, 2, 2])).toEqual(f32(ref["kaiming_uniform"]!));
    expect(run((t) => init.kaiming_normal_(t, { nonlinearity: "relu" }), [7, 3])).toEqual(f32(ref["kaiming_normal"]!));
    expect(run((t) => init.kaiming_uniform_(t, { nonlinearity: "relu" }), [4, 4])).toEqual(f32(ref["kaiming_relu"]!));
    const tn = run((t) => init.trunc_normal_(t, 0.5, 2.0, -1.0, 3.0), [40]);
    tn.forEach((v, i) => expect(v).toBeCloseTo(ref["trunc_normal"]![i]!, 5));
  });
});

describe("Python-style arguments", () => {
  it("accept positional values or a keyword object", () => {
    torch.manual_seed(4);
    const a = init.uniform_(torch.empty(5), -1, 2);
    torch.manual_seed(4);
    const b = init.uniform_(torch.empty(5), { a: -1, b: 2 });
    expect(vals(a)).toEqual(vals(b));
    torch.manual_seed(4);
    const c = init.kaiming_normal_(torch.empty(3, 4), 0, "fan_out", "relu");
    torch.manual_seed(4);
    const d = init.kaiming_normal_(torch.empty(3, 4), { mode: "fan_out", nonlinearity: "relu" });
    expect(vals(c)).toEqual(vals(d));
    expect(() => init.xavier_normal_(torch.empty(2, 2), { gian: 2 } as never)).toThrow(
      "xavier_normal_() got an unexpected keyword argument 'gian'",
    );
  });
  it("kaiming_* on a zero-element tensor is a no-op", () => {
    const t = torch.empty(0, 3);
    expect(init.kaiming_uniform_(t)).toBe(t);
  });
});
