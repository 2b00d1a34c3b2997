/**
 * The graph executor against the interpreter and eager: the same outputs, gradients, grad_fn
 * names and error reports, one plan per input signature, and guards that notice a module
 * changed under a plan.
 */
import { describe, expect, it } from "vitest";
import { torch, Tensor } from "../../../src/index.js";
import { compiledSource, executorState, optimized_execution } from "../../../src/jit/executor/graph_executor.js";
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

describe("elementwise fusion (plans made under no_grad)", () => {
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

  it("does not fuse with grad enabled: autograd records every op", () => {
    const x = torch.randn(2, 3, { requires_grad: true });
    const out = scripted(x, torch.rand(2, 3).add(0.5), torch.randn(2, 3));
    expect(out.grad_fn?.name()).toBe("DivBackward0");
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
