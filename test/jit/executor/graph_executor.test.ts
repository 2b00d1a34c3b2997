/**
 * The graph executor against the interpreter and eager: the same outputs, gradients, grad_fn
 * names and error reports, one plan per input signature, and guards that notice a module
 * changed under a plan.
 */
import { describe, expect, it } from "vitest";
import { torch, Tensor } from "../../../src/index.js";
import { compiledSource, executorState, optimized_execution } from "../../../src/jit/executor/graph_executor.js";
import { scalarConditionsMade } from "../../../src/jit/passes/fuse_scalar_condition.js";
import type { ScriptModule } from "../../../src/jit/script_module.js";
import type { Graph } from "../../../src/jit/ir/index.js";
import { defineCell } from "../script/support.js";
import { SEED_CELL } from "../script/seed_cells.js";

const { MyRNNLoop_TraceScript, MyCell_v2, MyDecisionGate } = defineCell(SEED_CELL, { file: "<executor cell>" });

const interpreted = <T>(fn: () => T): T => optimized_execution(false, fn);

function gradsOf(m: ScriptModule, run: () => Tensor): Tensor[] {
  m.zero_grad();
  run().sum().backward();
  return [...m.parameters()].map((p) => p.grad!.clone());
}

describe("compiled graphs give the interpreter's and eager's results", () => {
  torch.manual_seed(0);
  const eager = new MyRNNLoop_TraceScript();
  const rnn = torch.jit.script(eager) as ScriptModule;
  const xs = torch.randn(10, 3, 4);

  it("outputs, grad_fn names and gradients of the article's loop", () => {
    const before = executorState.fallbacks;
    const [y, h] = rnn(xs) as [Tensor, Tensor];
    const [yi, hi] = interpreted(() => rnn(xs)) as [Tensor, Tensor];
    const [ye] = eager(xs) as [Tensor, Tensor];
    expect(torch.equal(y, yi) && torch.equal(h, hi) && torch.equal(y, ye)).toBe(true);
    expect(y.grad_fn?.name()).toBe("TanhBackward0");
    expect(y.grad_fn?.next_functions.map(([f]) => f?.name())).toEqual(yi.grad_fn?.next_functions.map(([f]) => f?.name()));
    const compiledGrads = gradsOf(rnn, () => (rnn(xs) as Tensor[])[1]!);
    const interpretedGrads = gradsOf(rnn, () => interpreted(() => rnn(xs) as Tensor[])[1]!);
    compiledGrads.forEach((g, i) => expect(torch.equal(g, interpretedGrads[i]!)).toBe(true));
    expect(executorState.fallbacks).toBe(before);
  });

  it("under no_grad too (a grad-free plan calls op forwards directly), with nothing recorded", () => {
    const [y] = torch.no_grad(() => rnn(xs)) as [Tensor, Tensor];
    const [yi] = torch.no_grad(() => interpreted(() => rnn(xs))) as [Tensor, Tensor];
    expect(torch.equal(y, yi)).toBe(true);
    expect(y.grad_fn).toBeNull();
    expect(y.requires_grad).toBe(false);
  });

  it("compiles the loop into one function with the method calls inlined", () => {
    const source = compiledSource(rnn.graph, [rnn, xs])!;
    expect(source).toMatch(/for \(let i\d+ = 0; i\d+ < max\d+ && cond\d+; i\d+\+\+\)/);
    expect(source).toMatch(/if \(v\d+\) \{/); // the scripted gate's branch, inlined
    expect(source).not.toContain("CallMethod");
  });

  it("makes one plan per input signature and reuses it", () => {
    const m = torch.jit.script(new MyCell_v2(torch.jit.script(new MyDecisionGate()))) as ScriptModule;
    const [x, h] = [torch.rand(3, 4), torch.rand(3, 4)];
    const start = executorState.plansMade;
    m(x, h);
    m(x.neg(), h);
    expect(executorState.plansMade - start).toBe(1);
    m(torch.rand(5, 4), torch.rand(5, 4)); // a new shape
    torch.no_grad(() => m(x, h)); // grad mode is part of the signature
    expect(executorState.plansMade - start).toBe(3);
  });
});

describe("elementwise fusion", () => {
  const { chain } = defineCell(`
function chain(x: Tensor, y: Tensor, z: Tensor): Tensor {
  return x.mul(y).add(z).tanh().neg().mul(0.37).sigmoid().div(y);
}`, { file: "<fusion cell>" });
  const scripted = torch.jit.script(chain) as ((...a: Tensor[]) => Tensor) & { graph: Graph };

  it("fuses the chain into one loop, equal to the interpreter bit for bit", () => {
    torch.manual_seed(3);
    // small: the one fused loop runs (Note [fusion against WASM kernels] leaves large ones to WASM)
    const [x, y, z] = [torch.randn(3, 5), torch.rand(3, 5).add(0.5), torch.randn(3, 5)];
    const fused = torch.no_grad(() => scripted(x, y, z));
    const reference = torch.no_grad(() => interpreted(() => scripted(x, y, z)));
    expect(torch.equal(fused, reference)).toBe(true);
    expect(torch.equal(fused, chain(x, y, z))).toBe(true); // and eager
    const source = torch.no_grad(() => compiledSource(scripted.graph, [x, y, z]))!;
    expect(source).toMatch(/FK\[0\]/);
  });

  it("runs op by op where the loop does not apply: large tensors, broadcasting, float64, views", () => {
    torch.manual_seed(4);
    const cases = [
      [torch.randn(64, 256), torch.rand(64, 256).add(0.5), torch.randn(64, 256)], // large: WASM kernels op by op
      [torch.randn(7, 5), torch.rand(5).add(0.5), torch.randn(7, 1)],
      [torch.randn(3, 2, { dtype: torch.float64 }), torch.rand(3, 2, { dtype: torch.float64 }).add(0.5), torch.randn(3, 2, { dtype: torch.float64 })],
      [torch.randn(5, 7).t(), torch.rand(7, 5).add(0.5), torch.randn(7, 5)],
    ];
    for (const [x, y, z] of cases) {
      const fused = torch.no_grad(() => scripted(x!, y!, z!));
      expect(torch.equal(fused, torch.no_grad(() => interpreted(() => scripted(x!, y!, z!))))).toBe(true);
      expect(fused.dtype).toBe(x!.dtype);
    }
  });

  it("fuses with grad enabled too (one node for the group): the same values, grad_fn tree and gradients", () => {
    torch.manual_seed(5);
    const make = () => [torch.randn(2, 3, { requires_grad: true }), torch.rand(2, 3).add(0.5), torch.randn(2, 3, { requires_grad: true })];
    const [x, y, z] = make() as [Tensor, Tensor, Tensor];
    expect(compiledSource(scripted.graph, [x, y, z])).toMatch(/FK\[0\]/);
    const out = scripted(x, y, z);
    const ref = interpreted(() => scripted(x, y, z));
    expect(torch.equal(out, ref)).toBe(true);
    expect(String(out)).toBe(String(ref));
    expect(out.grad_fn?.name()).toBe("DivBackward0");
    // inspecting the graph reads as eager's: MulBackward0, SigmoidBackward0, ... down to the leaves
    expect(gradTree(out.grad_fn)).toEqual(gradTree(ref.grad_fn));
    expect(gradTree(out.grad_fn)).toContain("AddBackward0");
    const [gx, gz] = torch.autograd.grad(out.sum(), [x, z]) as Tensor[];
    const [rx, rz] = torch.autograd.grad(ref.sum(), [x, z]) as Tensor[];
    expect(torch.equal(gx!, rx!) && torch.equal(gz!, rz!)).toBe(true);
  });

  it("differentiates only what eager records: inputs without grad, a group input used twice", () => {
    const { twice } = defineCell(`
function twice(x: Tensor, w: Tensor): Tensor {
  return x.mul(x).add(w).sigmoid().mul(w);
}`, { file: "<fusion cell 2>" });
    const f = torch.jit.script(twice) as ((...a: Tensor[]) => Tensor) & { graph: Graph };
    torch.manual_seed(6);
    for (const [xg, wg] of [[true, false], [false, true], [true, true]] as const) {
      const x = torch.randn(3, 4, { requires_grad: xg });
      const w = torch.randn(3, 4, { requires_grad: wg });
      const out = f(x, w);
      const ref = interpreted(() => f(x, w));
      expect(torch.equal(out, ref)).toBe(true);
      expect(gradTree(out.grad_fn)).toEqual(gradTree(ref.grad_fn));
      const leaves = [x, w].filter((t) => t.requires_grad);
      const got = torch.autograd.grad(out.sum(), leaves) as Tensor[];
      const want = torch.autograd.grad(ref.sum(), leaves) as Tensor[];
      got.forEach((g, i) => expect(torch.equal(g, want[i]!)).toBe(true));
    }
  });

  it("frees what backward saved unless retain_graph, with PyTorch's message; double backward works", () => {
    const x = torch.randn(2, 3, { requires_grad: true });
    const [y, z] = [torch.rand(2, 3).add(0.5), torch.randn(2, 3)];
    const out = scripted(x, y, z).sum();
    out.backward(null, { retain_graph: true });
    out.backward();
    expect(() => out.backward()).toThrow(/Trying to backward through the graph a second time/);
    const ref = interpreted(() => scripted(x, y, z)).sum();
    const viaRef = x.grad!.clone();
    x.grad = null;
    ref.backward();
    expect(torch.equal(viaRef, x.grad!.mul(2))).toBe(true);
    // create_graph: the gradient is itself differentiable through the ops' own rules
    const [g] = torch.autograd.grad(scripted(x, y, z).sum(), [x], null, { create_graph: true }) as Tensor[];
    const [gi] = torch.autograd.grad(interpreted(() => scripted(x, y, z)).sum(), [x], null, { create_graph: true }) as Tensor[];
    expect(torch.equal(g!, gi!)).toBe(true);
    const [gg] = torch.autograd.grad(g!.sum(), [x]) as Tensor[];
    const [ggi] = torch.autograd.grad(gi!.sum(), [x]) as Tensor[];
    expect(torch.equal(gg!, ggi!)).toBe(true);
  });
});

/** How many distinct backward nodes named `name` the graph under `fn` holds. */
function distinctNodes(fn: { name(): string; next_functions: [unknown, number][] } | null | undefined, name: string): number {
  const seen = new Set<unknown>();
  const walk = (f: typeof fn): void => {
    if (!f || seen.has(f)) return;
    seen.add(f);
    for (const [g] of f.next_functions) walk(g as typeof fn);
  };
  walk(fn);
  return [...seen].filter((f) => (f as { name(): string }).name() === name).length;
}

/** grad_fn names down the graph, depth first, as `name(children)`. */
function gradTree(fn: { name(): string; next_functions: [unknown, number][] } | null | undefined, depth = 8): string {
  if (!fn) return "None";
  if (depth === 0) return fn.name();
  const kids = fn.next_functions.map(([f]) => gradTree(f as typeof fn, depth - 1));
  return kids.length === 0 ? fn.name() : `${fn.name()}(${kids.join(", ")})`;
}

describe("scalar conditions (passes/fuse_scalar_condition.ts) compute on numbers what the ops would", () => {
  const { conditions } = defineCell(`
function conditions(x: Tensor, k: float): int {
  let n = 0;
  if (x.sum().gt(0).item()) n += 1;
  if (x.mean().mul(k).sub(k).le(k).item()) n += 2;
  if (x.sum().item()) n += 4;
  if (x.sum().neg().exp().lt(1.5).item()) n += 8;
  return n;
}`, { file: "<condition cell>" });
  const scripted = torch.jit.script(conditions) as ((x: Tensor, k: number) => number) & { graph: Graph };

  it("agrees with the interpreter and eager on values, zeros, NaN, empty, views and other dtypes", () => {
    torch.manual_seed(5);
    const cases: [Tensor, number][] = [
      [torch.randn(3, 4), 0.37],
      [torch.randn(3, 4), -2],
      [torch.zeros(2, 2), 1],
      [torch.tensor([1e-8, -1e-8, 3e-9]), 0.1],
      [torch.tensor([0.1, 0.2, -0.3]), 0], // the float32 sum is not 0
      [torch.tensor([Number.NaN, 1]), 1],
      [torch.zeros(0), 1], // sum 0, mean NaN
      [torch.randn(5, 7).t(), 0.5], // a view: op by op
      [torch.randn(3, 2, { dtype: torch.float64 }), 0.5],
      [torch.randn(4, { requires_grad: true }), 0.25],
    ];
    for (const [x, k] of cases) {
      const compiled = scripted(x, k);
      expect([String(x), k, compiled]).toEqual([String(x), k, interpreted(() => scripted(x, k))]);
      expect(compiled).toBeGreaterThan(0); // every case takes some branch
      // eager JavaScript's `if (NaN)` is false where TorchScript's bool(nan) is true
      if (!x.isnan().any().item()) expect([String(x), k, compiled]).toEqual([String(x), k, conditions(x, k)]);
    }
    // CSE leaves one x.sum() for three conditions: only the mean's chain is single-use throughout
    const made = scalarConditionsMade();
    compiledSource(scripted.graph, [torch.randn(2, 3), 0.5]); // a new signature: a new plan
    expect(scalarConditionsMade()).toBe(made + 1);
  });

  it("an input the numbers cannot take runs op by op, failing as the interpreter fails", () => {
    const ints = torch.tensor([3, -4, 2]); // int64: the sum conditions hold, mean() raises
    const failure = (run: () => unknown): string => {
      try {
        run();
        return "no error";
      } catch (e) {
        return String(e);
      }
    };
    expect(failure(() => scripted(ints, 2))).toBe(failure(() => interpreted(() => scripted(ints, 2))));
    expect(failure(() => scripted(ints, 2))).toMatch(/mean\(\): could not infer output dtype/);
  });
});

describe("a loop's linear takes its weight transposed once (Note [hoisted linear transpose])", () => {
  const { steps } = defineCell(`
function steps(x: Tensor, w: Tensor, b: Tensor, n: int): Tensor {
  for (let i = 0; i < n; i++) {
    x = torch.tanh(F.linear(x, w, b));
  }
  return x;
}`, { file: "<linear loop cell>" });
  const scripted = torch.jit.script(steps) as ((...a: unknown[]) => Tensor) & { graph: Graph };

  it("computes eager's values and gradients, with one TBackward0 per call", () => {
    torch.manual_seed(7);
    const [x, w, b] = [torch.randn(3, 4), torch.randn(4, 4, { requires_grad: true }), torch.randn(4, { requires_grad: true })];
    expect(compiledSource(scripted.graph, [x, w, b, 5])).toMatch(/for \(/);
    const out = scripted(x, w, b, 5);
    const ref = interpreted(() => scripted(x, w, b, 5));
    expect(torch.equal(out, ref)).toBe(true);
    expect(gradTree(out.grad_fn, 3)).toBe(gradTree(ref.grad_fn, 3));
    expect([distinctNodes(out.grad_fn, "TBackward0"), distinctNodes(ref.grad_fn, "TBackward0")]).toEqual([1, 5]);
    const got = torch.autograd.grad(out.sum(), [w, b]) as Tensor[];
    const want = torch.autograd.grad(ref.sum(), [w, b]) as Tensor[];
    got.forEach((g, i) => expect(torch.equal(g, want[i]!)).toBe(true));
  });

  it("raises nothing for a weight linear rejects when the loop never runs, and the same error when it does", () => {
    const [x, w, b] = [torch.randn(3, 4), torch.randn(2, 4, 4), torch.randn(4)];
    expect(torch.equal(scripted(x, w, b, 0), x)).toBe(true);
    const message = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        return String((e as Error).message);
      }
      return "no error";
    };
    expect(message(() => scripted(x, w, b, 1))).toBe(message(() => interpreted(() => scripted(x, w, b, 1))));
    expect(message(() => scripted(x, w, b, 1))).not.toBe("no error");
  });
});

