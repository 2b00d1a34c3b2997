/**
 * The eager side of torch.jit's API: ignore / unused / export markers (as TS 5 decorators and
 * as wrappers), fork / wait with Futures, isinstance on TorchScript type descriptions, annotate.
 * Expected values follow PyTorch 1.13's eager behaviour (checked live where it matters).
 */
import { describe, expect, it } from "vitest";
import { torch } from "../../../src/index.js";
import { Future } from "../../../src/jit/future.js";
import { Attr, Graph, Types, futureType, parseGraph } from "../../../src/jit/ir/index.js";
import { makeScriptFunction } from "../../../src/jit/script_module.js";
import { nameLocal } from "../../../src/tensor/local_names.js";
import { hasTorch, runTorch } from "../../support/pytorch.js";
import { defineCell } from "../script/support.js";
import { same } from "./support.js";

describe("torch.jit.ignore / unused / export", () => {
  // Note: vitest's transform does not lower TS 5 standard decorators, so decorated classes are
  // compiled by the TypeScript compiler, as the kernel compiles cells.
  const { Marked } = defineCell(`
class Marked extends nn.Module {
  @torch.jit.export
  encode(x: Tensor): Tensor { return x.add(1); }
  @torch.jit.ignore
  debug(x: Tensor): void { console.log(x); }
  @torch.jit.unused
  legacy(x: Tensor): Tensor { return x; }
  @torch.jit.ignore({ drop: true })
  dropped(x: Tensor): Tensor { return x; }
  forward(x: Tensor): Tensor { return this.encode(x); }
}
`, { file: "<markers cell>" });

  it("marks methods through standard decorators, leaving the methods themselves unchanged", () => {
    const proto = Marked.prototype as Record<string, Function>;
    expect(torch.jit.markerOf(proto["encode"]!)).toBe("export");
    expect(torch.jit.markerOf(proto["debug"]!)).toBe("ignore");
    expect(torch.jit.markerOf(proto["legacy"]!)).toBe("unused");
    expect(torch.jit.markerOf(proto["dropped"]!)).toBe("unused");
    expect(torch.jit.markerOf(proto["forward"]!)).toBeUndefined();
    const m = new Marked();
    expect(same(m.encode(torch.ones(2)), torch.ones(2).mul(2))).toBe(true);
  });

  it("marks plain functions when called as wrappers, returning the same function", () => {
    const f = (x: number) => x + 1;
    expect(torch.jit.ignore(f)).toBe(f);
    expect(torch.jit.markerOf(f)).toBe("ignore");
    const g = function g() {};
    expect(torch.jit.unused(g)).toBe(g);
    expect(torch.jit.markerOf(g)).toBe("unused");
    const h = function h() {};
    expect(torch.jit.export(h)).toBe(h);
    expect(torch.jit.markerOf(h)).toBe("export");
  });

  it("says where a decorator does not apply", () => {
    expect(() => defineCell(`
class Wrong extends nn.Module {
  @torch.jit.export
  accessor n = 1;
}`, { register: false })).toThrow("@torch.jit.export applies to methods; 'n' is an accessor");
    expect(() => torch.jit.ignore(3 as unknown as Function)).toThrow("torch.jit.ignore: expected a function, a method or options like { drop: true }, got number");
    expect(() => torch.jit.unused(null as unknown as Function)).toThrow("torch.jit.unused: expected a function or method, got object");
  });
});

