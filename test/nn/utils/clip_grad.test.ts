/**
 * torch.nn.utils's clip_grad_norm_ / clip_grad_value_ / parameters_to_vector /
 * vector_to_parameters against PyTorch 1.13: the total norm (2, 1, 3.5, 0 and inf norms, with
 * and without clipping), the clipped gradients, parameters without a gradient, a single tensor,
 * the error for a non-finite norm; and parameter vectors, their gradient and shared memory.
 */
import { describe, expect, it } from "vitest";
import { torch, Tensor } from "../../../src/index.js";
import { hasTorch, runTorch } from "../../support/pytorch.js";
import { PY_T, expectClose, fromJ, type J } from "./support.js";

const { nn } = torch;
const U = nn.utils;

/** [max_norm, norm_type as Python writes it, as it is passed here]. */
const NORM_CASES: [number, string, number | string][] = [
  [1.0, "2", 2], [100.0, "2.0", 2.0], [0.5, "'inf'", "inf"], [0.5, "float('inf')", Infinity],
  [0.3, "1", 1], [2.0, "3.5", 3.5], [1.0, "0", 0],
];

interface Ref {
  grads: J[];
  norms: { total: J; clipped: J[] }[];
  single: { total: J; clipped: J };
  value: J[];
  nonfinite: string;
  inf_total: string;
  vec: J;
  vec_grad: J[];
  new_vec: J;
}

function reference(): Ref {
  return runTorch<Ref>(`${PY_T}
torch.manual_seed(0)
grads = [torch.randn(3, 4), torch.randn(5) * 3, torch.randn(2, 2, 2) * 0.1]
def params():
    ps = [torch.zeros(g.shape, requires_grad=True) for g in grads] + [torch.zeros(2, requires_grad=True)]
    for p, g in zip(ps, grads): p.grad = g.clone()
    return ps
norms = []
for max_norm, norm_type in [${NORM_CASES.map(([m, n]) => `(${m}, ${n})`).join(", ")}]:
    ps = params()
    total = torch.nn.utils.clip_grad_norm_(ps, max_norm, norm_type)
    norms.append(dict(total=T(total), clipped=[T(p.grad) for p in ps[:3]]))
p = params()[1]
single = dict(total=T(torch.nn.utils.clip_grad_norm_(p, 2.0)), clipped=T(p.grad))
ps = params()
torch.nn.utils.clip_grad_value_(ps, 0.7)
value = [T(p.grad) for p in ps[:3]]
bad = torch.zeros(2, requires_grad=True)
bad.grad = torch.tensor([1.0, float('inf')])
try:
    torch.nn.utils.clip_grad_norm_([bad], 1.0, error_if_nonfinite=True)
    nonfinite = "no error"
except RuntimeError as e:
    nonfinite = str(e)
inf_total = str(torch.nn.utils.clip_grad_norm_([bad], 1.0).item())
torch.manual_seed(1)
m = torch.nn.Linear(3, 2)
vec = torch.nn.utils.parameters_to_vector(m.parameters())
w = torch.arange(vec.numel(), dtype=torch.float32)
(vec * w).sum().backward()
new_vec = torch.randn(vec.numel())
print(json.dumps(dict(grads=[T(g) for g in grads], norms=norms, single=single, value=value, nonfinite=nonfinite,
    inf_total=inf_total, vec=T(vec), vec_grad=[T(p.grad) for p in m.parameters()], new_vec=T(new_vec))))
`);
}

const REF = hasTorch ? reference() : null;

/** Fresh zero parameters with PyTorch's gradients, plus one without a gradient. */
function params(): Tensor[] {
  const ps = REF!.grads.map((g) => torch.zeros(g.shape).requires_grad_());
  ps.forEach((p, i) => (p.grad = fromJ(REF!.grads[i]!)));
  return [...ps, torch.zeros(2).requires_grad_()];
}

describe.skipIf(!hasTorch)("clip_grad against PyTorch", () => {
  NORM_CASES.forEach(([maxNorm, pyNorm, normType], k) => {
    it(`clip_grad_norm_(params, ${maxNorm}, ${pyNorm}): total norm and clipped gradients`, () => {
      const ps = params();
      const total = U.clip_grad_norm_(ps, maxNorm, normType);
      expectClose(total, REF!.norms[k]!.total, "total norm", 0, 0);
      ps.slice(0, 3).forEach((p, i) => expectClose(p.grad!, REF!.norms[k]!.clipped[i]!, `grad ${i}`, 0, 0));
      expect(ps[3]!.grad).toBeNull();
      expect(total.grad_fn).toBeNull();
    });
  });

  it("a single tensor, keyword arguments, and clip_grad_value_", () => {
    const p = params()[1]!;
    const total = U.clip_grad_norm_(p, 2.0, { error_if_nonfinite: true });
    expectClose(total, REF!.single.total, "total", 0, 1e-6);
    expectClose(p.grad!, REF!.single.clipped, "clipped", 0, 1e-6);
    const ps = params();
    U.clip_grad_value_(ps, 0.7);
    ps.slice(0, 3).forEach((q, i) => expectClose(q.grad!, REF!.value[i]!, `clamped grad ${i}`, 0, 0));
  });

  it("a non-finite total norm: PyTorch's error with error_if_nonfinite, the inf norm without", () => {
    const bad = () => {
      const t = torch.zeros(2).requires_grad_();
      t.grad = torch.tensor([1.0, Infinity]);
      return t;
    };
    expect(() => U.clip_grad_norm_([bad()], 1.0, { error_if_nonfinite: true })).toThrow(REF!.nonfinite);
    expect(REF!.inf_total).toBe("inf");
    expect(U.clip_grad_norm_([bad()], 1.0).item()).toBe(Infinity);
  });

  it("parameters_to_vector (and its gradient), vector_to_parameters (sharing the vector's memory)", () => {
    torch.manual_seed(1);
    const m = new nn.Linear(3, 2);
    const vec = U.parameters_to_vector(m.parameters());
    expectClose(vec, REF!.vec, "vector", 0, 0);
    expect(vec.grad_fn?.name()).toBe("CatBackward0");
    vec.mul(torch.arange(vec.numel(), { dtype: "float32" })).sum().backward();
    [...m.parameters()].forEach((p, i) => expectClose(p.grad!, REF!.vec_grad[i]!, `param ${i} grad`, 0, 0));
    const next = fromJ(REF!.new_vec);
    U.vector_to_parameters(next, m.parameters());
    expectClose(U.parameters_to_vector(m.parameters()), REF!.new_vec, "parameters after vector_to_parameters", 0, 0);
    expect(m.weight.shape).toEqual([2, 3]);
    next.fill_(2);
    expect(Array.from(m.bias!.contiguousData())).toEqual([2, 2]);
  });
});

describe("clip_grad without PyTorch", () => {
  it("no gradients: a 0-d zero tensor; a bad vector: PyTorch's TypeError", () => {
    const total = U.clip_grad_norm_([torch.zeros(3).requires_grad_()], 1.0);
    expect(total.shape).toEqual([]);
    expect(total.item()).toBe(0);
    expect(() => U.vector_to_parameters([1, 2] as unknown as Tensor, [])).toThrow("expected torch.Tensor, but got: list");
  });
});