describe("fused groups in loops write into dead results (Note [buffer reuse], grad-free plans)", () => {
  const { keepAll, previous } = defineCell(`
function keepAll(xs: Tensor, h: Tensor): Tensor[] {
  const out: Tensor[] = [];
  for (let i = 0; i < xs.size(0); i++) {
    h = xs.select(0, i).add(h).tanh();
    out.push(h);
  }
  return out;
}
function previous(x: Tensor, h: Tensor, n: int): Tensor {
  for (let i = 0; i < n; i++) {
    const y = x.mul(h).tanh().neg();
    h = torch.mm(y, h);
  }
  return h;
}`, { file: "<reuse cell>" });
  const ring = /FK\[\d+\]\(\[[^\]]*\], r\d+\)/;

  it("the article's loop: a carried state written two steps back, results equal, calls independent", () => {
    torch.manual_seed(8);
    const rnn = torch.jit.script(new MyRNNLoop_TraceScript()) as ScriptModule;
    const xs = torch.randn(10, 3, 4);
    const graph = rnn.getMethod("forward")!.graph;
    const source = torch.no_grad(() => compiledSource(graph, [rnn, xs]));
    expect(source).toMatch(ring);
    expect(source).toMatch(/LINEAR_INTO\(r\d+, /); // the linear's result too
    const [y1, h1] = torch.no_grad(() => rnn(xs)) as [Tensor, Tensor];
    const kept = h1.clone();
    const [, h2] = torch.no_grad(() => rnn(torch.randn(10, 3, 4))) as [Tensor, Tensor];
    const [yi, hi] = torch.no_grad(() => interpreted(() => rnn(xs))) as [Tensor, Tensor];
    expect(torch.equal(y1, yi) && torch.equal(h1, hi)).toBe(true);
    expect(h2).not.toBe(h1);
    expect(torch.equal(h1, kept)).toBe(true); // the second call wrote none of the first call's tensors
  });

  it("a result only read within its step is written again next step", () => {
    const f = torch.jit.script(previous) as ((...a: unknown[]) => Tensor) & { graph: Graph };
    torch.manual_seed(9);
    const [x, h] = [torch.randn(3, 3), torch.randn(3, 3).div(3)];
    expect(torch.no_grad(() => compiledSource(f.graph, [x, h, 6]))).toMatch(ring);
    const out = torch.no_grad(() => f(x, h, 6));
    expect(torch.equal(out, torch.no_grad(() => interpreted(() => f(x, h, 6))))).toBe(true);
    expect(torch.equal(out, previous(x, h, 6))).toBe(true);
  });

  it("a linear whose results are kept never writes into them", () => {
    const { KeepLinear } = defineCell(`
class KeepLinear extends nn.Module {
  linear = new nn.Linear(4, 4);
  forward(xs: Tensor): Tensor[] {
    const out: Tensor[] = [];
    for (let i = 0; i < xs.size(0); i++) out.push(this.linear(xs.select(0, i)));
    return out;
  }
}`, { file: "<reuse linear cell>" });
    torch.manual_seed(10);
    const m = torch.jit.script(new KeepLinear()) as ScriptModule;
    const xs = torch.randn(5, 3, 4);
    expect(torch.no_grad(() => compiledSource(m.getMethod("forward")!.graph, [m, xs]))).not.toMatch(/LINEAR_INTO/);
    const got = torch.no_grad(() => m(xs)) as Tensor[];
    const want = torch.no_grad(() => interpreted(() => m(xs))) as Tensor[];
    expect(new Set(got.map((t) => t.storage)).size).toBe(5);
    got.forEach((t, i) => expect(torch.equal(t, want[i]!)).toBe(true));
  });

  it("results kept in a list are never written again", () => {
    const f = torch.jit.script(keepAll) as ((...a: unknown[]) => Tensor[]) & { graph: Graph };
    const [xs, h] = [torch.randn(6, 2, 3), torch.zeros(2, 3)];
    const source = torch.no_grad(() => compiledSource(f.graph, [xs, h]))!;
    expect(source).toMatch(/FK\[0\]/);
    expect(source).not.toMatch(ring);
    const got = torch.no_grad(() => f(xs, h));
    const want = torch.no_grad(() => interpreted(() => f(xs, h)));
    expect(new Set(got).size).toBe(6);
    got.forEach((t, i) => expect(torch.equal(t, want[i]!)).toBe(true));
  });
});

