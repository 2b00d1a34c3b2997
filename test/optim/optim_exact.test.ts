/**
 * Optimizer updates against PyTorch 1.13, bit for bit: both sides apply the same gradient
 * sequence (drawn in PyTorch) to the same starting parameters.
 */
import { describe, expect, it } from "vitest";
import { Tensor } from "../../src/tensor/tensor.js";
import { toDType } from "../../src/tensor/dtype.js";
import * as optim from "../../src/optim/index.js";
import { hasTorch, runTorch } from "../support/pytorch.js";

interface Ref {
  init: number[][];
  shapes: number[][];
  grads: number[][][];
  cases: { cls: string; cfg: Record<string, unknown>; dtype: string; steps: number[][][] }[];
}

const CASES: [string, string, string][] = [
  ["SGD", "dict(lr=0.1)", "float32"],
  ["SGD", "dict(lr=0.1, momentum=0.9)", "float32"],
  ["SGD", "dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01)", "float32"],
  ["SGD", "dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1)", "float32"],
  ["SGD", "dict(lr=0.1, momentum=0.5, maximize=True)", "float32"],
  ["SGD", "dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1)", "float64"],
  ["Adam", "dict()", "float32"],
  ["Adam", "dict(lr=0.01, weight_decay=0.1)", "float32"],
  ["Adam", "dict(lr=0.01, amsgrad=True)", "float32"],
  ["Adam", "dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, maximize=True)", "float32"],
  ["Adam", "dict(lr=0.01, weight_decay=0.1, amsgrad=True)", "float64"],
  ["AdamW", "dict()", "float32"],
  ["AdamW", "dict(lr=0.01, weight_decay=0.1, amsgrad=True)", "float32"],
  ["AdamW", "dict(lr=0.01, weight_decay=0.1, maximize=True)", "float64"],
];

const STEPS = 6;

function reference(): Ref {
  return runTorch<Ref>(`
torch.manual_seed(0)
shapes = [(37,), (3, 5), (4, 4)]
init = [torch.randn(s) for s in shapes]
grads = [[torch.randn(s) * (0.1 if k % 2 else 1.0) for s in shapes] for k in range(${STEPS})]
cases = []
for cls, cfg, dt in ${JSON.stringify(CASES).replace(/"(dict\([^"]*\))"/g, "$1")}:
    dtype = getattr(torch, dt)
    ps = [x.clone().to(dtype).requires_grad_() for x in init]
    opt = getattr(torch.optim, cls)(ps, **cfg)
    steps = []
    for k in range(${STEPS}):
        for p, g in zip(ps, grads[k]):
            p.grad = g.clone().to(dtype)
        opt.step()
        steps.append([p.detach().flatten().tolist() for p in ps])
    cases.append(dict(cls=cls, cfg=cfg, dtype=dt, steps=steps))
print(json.dumps(dict(init=[x.flatten().tolist() for x in init], shapes=shapes,
      grads=[[g.flatten().tolist() for g in gs] for gs in grads], cases=cases)))
`);
}

function make(values: number[], shape: number[], dtype: string): Tensor {
  const d = toDType(dtype);
  const data = new d.ArrayType(values.length);
  values.forEach((v, i) => (data[i] = v));
  return Tensor.fromData(data, shape.slice(), d);
}

type OptCtor = new (params: Tensor[], opts: Record<string, unknown>) => { step(): unknown };

describe.skipIf(!hasTorch)("optimizers match PyTorch bit for bit", () => {
  const ref = hasTorch ? reference() : null;
  CASES.forEach(([cls, cfg, dtype], ci) => {
    it(`${cls} ${cfg} ${dtype}`, () => {
      const r = ref!;
      const c = r.cases[ci]!;
      const ps = r.init.map((v, i) => {
        const p = make(v, r.shapes[i]!, dtype);
        p.requires_grad = true;
        return p;
      });
      const Ctor = (optim as unknown as Record<string, OptCtor>)[cls]!;
      const opts = { ...c.cfg } as Record<string, unknown>;
      const opt = new Ctor(ps, opts);
      for (let k = 0; k < STEPS; k++) {
        ps.forEach((p, i) => {
          p.grad = make(r.grads[k]![i]!, r.shapes[i]!, dtype);
        });
        opt.step();
        const bad: string[] = [];
        ps.forEach((p, i) => {
          const got = p.contiguousData();
          const want = c.steps[k]![i]!;
          want.forEach((w, j) => {
            if (!Object.is(got[j], w)) bad.push(`step ${k} p${i}[${j}] got ${got[j]} want ${w}`);
          });
        });
        expect(bad.slice(0, 5)).toEqual([]);
      }
    });
  });
});
