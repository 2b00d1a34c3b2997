/**
 * torch.optim end to end (a small linear regression trained with autograd, against PyTorch)
 * and the Optimizer API: param groups and defaults, zero_grad, state_dict / load_state_dict,
 * printing and PyTorch's error messages.
 */
import { describe, expect, it } from "vitest";
import { torch, Tensor } from "../../src/index.js";
import { hasTorch, runTorch } from "../support/pytorch.js";

const { nn, optim } = torch;

interface J { shape: number[]; data: number[] }
const fromJ = (j: J): Tensor => torch.tensor(j.data, { dtype: "float32" }).reshape(j.shape);

const RUNS: [string, string, (ps: Tensor[]) => { step(): unknown; zero_grad(): void }][] = [
  ["SGD", "optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True)", (ps) => new optim.SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true })],
  ["SGD", "optim.SGD(ps, lr=0.1, weight_decay=0.01, dampening=0.2, momentum=0.5)",
    (ps) => new optim.SGD(ps, { lr: 0.1, weight_decay: 0.01, dampening: 0.2, momentum: 0.5 })],
  ["Adam", "optim.Adam(ps, lr=0.05)", (ps) => new optim.Adam(ps, { lr: 0.05 })],
  ["Adam", "optim.Adam(ps, lr=0.05, amsgrad=True, weight_decay=0.1)", (ps) => new optim.Adam(ps, { lr: 0.05, amsgrad: true, weight_decay: 0.1 })],
  ["AdamW", "optim.AdamW(ps, lr=0.05)", (ps) => new optim.AdamW(ps, { lr: 0.05 })],
];
const STEPS = 8;

interface RegRef { X: J; y: J; init: [string, J][]; runs: [string, J][][] }

describe.skipIf(!hasTorch)("training a linear regression matches PyTorch", () => {
  const ref = hasTorch ? runTorch<RegRef>(`
from torch import nn, optim
def T(t): return dict(shape=list(t.shape), data=t.detach().flatten().tolist())
torch.manual_seed(0)
X = torch.randn(16, 3)
y = X @ torch.tensor([[1.5], [-2.0], [0.5]]) + 0.3 + 0.1 * torch.randn(16, 1)
model = nn.Linear(3, 1)
init = {k: v.clone() for k, v in model.state_dict().items()}
runs = []
for expr in ${JSON.stringify(RUNS.map((r) => r[1]))}:
    model.load_state_dict(init)
    ps = list(model.parameters())
    opt = eval(expr)
    for _ in range(${STEPS}):
        opt.zero_grad()
        ((model(X) - y) ** 2).mean().backward()
        opt.step()
    runs.append([[k, T(v)] for k, v in model.state_dict().items()])
print(json.dumps(dict(X=T(X), y=T(y), init=[[k, T(v)] for k, v in init.items()], runs=runs)))
`) : null;

  RUNS.forEach(([, expr, make], i) => {
    it(expr, () => {
      const r = ref!;
      const X = fromJ(r.X), y = fromJ(r.y);
      const model = new nn.Linear(3, 1);
      model.load_state_dict(new Map(r.init.map(([k, j]) => [k, fromJ(j)])));
      const opt = make(model.parameters());
      for (let s = 0; s < STEPS; s++) {
        opt.zero_grad();
        (model(X) as Tensor).sub(y).pow(2).mean().backward();
        opt.step();
      }
      const got = model.state_dict();
      for (const [k, j] of r.runs[i]!) {
        const g = Array.from(got.get(k)!.contiguousData());
        j.data.forEach((w, e) => expect(Math.abs(g[e]! - w), `${k}[${e}] ${g[e]} vs ${w}`).toBeLessThan(1e-6));
      }
    });
  });
});

