/**
 * The interpreter on graphs written as IR text: every prim:: construct, control flow, calls,
 * and the error messages (a failing node named with its source range; bad inputs named
 * against the signature). Tensor results are compared with the same computation done eagerly.
 */
import { describe, expect, it } from "vitest";
import { torch, Tensor } from "../../../src/index.js";
import { Attr, Graph, Types, futureType, parseGraph } from "../../../src/jit/ir/index.js";
import {
  TorchScriptError, compileGraph, forgetPlan, runGraph, type ScriptFuture,
} from "../../../src/jit/runtime/index.js";
import { TestObject, functionTable } from "./support.js";

function run(text: string, inputs: unknown[] = [], env = {}): unknown[] {
  return runGraph(parseGraph(text), inputs, env);
}

function one(text: string, inputs: unknown[] = [], env = {}): unknown {
  return run(text, inputs, env)[0];
}

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("no error was thrown");
}

function expectClose(a: unknown, b: Tensor): void {
  expect(a).toBeInstanceOf(Tensor);
  const t = a as Tensor;
  expect(t.shape).toEqual(b.shape);
  expect(t.dtype).toBe(b.dtype);
  expect(Array.from(t.contiguousData())).toEqual(Array.from(b.contiguousData()));
}

describe("constants", () => {
  it("reads every constant kind as its runtime value", () => {
    const out = one(`graph():
  %a : int = prim::Constant[value=-3]()
  %b : float = prim::Constant[value=2.5]()
  %c : bool = prim::Constant[value=1]()
  %d : str = prim::Constant[value="hi"]()
  %e : NoneType = prim::Constant()
  %f : Device = prim::Constant[value="cpu"]()
  %g : int[] = prim::Constant[value=[1, 2]]()
  %h : float[] = prim::Constant[value=[1., 2.5]]()
  %i : str[] = prim::Constant[value=["x", "y"]]()
  %j : bool[] = prim::Constant[value=[1, 0]]()
  %k : int = prim::Constant[value=9223372036854775807]()
  %r : (int, float, bool, str, NoneType, Device, int[], float[], str[], bool[], int) = prim::TupleConstruct(%a, %b, %c, %d, %e, %f, %g, %h, %i, %j, %k)
  return (%r)`);
    expect(out).toEqual([-3, 2.5, true, "hi", null, "cpu", [1, 2], [1, 2.5], ["x", "y"], [true, false], 9223372036854775807]);
  });

  it("reads tensor constants", () => {
    const out = one(`graph():
  %t : Float(2, strides=[1], requires_grad=0, device=cpu) = prim::Constant[value= 1.5000  2.0000 [ CPUFloatType{2} ]]()
  return (%t)`);
    expectClose(out, torch.tensor([1.5, 2], { dtype: torch.float32 }));
  });
});

describe("prim::If", () => {
  const text = `graph(%c : bool, %x : Tensor):
  %y : Tensor, %n : int = prim::If(%c)
    block0():
      %a : Tensor = aten::neg(%x)
      %one : int = prim::Constant[value=1]()
      -> (%a, %one)
    block1():
      %two : int = prim::Constant[value=2]()
      -> (%x, %two)
  %r : (Tensor, int) = prim::TupleConstruct(%y, %n)
  return (%r)`;

  it("runs the branch the condition picks and returns its values", () => {
    const x = torch.tensor([1, -2], { dtype: torch.float32 });
    const [a, n] = one(text, [true, x]) as [Tensor, number];
    expectClose(a, torch.neg(x));
    expect(n).toBe(1);
    const [b, m] = one(text, [false, x]) as [Tensor, number];
    expect(b).toBe(x);
    expect(m).toBe(2);
  });
});