describe("structure guards", () => {
  it("a submodule replaced after compiling is the one that runs", () => {
    torch.manual_seed(1);
    const m = torch.jit.script(new MyCell_v2(torch.jit.script(new MyDecisionGate()))) as ScriptModule;
    const [x, h] = [torch.rand(3, 4), torch.rand(3, 4)];
    const first = (m(x, h) as Tensor[])[0]!;
    const other = torch.jit.script(new MyCell_v2(torch.jit.script(new MyDecisionGate()))) as ScriptModule;
    m.linear = other.linear;
    const second = (m(x, h) as Tensor[])[0]!;
    expect(torch.equal(second, (interpreted(() => m(x, h)) as Tensor[])[0]!)).toBe(true);
    expect(torch.equal(first, second)).toBe(false);
  });

  it("a submodule that gains a hook after compiling is called as the interpreter calls it", () => {
    const m = torch.jit.script(new MyCell_v2(torch.jit.script(new MyDecisionGate()))) as ScriptModule;
    const [x, h] = [torch.rand(3, 4), torch.rand(3, 4)];
    m(x, h);
    let calls = 0;
    (m.dg as ScriptModule).register_forward_hook(() => void calls++);
    const plans = executorState.plansMade;
    m(x, h);
    expect(executorState.plansMade).toBe(plans + 1); // the guard saw the hook
    const compiledCalls = calls;
    interpreted(() => m(x, h));
    expect(calls - compiledCalls).toBe(compiledCalls);
  });
});

describe("errors read as the interpreter's", () => {
  it("a shape error inside an inlined method names the same frames", () => {
    const m = torch.jit.script(new MyCell_v2(torch.jit.script(new MyDecisionGate()))) as ScriptModule;
    const message = (run: () => unknown): string => {
      try {
        run();
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error("no error");
    };
    const [x, h] = [torch.rand(3, 5), torch.rand(3, 4)];
    const compiled = message(() => m(x, h));
    expect(compiled).toContain("mat1 and mat2 shapes cannot be multiplied");
    expect(compiled).toBe(message(() => interpreted(() => m(x, h))));
  });
});

describe("when the interpreter runs instead", () => {
  it("optimized_execution(false) makes no plan", () => {
    const m = torch.jit.script(new MyDecisionGate()) as ScriptModule;
    const start = executorState.plansMade;
    interpreted(() => m(torch.rand(2)));
    expect(executorState.plansMade).toBe(start);
  });
});