describe("torch.jit.fork / torch.jit.wait", () => {
  it("returns a completed Future whose wait() gives the result, as PyTorch's eager fork does", () => {
    const x = torch.rand(2, 3);
    const fut = torch.jit.fork((a: torch.Tensor, k: number) => a.mul(k), x, 3);
    expect(fut).toBeInstanceOf(Future);
    expect(fut.done()).toBe(true);
    expect(same(torch.jit.wait(fut), x.mul(3))).toBe(true);
    expect(same(fut.value(), x.mul(3))).toBe(true);
  });

  it("lets an exception escape from fork itself, as PyTorch 1.13's eager fork does", () => {
    const bad = () => {
      throw new Error("boom");
    };
    expect(() => torch.jit.fork(bad)).toThrow("boom");
  });

  it.skipIf(!hasTorch)("PyTorch 1.13 agrees: eager fork raises at fork time and returns a done Future", () => {
    const py = runTorch<{ raisedAtFork: boolean; done: boolean; value: number }>(`
def bad(x):
    raise ValueError("boom")
try:
    torch.jit.fork(bad, 1)
    raised = False
except ValueError:
    raised = True
f = torch.jit.fork(lambda x: x + 1, 1)
print(json.dumps({"raisedAtFork": raised, "done": f.done(), "value": torch.jit.wait(f)}))
`);
    expect(py).toEqual({ raisedAtFork: true, done: true, value: 2 });
    const f = torch.jit.fork((x: number) => x + 1, 1);
    expect({ raisedAtFork: true, done: f.done(), value: torch.jit.wait(f) }).toEqual(py);
  });

  it("completes later for an async function: results and rejections propagate through promise() and wait()", async () => {
    const ok = torch.jit.fork(async (n: number) => n * 2, 21);
    expect(ok.done()).toBe(false);
    expect(() => torch.jit.wait(ok)).toThrow("the Future is not complete yet");
    expect(await ok.promise()).toBe(42);
    expect(torch.jit.wait(ok)).toBe(42);
    const failing = torch.jit.fork(async () => {
      throw new RangeError("later");
    });
    await expect(failing.promise()).rejects.toThrow("later");
    expect(() => failing.wait()).toThrow("later");
  });

  it("chains with then() and runs done callbacks once", () => {
    const fut = torch.jit.fork((n: number) => n + 1, 1);
    const seen: number[] = [];
    fut.add_done_callback((f) => seen.push(f.value()));
    expect(fut.then((f) => f.value() * 10).wait()).toBe(20);
    expect(seen).toEqual([2]);
    expect(() => fut.set_result(3)).toThrow("can only be set once");
  });

  it("is recorded as prim::fork + aten::wait while tracing: PyTorch 1.13's code, eager's outputs", () => {
    // the kernel names locals with __tsjit_name; nameLocal does the same here
    function add1(x: torch.Tensor) {
      return x.add(1);
    }
    function f(x: torch.Tensor) {
      const fut = torch.jit.fork(add1, x);
      const y = nameLocal(torch.neg(x), "y");
      return torch.jit.wait(fut).add(y);
    }
    const traced = torch.jit.trace(f, [torch.rand(2, 3)]);
    // printed by PyTorch 1.13 for the same Python function (torch.jit.trace(f, (torch.rand(2, 3),)).code)
    expect(traced.code).toBe(`def f(x: Tensor) -> Tensor:
  def __forked_function():
    return torch.add(x, CONSTANTS.c0)
  _0 = fork(__forked_function)
  y = torch.neg(x)
  return torch.add(torch.wait(_0), y)
`);
    expect(String(traced.graph)).toMatch(/Future\[Float\(2, 3, strides=\[3, 1\], requires_grad=0, device=cpu\)\] = prim::fork/);
    const x = torch.rand(2, 3);
    expect(same(traced(x), f(x))).toBe(true);
  });

  it("inside a traced module's forward too", () => {
    class Forks extends torch.nn.Module {
      override forward(x: torch.Tensor): torch.Tensor {
        return torch.jit.wait(torch.jit.fork((a: torch.Tensor) => a.add(1), x)).mul(2);
      }
    }
    const model = new Forks();
    const traced = torch.jit.trace(model, [torch.rand(2, 3)]);
    expect(traced.code).toBe(`def forward(self,
    x: Tensor) -> Tensor:
  def __forked_function():
    return torch.add(x, CONSTANTS.c1)
  _0 = fork(__forked_function)
  _1 = torch.mul(torch.wait(_0), CONSTANTS.c0)
  return _1
`);
    const x = torch.rand(2, 3);
    expect(same(traced(x), model(x))).toBe(true);
  });

  it("waits for a Future[T] that compiled code returns (the interpreter's futures)", () => {
    const sub = parseGraph("graph(%a : Tensor):\n  %b : Tensor = aten::neg(%a)\n  return (%b)\n");
    const g = new Graph();
    const x = g.addInput("x", Types.tensor);
    const fork = g.insert("prim::fork", [x], [futureType(Types.tensor)]);
    fork.setAttr("Subgraph", Attr.g(sub));
    g.registerOutput(fork.output());
    const forks = makeScriptFunction("__torch__.forks", g);
    const t = torch.rand(3);
    expect(same(torch.jit.wait(forks(t) as Future<torch.Tensor>), t.neg())).toBe(true);
  });

  it("says what wait() expects", () => {
    expect(() => torch.jit.wait(3 as unknown as Future<number>)).toThrow("torch.jit.wait: expected a Future returned by torch.jit.fork");
  });
});

describe("torch.jit.isinstance", () => {
  const t = torch.ones(2);
  const cases: [unknown, string, boolean][] = [
    [[t, t], "List[Tensor]", true],
    [[], "List[Tensor]", true],
    [[t, 1], "List[Tensor]", false],
    [[1, 2], "List[int]", true],
    [[1.5], "List[int]", false],
    [[1.5], "List[float]", true],
    [[1, "a"], "Tuple[int, str]", true],
    [[1, "a", 2], "Tuple[int, str]", false],
    [new Map([["a", t]]), "Dict[str, Tensor]", true],
    [{ a: 1, b: 2 }, "Dict[str, int]", true],
    [new Map([[1, t]]), "Dict[str, Tensor]", false],
    [null, "Optional[Tensor]", true],
    [t, "Optional[Tensor]", true],
    [3, "Optional[Tensor]", false],
    [t, "Tensor", true],
    [true, "bool", true],
    ["s", "str", true],
    [[[1], [2, 3]], "List[List[int]]", true],
    [[t], "Tensor[]", true],
  ];
  it.each(cases)("isinstance(%o, %s) is %s", (value, type, expected) => {
    expect(torch.jit.isinstance(value, type)).toBe(expected);
  });

  it("refuses a container without element types, with PyTorch's message", () => {
    expect(() => torch.jit.isinstance([1], "List")).toThrow("Attempted to use List without a contained type. Please add a contained type, e.g. List[int]");
    expect(() => torch.jit.isinstance({}, "Dict")).toThrow("Attempted to use Dict without contained types. Please add contained type, e.g. Dict[int, int]");
    expect(() => torch.jit.isinstance(1, "List[")).toThrow("torch.jit.isinstance: 'List[' is not a TorchScript type");
  });
});

describe("torch.jit.annotate", () => {
  it("returns the value unchanged and checks the type description", () => {
    const xs: number[] = [];
    expect(torch.jit.annotate("List[int]", xs)).toBe(xs);
    expect(() => torch.jit.annotate("Dict[", {})).toThrow("torch.jit.annotate: 'Dict[' is not a TorchScript type");
  });
});