describe("prim::Loop", () => {
  it("runs a for loop: max trip count, the iteration number, a loop-carried tensor", () => {
    const g = parseGraph(`graph(%x : Tensor, %n : int):
  %true : bool = prim::Constant[value=1]()
  %one : int = prim::Constant[value=1]()
  %y : Tensor = prim::Loop(%n, %true, %x)
    block0(%i : int, %acc : Tensor):
      %next : Tensor = aten::add(%acc, %i, %one)
      -> (%true, %next)
  return (%y)`);
    const x = torch.tensor([0.5, 1.5], { dtype: torch.float32 });
    let eager = x;
    for (let i = 0; i < 4; i++) eager = torch.add(eager, i);
    expectClose(runGraph(g, [x, 4])[0], eager);
    expect(runGraph(g, [x, 0])[0]).toBe(x); // never ran: the initial value
  });

  it("runs a while loop: INT64_MAX trips, the condition the body returns", () => {
    const text = `graph(%start : int):
  %max : int = prim::Constant[value=9223372036854775807]()
  %ten : int = prim::Constant[value=10]()
  %three : int = prim::Constant[value=3]()
  %zero : int = prim::Constant[value=0]()
  %one : int = prim::Constant[value=1]()
  %c0 : bool = aten::lt(%start, %ten)
  %acc : int, %steps : int = prim::Loop(%max, %c0, %start, %zero)
    block0(%i : int, %a : int, %s : int):
      %a2 : int = aten::add(%a, %three)
      %s2 : int = aten::add(%s, %one)
      %c : bool = aten::lt(%a2, %ten)
      -> (%c, %a2, %s2)
  %r : (int, int) = prim::TupleConstruct(%acc, %steps)
  return (%r)`;
    expect(one(text, [1])).toEqual([10, 3]);
    expect(one(text, [12])).toEqual([12, 0]);
  });

  it("reads all carried values before writing any (a swap)", () => {
    const text = `graph(%n : int):
  %t : bool = prim::Constant[value=1]()
  %a0 : int = prim::Constant[value=1]()
  %b0 : int = prim::Constant[value=2]()
  %a : int, %b : int = prim::Loop(%n, %t, %a0, %b0)
    block0(%i : int, %x : int, %y : int):
      -> (%t, %y, %x)
  %r : (int, int) = prim::TupleConstruct(%a, %b)
  return (%r)`;
    expect(one(text, [3])).toEqual([2, 1]);
    expect(one(text, [4])).toEqual([1, 2]);
  });
});

describe("tuples, lists, dicts", () => {
  it("constructs, unpacks, indexes (negative too) and slices tuples", () => {
    const out = one(`graph(%a : int, %b : str, %c : float):
  %t : (int, str, float) = prim::TupleConstruct(%a, %b, %c)
  %x : int, %y : str, %z : float = prim::TupleUnpack(%t)
  %m1 : int = prim::Constant[value=-1]()
  %last : float = prim::TupleIndex(%t, %m1)
  %s : (str, float) = prim::TupleSlice[beg=1, end=3](%t)
  %r : (int, str, float, float, (str, float)) = prim::TupleConstruct(%x, %y, %z, %last, %s)
  return (%r)`, [1, "b", 2.5]);
    expect(out).toEqual([1, "b", 2.5, 2.5, ["b", 2.5]]);
  });

  it("builds a fresh list each time ListConstruct runs, and unpacks lists of the right length", () => {
    const g = parseGraph(`graph(%a : int, %b : int):
  %l : int[] = prim::ListConstruct(%a, %b)
  %x : int, %y : int = prim::ListUnpack(%l)
  %r : (int[], int, int) = prim::TupleConstruct(%l, %x, %y)
  return (%r)`);
    const [l1, x, y] = runGraph(g, [3, 4])[0] as [number[], number, number];
    expect([l1, x, y]).toEqual([[3, 4], 3, 4]);
    const [l2] = runGraph(g, [3, 4])[0] as [number[]];
    expect(l2).not.toBe(l1);
  });

  it("ListUnpack of a list of another length fails with PyTorch's message", () => {
    const e = thrown(() => run(`graph(%l : int[]):
  %x : int, %y : int = prim::ListUnpack(%l)
  return (%x)`, [[1, 2, 3]]));
    expect(e.message).toContain("RuntimeError: Expected 2 elements in a list but found 3");
  });

  it("builds dicts in insertion order; a missing key is a KeyError", () => {
    const text = `graph(%k : str, %v1 : Tensor, %v2 : Tensor, %q : str):
  %b : str = prim::Constant[value="b"]()
  %d : Dict(str, Tensor) = prim::DictConstruct(%k, %v1, %b, %v2)
  %x : Tensor = aten::__getitem__(%d, %q)
  %r : (Dict(str, Tensor), Tensor) = prim::TupleConstruct(%d, %x)
  return (%r)`;
    const v1 = torch.ones([1]);
    const v2 = torch.zeros([1]);
    const [d, x] = one(text, ["z", v1, v2, "b"]) as [Map<string, Tensor>, Tensor];
    expect([...d.keys()]).toEqual(["z", "b"]);
    expect(x).toBe(v2);
    expect(thrown(() => one(text, ["z", v1, v2, "c"])).message).toContain("RuntimeError: KeyError: c");
  });
});