describe("Optimizer API", () => {
  const param = (vals: number[]): Tensor => torch.tensor(vals, { dtype: "float32" }).requires_grad_();

  it("fills param groups from the defaults and prints like PyTorch", () => {
    const a = param([1, 2]), b = param([3]);
    const opt = new optim.SGD([{ params: [a] }, { params: b, lr: 0.5 }], { lr: 0.1, momentum: 0.9 });
    expect(opt.param_groups[0]!["lr"]).toBe(0.1);
    expect(opt.param_groups[1]!["lr"]).toBe(0.5);
    expect(opt.param_groups[1]!.params).toEqual([b]);
    expect(String(opt)).toBe([
      "SGD (", "Parameter Group 0", "    dampening: 0", "    differentiable: False", "    foreach: None",
      "    lr: 0.1", "    maximize: False", "    momentum: 0.9", "    nesterov: False", "    weight_decay: 0", "",
      "Parameter Group 1", "    dampening: 0", "    differentiable: False", "    foreach: None",
      "    lr: 0.5", "    maximize: False", "    momentum: 0.9", "    nesterov: False", "    weight_decay: 0", ")",
    ].join("\n"));
    expect(String(new optim.Adam([a]))).toContain("    betas: (0.9, 0.999)\n    capturable: False\n");
    expect(String(new optim.Adam([a]))).toContain("    eps: 1e-08\n");
  });

  it("add_param_group rejects overlapping groups and non-leaf tensors", () => {
    const a = param([1]);
    const opt = new optim.SGD([a], 0.1);
    expect(() => opt.add_param_group({ params: [a] })).toThrow("some parameters appear in more than one parameter group");
    expect(() => opt.add_param_group({ params: [a.mul(2)] })).toThrow("can't optimize a non-leaf Tensor");
    expect(() => new optim.SGD([], 0.1)).toThrow("optimizer got an empty parameter list");
    expect(() => new optim.SGD([a])).toThrow("parameter group didn't specify a value of required optimization parameter lr");
    expect(() => new optim.SGD([a], -1)).toThrow("Invalid learning rate: -1");
    expect(() => new optim.SGD([a], { lr: 0.1, nesterov: true })).toThrow("Nesterov momentum requires a momentum and zero dampening");
    expect(() => new optim.Adam([a], { betas: [1.0, 0.999] })).toThrow("Invalid beta parameter at index 0: 1");
    expect(() => new optim.Adam([a], { eps: -1e-8 })).toThrow("Invalid epsilon value: -1e-08");
  });

  it("zero_grad zeroes in place (1.13 default) or drops the grads", () => {
    const a = param([1, 2]);
    a.mul(3).sum().backward();
    const g = a.grad!;
    const opt = new optim.SGD([a], 0.1);
    opt.zero_grad();
    expect(a.grad).toBe(g);
    expect(Array.from(g.contiguousData())).toEqual([0, 0]);
    opt.zero_grad(true);
    expect(a.grad).toBeNull();
  });

  it("skips parameters without grad and keeps SGD's momentum buffers in state", () => {
    const a = param([1, 2]), b = param([5]);
    const opt = new optim.SGD([a, b], { lr: 0.5, momentum: 0.9 });
    a.grad = torch.tensor([1, -1], { dtype: "float32" });
    opt.step();
    expect(Array.from(a.contiguousData())).toEqual([0.5, 2.5]);
    expect(Array.from(b.contiguousData())).toEqual([5]);
    expect([...opt.state.keys()]).toEqual([a]);
    const buf = opt.state.get(a)!["momentum_buffer"] as Tensor;
    expect(Array.from(buf.contiguousData())).toEqual([1, -1]);
    opt.step();
    expect(Array.from(buf.contiguousData()).map((x) => Math.round(x * 1e6) / 1e6)).toEqual([1.9, -1.9]);
  });

  it("step(closure) evaluates the closure with grad enabled and returns its loss", () => {
    const a = param([2]);
    const opt = new optim.SGD([a], 0.25);
    const loss = torch.no_grad(() => opt.step(() => {
      opt.zero_grad();
      const l = a.mul(a).sum();
      l.backward();
      return l;
    })) as Tensor;
    expect(loss.item()).toBe(4);
    expect(a.item()).toBe(1);
  });

  it("loads legacy state (plain-number steps, missing options)", () => {
    const a = param([1]);
    const opt = new optim.Adam([a]);
    opt.load_state_dict({
      state: { 0: { step: 3, exp_avg: torch.zeros(1), exp_avg_sq: torch.zeros(1) } },
      param_groups: [{ params: [0], lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0 }],
    });
    expect((opt.state.get(a)!["step"] as Tensor).item()).toBe(3);
    expect(opt.param_groups[0]!["amsgrad"]).toBe(false);
  });

  it("state_dict packs state by parameter index and load_state_dict restores a copy", () => {
    const a = param([1, 2]), b = param([3]);
    const opt = new optim.Adam([{ params: [a] }, { params: [b], lr: 0.01 }]);
    a.grad = torch.tensor([0.5, -0.5], { dtype: "float32" });
    b.grad = torch.tensor([1], { dtype: "float32" });
    opt.step();
    const sd = opt.state_dict();
    expect(sd.param_groups.map((g) => g.params)).toEqual([[0], [1]]);
    expect([...sd.state.keys()]).toEqual([0, 1]);
    expect(Object.keys(sd.state.get(0)!)).toEqual(["step", "exp_avg", "exp_avg_sq"]);
    const a2 = param([1, 2]), b2 = param([3]);
    const opt2 = new optim.Adam([{ params: [a2] }, { params: [b2] }]);
    opt2.load_state_dict(sd);
    expect(opt2.param_groups[1]!["lr"]).toBe(0.01);
    expect(opt2.param_groups[1]!.params).toEqual([b2]);
    const s = opt2.state.get(a2)!;
    expect(s["exp_avg"]).not.toBe(sd.state.get(0)!["exp_avg"]);
    expect(Array.from((s["exp_avg"] as Tensor).contiguousData())).toEqual(
      Array.from((sd.state.get(0)!["exp_avg"] as Tensor).contiguousData()));
    expect((s["step"] as Tensor).item()).toBe(1);
    expect(() => new optim.Adam([a2]).load_state_dict(sd)).toThrow("loaded state dict has a different number of parameter groups");
  });
});