describe("small prim ops", () => {
  it("Uninitialized, unchecked_cast, isinstance, __is__ and __isnot__", () => {
    const text = `graph(%o : int?):
  %none : NoneType = prim::Constant()
  %u : int = prim::Uninitialized()
  %isnone : bool = aten::__is__(%o, %none)
  %notnone : bool = aten::__isnot__(%o, %none)
  %v : int = prim::If(%notnone)
    block0():
      %c : int = prim::unchecked_cast(%o)
      -> (%c)
    block1():
      -> (%u)
  %isint : bool = prim::isinstance[types=[int]](%o)
  %r : (bool, bool, int, bool) = prim::TupleConstruct(%isnone, %notnone, %v, %isint)
  return (%r)`;
    expect(one(text, [5])).toEqual([false, true, 5, true]);
    expect(one(text, [null])).toEqual([true, false, null, false]);
  });

  it("NumToTensor makes int64 / float64 0-dim tensors; prim::device, dtype, requires_grad", () => {
    const out = one(`graph(%i : int, %f : float, %x : Tensor):
  %a : Tensor = prim::NumToTensor(%i)
  %b : Tensor = prim::NumToTensor(%f)
  %d : Device = prim::device(%x)
  %t : int = prim::dtype(%x)
  %g : bool = prim::requires_grad(%x)
  %r : (Tensor, Tensor, Device, int, bool) = prim::TupleConstruct(%a, %b, %d, %t, %g)
  return (%r)`, [3, 2, torch.ones([2])]) as [Tensor, Tensor, string, number, boolean];
    expect(out[0].dtype).toBe(torch.int64);
    expect(out[0].shape).toEqual([]);
    expect(out[1].dtype).toBe(torch.float64);
    expect(out[1].item()).toBe(2);
    expect(out.slice(2)).toEqual(["cpu", 6, false]);
  });

  it("passes dtype ints to ops that take a ScalarType", () => {
    const out = one(`graph(%x : Tensor):
  %dt : int = prim::Constant[value=7]()
  %f : bool = prim::Constant[value=0]()
  %none : NoneType = prim::Constant()
  %y : Tensor = aten::to(%x, %dt, %f, %f, %none)
  return (%y)`, [torch.ones([2])]) as Tensor;
    expect(out.dtype).toBe(torch.float64);
  });

  it("prim::Print writes TorchScript's text (floats as C++ prints them)", () => {
    const lines: string[] = [];
    run(`graph(%s : str, %f : float, %l : int[]):
   = prim::Print(%s, %f, %l)
  %n : NoneType = prim::Constant()
  return (%n)`, ["abc", 2, [1, 2]], { print: (l: string) => lines.push(l) });
    expect(lines).toEqual(["abc 2. [1, 2]"]);
  });
});

describe("tensor ops with numbers", () => {
  it("treats ints and floats as wrapped scalars, matching eager results and dtypes", () => {
    const text = `graph(%x : Tensor, %i : int, %f : float):
  %one : int = prim::Constant[value=1]()
  %a : Tensor = aten::mul(%x, %i)
  %b : Tensor = aten::add(%x, %f, %one)
  %c : Tensor = aten::gt(%x, %i)
  %r : (Tensor, Tensor, Tensor) = prim::TupleConstruct(%a, %b, %c)
  return (%r)`;
    const x = torch.tensor([1.5, -2, 3], { dtype: torch.float32 });
    const [a, b, c] = one(text, [x, 3, 0.25]) as Tensor[];
    expectClose(a, torch.mul(x, 3));
    expectClose(b, torch.add(x, 0.25));
    expectClose(c, torch.gt(x, 3));
  });

  it("Note [numbers as tensors]: an int tensor times the float 2.0 is float32, as in PyTorch", () => {
    const out = one(`graph(%x : Tensor):
  %two : float = prim::Constant[value=2.]()
  %y : Tensor = aten::mul(%x, %two)
  return (%y)`, [torch.tensor([1, 2, 3])]) as Tensor;
    expect(out.dtype).toBe(torch.float32);
    expect(Array.from(out.contiguousData())).toEqual([2, 4, 6]);
  });
});

describe("calls", () => {
  it("prim::CallFunction finds the function constant in the FunctionTable", () => {
    const functions = functionTable({
      double_it: `graph(%a : Tensor):
  %two : int = prim::Constant[value=2]()
  %r : Tensor = aten::mul(%a, %two)
  return (%r)`,
    });
    const x = torch.tensor([1, 2], { dtype: torch.float32 });
    const out = one(`graph(%x : Tensor):
  %f : Function = prim::Constant[name="double_it"]()
  %y : Tensor = prim::CallFunction(%f, %x)
  return (%y)`, [x], { functions });
    expectClose(out, torch.mul(x, 2));
  });

  it("prim::fork runs its subgraph eagerly; aten::wait returns the value or raises its error", () => {
    const sub = parseGraph(`graph(%a : Tensor):
  %r : Tensor = aten::neg(%a)
  return (%r)`);
    const g = new Graph();
    const x = g.addInput("x");
    const fork = g.insert("prim::fork", [x], [futureType(Types.tensor)]);
    fork.setAttr("Subgraph", Attr.g(sub));
    const wait = g.insert("aten::wait", [fork.output()], [Types.tensor]);
    g.registerOutput(wait.output());
    const t = torch.tensor([1, -1], { dtype: torch.float32 });
    expectClose(runGraph(g, [t])[0], torch.neg(t));

    const g2 = new Graph();
    const y = g2.addInput("y");
    const f2 = g2.insert("prim::fork", [y], [futureType(Types.tensor)]);
    f2.setAttr("Subgraph", Attr.g(sub));
    g2.registerOutput(f2.output());
    const fut = runGraph(g2, [t])[0] as ScriptFuture;
    expect(fut.kind).toBe("future");
    expectClose(fut.value, torch.neg(t));
  });
});

describe("errors", () => {
  it("prim::RaiseException: torch.jit.Error naming the node and the exception class", () => {
    const text = `graph(%flag : bool):
  %msg : str = prim::Constant[value="bad value"]()
  %cls : str = prim::Constant[value="builtins.ValueError"]()
  %one : int = prim::Constant[value=1]()
   = prim::If(%flag) # /demo.py:3:4
    block0():
       = prim::RaiseException(%msg, %cls) # /demo.py:4:8
      -> ()
    block1():
      -> ()
  return (%one)`;
    expect(one(text, [false])).toBe(1);
    const e = thrown(() => one(text, [true]));
    expect(e).toBeInstanceOf(TorchScriptError);
    expect(e.name).toBe("torch.jit.Error");
    expect(e.message).toBe(
      "The following operation failed in the TorchScript interpreter.\n" +
        "Traceback of TorchScript (most recent call last):\n" +
        '  File "/demo.py", line 4, in forward\n' +
        "     = prim::RaiseException(%msg, %cls)\n" +
        "builtins.ValueError: bad value\n",
    );
    expect((e as TorchScriptError).pythonClassName).toBe("builtins.ValueError");
    expect((e as TorchScriptError).originalMessage).toBe("bad value");
  });

  it("an op error is wrapped once, naming the failing node; the original error is the cause", () => {
    const e = thrown(() => one(`graph(%x : Tensor):
  %b : bool = aten::Bool(%x) # /m.py:7:11
  return (%b)`, [torch.ones([3])], { name: "gate" }));
    expect(e).toBeInstanceOf(TorchScriptError);
    expect(e.name).toBe("RuntimeError");
    expect(e.message).toBe(
      "The following operation failed in the TorchScript interpreter.\n" +
        "Traceback of TorchScript (most recent call last):\n" +
        '  File "/m.py", line 7, in gate\n' +
        "    %b : bool = aten::Bool(%x)\n" +
        "RuntimeError: Boolean value of Tensor with more than one value is ambiguous\n",
    );
    expect((e.cause as Error).message).toBe("Boolean value of Tensor with more than one value is ambiguous");
  });

  it("an error in a called method lists the caller's frame first", () => {
    const sub = new TestObject("__torch__.Gate", {}, {
      forward: `graph(%self : __torch__.Gate, %x : Tensor):
  %b : bool = aten::Bool(%x) # /gate.py:10:4
  return (%b)`,
    });
    const self = new TestObject("__torch__.Top", { gate: sub });
    const e = thrown(() => one(`graph(%self : __torch__.Top, %x : Tensor):
  %g : __torch__.Gate = prim::GetAttr[name="gate"](%self)
  %b : bool = prim::CallMethod[name="forward"](%g, %x) # /top.py:2:8
  return (%b)`, [self, torch.ones([2])]));
    expect(e.message).toBe(
      "The following operation failed in the TorchScript interpreter.\n" +
        "Traceback of TorchScript (most recent call last):\n" +
        '  File "/top.py", line 2, in forward\n' +
        '    %b : bool = prim::CallMethod[name="forward"](%g, %x)\n' +
        '  File "/gate.py", line 10, in forward\n' +
        "    %b : bool = aten::Bool(%x)\n" +
        "RuntimeError: Boolean value of Tensor with more than one value is ambiguous\n",
    );
  });

  it("quotes the source line under the node when the source range carries its text", () => {
    const g = parseGraph(`graph(%x : Tensor):
  %b : bool = aten::Bool(%x)
  return (%b)`);
    const text = "def gate(x):\n    return bool(x)\n";
    const start = text.indexOf("bool(x)");
    g.block.firstNode!.sourceRange = { file: "gate.py", line: 2, col: 11, source: { text, start, end: start + 7 } };
    const e = thrown(() => runGraph(g, [torch.ones([2])], { name: "gate" }));
    expect(e.message.split("\n").slice(2, 6)).toEqual([
      '  File "gate.py", line 2, in gate',
      "        return bool(x)",
      "               ~~~~~~~ <--- HERE",
      "    %b : bool = aten::Bool(%x)",
    ]);
  });

  it("an error inside a forked subgraph is raised by aten::wait", () => {
    const sub = parseGraph(`graph(%a : Tensor):
  %b : bool = aten::Bool(%a)
  return (%b)`);
    const g = new Graph();
    const x = g.addInput("x");
    const fork = g.insert("prim::fork", [x], [futureType(Types.bool)]);
    fork.setAttr("Subgraph", Attr.g(sub));
    const wait = g.insert("aten::wait", [fork.output()], [Types.bool]);
    g.registerOutput(wait.output());
    expect(runGraph(g, [torch.ones([1])])).toEqual([true]);
    expect(thrown(() => runGraph(g, [torch.ones([2])])).message).toContain("Boolean value of Tensor with more than one value is ambiguous");
  });

  it("an op the registry lacks fails only when its node runs", () => {
    const text = `graph(%c : bool, %x : Tensor):
  %y : Tensor = prim::If(%c)
    block0():
      %z : Tensor = aten::no_such_op(%x)
      -> (%z)
    block1():
      -> (%x)
  return (%y)`;
    const x = torch.ones([1]);
    expect(one(text, [false, x])).toBe(x);
    expect(thrown(() => one(text, [true, x])).message).toContain("RuntimeError: Unknown builtin op: aten::no_such_op.");
  });

  describe("inputs that do not fit the signature", () => {
    const g = parseGraph(`graph(%self.1 : __torch__.MyCell,
      %x : Float(3, 4, strides=[4, 1], requires_grad=0, device=cpu),
      %h : Float(3, 4, strides=[4, 1], requires_grad=0, device=cpu)):
  %r : (Float(3, 4, strides=[4, 1], requires_grad=0, device=cpu), Float(3, 4, strides=[4, 1], requires_grad=0, device=cpu)) = prim::TupleConstruct(%x, %h)
  return (%r)`);
    const self = new TestObject("__torch__.MyCell");
    const t = torch.ones([3, 4]);
    const decl = "Declaration: forward(Tensor x, Tensor h) -> (Tensor, Tensor)";

    it("too few", () => {
      expect(() => runGraph(g, [self, t])).toThrow(`forward() is missing value for argument 'h'. ${decl}`);
    });
    it("too many", () => {
      expect(() => runGraph(g, [self, t, t, t])).toThrow(
        `forward() expected at most 2 argument(s) but received 3 argument(s). ${decl}`,
      );
    });
    it("the wrong kind", () => {
      expect(() => runGraph(g, [self, t, 3])).toThrow(
        `forward() Expected a value of type 'Tensor' for argument 'h' but instead found type 'int'.\nPosition: 1\n${decl}`,
      );
    });
    it("any tensor fits a traced tensor type", () => {
      expect(runGraph(g, [self, torch.ones([2]), t])[0]).toHaveLength(2);
    });
  });
});

describe("plans", () => {
  it("are made once per graph and can be dropped after a graph changes", () => {
    const g = parseGraph(`graph(%x : int):
  %one : int = prim::Constant[value=1]()
  %y : int = aten::add(%x, %one)
  return (%y)`);
    const p = compileGraph(g);
    expect(compileGraph(g)).toBe(p);
    expect(runGraph(g, [41])).toEqual([42]);
    forgetPlan(g);
    expect(compileGraph(g)).not.toBe(p);
  });
});
