/**
 * TorchScript's non-tensor builtins, each run as a one-node graph so overload resolution is
 * exercised too (`aten::add` on two ints resolves to `aten::add.int`). Expected values are
 * what PyTorch 1.13's TorchScript gives (Python semantics for `//`, `%`, indexing; C++
 * printing for `str`).
 */
import { describe, expect, it } from "vitest";
import { torch } from "../../../src/index.js";
import { parseGraph, resolveOverload } from "../../../src/jit/ir/index.js";
import { isBuiltin, runGraph } from "../../../src/jit/runtime/index.js";
import { REGISTRY } from "../../../src/tensor/registry.js";
import { catchWarnings } from "../../../src/util/warnings.js";

/** Runs `%r : out = kind(args...)` with typed inputs. */
function call(kind: string, out: string, ...args: [string, unknown][]): unknown {
  const ins = args.map(([t], i) => `%a${i} : ${t}`).join(", ");
  const refs = args.map((_, i) => `%a${i}`).join(", ");
  const g = parseGraph(`graph(${ins}):\n  %r : ${out} = ${kind}(${refs})\n  return (%r)`);
  return runGraph(g, args.map(([, v]) => v))[0];
}

function fails(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("no error was thrown");
}

const int = (v: number): [string, unknown] => ["int", v];
const flt = (v: number): [string, unknown] => ["float", v];
const str = (v: string): [string, unknown] => ["str", v];

describe("registered in the op registry", () => {
  it("with their schemas, as builtins", () => {
    const len = REGISTRY.get("aten::len")!;
    expect(len.map((o) => o.schema.text)).toEqual(expect.arrayContaining([
      "aten::len.t(t[] a) -> int", "aten::len.Tensor(Tensor t) -> int", "aten::len.str(str s) -> int",
      "aten::len.Dict_str(Dict(str, t) self) -> int",
    ]));
    expect(len.every(isBuiltin)).toBe(true);
    expect(REGISTRY.get("aten::add")!.map((o) => o.schema.overload)).toEqual(expect.arrayContaining(["Tensor", "int", "float", "int_float", "float_int", "", "str", "t"]));
  });

  it("so resolveOverload picks them by the node's types", () => {
    const g = parseGraph(`graph(%l : (str, Tensor)[], %d : Dict(str, Tensor), %i : int, %f : float):
  %a : int = aten::len(%l)
  %b : int = aten::len(%d)
  %c : (str, Tensor) = aten::__getitem__(%l, %i)
  %e : float = aten::add(%i, %f)
  %r : (int, int, (str, Tensor), float) = prim::TupleConstruct(%a, %b, %c, %e)
  return (%r)`);
    const ops = [...g.nodes()].slice(0, 4).map((n) => resolveOverload(n)?.schema.text);
    expect(ops).toEqual([
      "aten::len.t(t[] a) -> int",
      "aten::len.Dict_str(Dict(str, t) self) -> int",
      "aten::__getitem__.t(t[](a) list, int idx) -> t(*)",
      "aten::add.int_float(int a, float b) -> float",
    ]);
  });
});

describe("numbers", () => {
  it("// and % round toward negative infinity, as in Python", () => {
    expect(call("aten::floordiv", "int", int(7), int(3))).toBe(2);
    expect(call("aten::floordiv", "int", int(-7), int(3))).toBe(-3);
    expect(call("aten::floordiv", "int", int(7), int(-3))).toBe(-3);
    expect(call("aten::remainder", "int", int(-7), int(3))).toBe(2);
    expect(call("aten::remainder", "int", int(7), int(-3))).toBe(-2);
    expect(call("aten::floordiv", "float", flt(7.5), flt(2))).toBe(3);
    expect(call("aten::remainder", "float", flt(-7.5), flt(2))).toBe(0.5);
    expect(fails(() => call("aten::floordiv", "int", int(1), int(0)))).toContain("RuntimeError: division by 0");
  });

  it("/ is true division; ** of ints is a float; 0 ** -1 fails", () => {
    expect(call("aten::div", "float", int(7), int(2))).toBe(3.5);
    expect(call("aten::div", "float", int(1), int(0))).toBe(Infinity);
    expect(call("aten::pow", "float", int(2), int(-1))).toBe(0.5);
    expect(fails(() => call("aten::pow", "float", int(0), int(-1)))).toContain("0.0 cannot be raised to a negative power");
  });

  it("int arithmetic wraps like int64 when a result leaves it", () => {
    expect(call("aten::mul", "int", int(4611686018427387904), int(2))).toBe(-9223372036854775808);
    expect(call("aten::add", "int", int(2 ** 52), int(2 ** 52))).toBe(2 ** 53);
  });

  it("mixed int/float operands and comparisons", () => {
    expect(call("aten::add", "float", int(1), flt(0.5))).toBe(1.5);
    expect(call("aten::lt", "bool", flt(1.5), int(2))).toBe(true);
    expect(call("aten::eq", "bool", int(3), int(3))).toBe(true);
    expect(call("aten::ne", "bool", ["bool", true], ["bool", false])).toBe(true);
    expect(call("aten::lt", "bool", str("abc"), str("abd"))).toBe(true);
    expect(call("aten::__and__", "bool", ["bool", true], ["bool", false])).toBe(false);
    expect(call("aten::__xor__", "int", int(6), int(3))).toBe(5);
  });

  it("unary ops, rounding half to even, and checked float -> int", () => {
    expect(call("aten::neg", "int", int(5))).toBe(-5);
    expect(call("aten::floor", "int", flt(-2.5))).toBe(-3);
    expect(call("aten::ceil", "int", flt(2.1))).toBe(3);
    expect(call("aten::round", "float", flt(2.5))).toBe(2);
    expect(call("aten::round", "float", flt(-2.5))).toBe(-2);
    expect(call("aten::round", "float", flt(3.5))).toBe(4);
    expect(fails(() => call("aten::floor", "int", flt(NaN)))).toContain("Cannot convert float nan to integer");
    expect(call("aten::sqrt", "float", int(16))).toBe(4);
    expect(call("aten::log", "float", int(8), int(2))).toBe(3);
    expect(call("aten::lgamma", "float", flt(5))).toBeCloseTo(Math.log(24), 12);
    expect(call("aten::gamma", "float", flt(5))).toBeCloseTo(24, 10);
  });

  it("Python's min / max are prim:: ops, on numbers and lists", () => {
    expect(call("prim::min", "int", int(3), int(-1))).toBe(-1);
    expect(call("prim::max", "float", int(3), flt(3.5))).toBe(3.5);
    expect(call("prim::max", "int[]", ["int[]", [1, 2]], ["int[]", [1, 3]])).toEqual([1, 3]);
    expect(call("prim::min", "int", ["int[]", [4, 2, 9]])).toBe(2);
    expect(fails(() => call("prim::min", "int", ["int[]", []]))).toContain("min() arg is an empty sequence");
  });
});

describe("conversions", () => {
  it("int(), float(), bool() of numbers, strings and tensors", () => {
    expect(call("aten::Int", "int", flt(-2.7))).toBe(-2);
    expect(call("aten::Int", "int", str("12"))).toBe(12);
    expect(fails(() => call("aten::Int", "int", str("1x")))).toContain("invalid literal for int() with base 10: '1x'");
    expect(call("aten::Float", "float", str("1.5"))).toBe(1.5);
    expect(fails(() => call("aten::Float", "float", str("x")))).toContain("could not convert string to float: 'x'");
    expect(call("aten::Bool", "bool", int(0))).toBe(false);
    expect(call("aten::Int", "int", ["Tensor", torch.tensor(3.9)])).toBe(3);
    expect(call("aten::Float", "float", ["Tensor", torch.tensor(2)])).toBe(2);
    expect(call("aten::Bool", "bool", ["Tensor", torch.tensor([0])])).toBe(false);
  });

  it("implicit tensor -> number conversions check grad, rank and kind", () => {
    const g = torch.tensor(1.5, { requires_grad: true });
    expect(fails(() => call("aten::ScalarImplicit", "Scalar", ["Tensor", g]))).toContain("Cannot input a tensor that requires grad as a scalar argument");
    expect(fails(() => call("aten::FloatImplicit", "float", ["Tensor", torch.ones([2])]))).toContain("Cannot input a tensor of dimension other than 0 as a scalar argument");
    expect(fails(() => call("aten::IntImplicit", "int", ["Tensor", torch.tensor(1.5)]))).toContain("Cannot input a tensor of type Float as an integral argument");
    expect(call("aten::IntImplicit", "int", ["Tensor", torch.tensor(4)])).toBe(4);
  });
});

describe("str and format", () => {
  it("str() prints as c10 does: floats with a trailing dot, tuples, dicts, no quotes", () => {
    expect(call("aten::str", "str", flt(2))).toBe("2.");
    expect(call("aten::str", "str", int(2))).toBe("2");
    expect(call("aten::str", "str", flt(0.1))).toBe("0.10000000000000001");
    expect(call("aten::str", "str", ["float[]", [1, 2.5]])).toBe("[1., 2.5]");
    expect(call("aten::str", "str", ["(int)", [1]])).toBe("(1,)");
    expect(call("aten::str", "str", ["Dict(str, int)", new Map([["a", 1]])])).toBe("{a: 1}");
    expect(call("aten::str", "str", ["str[]", ["x", "y"]])).toBe("[x, y]");
    expect(call("aten::str", "str", ["bool", true])).toBe("True");
    expect(call("aten::str", "str", ["Tensor", torch.tensor([1, 2])])).toBe(" 1\n 2\n[ CPULongType{2} ]");
  });

  it("format fills {} in order with the same text", () => {
    expect(call("aten::format", "str", str("{} + {} = {}"), int(1), flt(2), str("x"))).toBe("1 + 2. = x");
    expect(fails(() => call("aten::format", "str", str("{} {}"), int(1)))).toContain("Too few arguments for format string: {} {}");
  });
});

describe("warnings", () => {
  it("aten::warn warns once per node, however often the node runs", () => {
    const g = parseGraph(`graph(%n : int):
  %msg : str = prim::Constant[value="careful"]()
  %two : int = prim::Constant[value=2]()
  %t : bool = prim::Constant[value=1]()
   = prim::Loop(%n, %t)
    block0(%i : int):
       = aten::warn(%msg, %two)
      -> (%t)
  return (%n)`);
    const [, warnings] = catchWarnings(() => runGraph(g, [3]));
    expect(warnings).toEqual([{ category: "UserWarning", message: "careful" }]);
  });
});

describe("lists", () => {
  const L: [string, unknown] = ["int[]", [10, 20, 30]];
  it("index with negative indices; out of range is an error", () => {
    expect(call("aten::__getitem__", "int", L, int(-1))).toBe(30);
    expect(fails(() => call("aten::__getitem__", "int", L, int(3)))).toContain("RuntimeError: list index out of range");
    expect(call("aten::len", "int", L)).toBe(3);
  });

  it("append mutates and returns the list; _set_item, insert, pop, clear", () => {
    const l = [1, 2];
    expect(call("aten::append", "int[]", ["int[]", l], int(3))).toBe(l);
    expect(l).toEqual([1, 2, 3]);
    call("aten::_set_item", "int[]", ["int[]", l], int(-1), int(9));
    call("aten::insert", "NoneType", ["int[]", l], int(-10), int(0));
    expect(l).toEqual([0, 1, 2, 9]);
    expect(call("aten::pop", "int", ["int[]", l], int(1))).toBe(1);
    expect(fails(() => call("aten::pop", "int", ["int[]", []], int(-1)))).toContain("pop from empty list");
  });

  it("slices as Python does", () => {
    const s = (a: unknown, b: unknown, c: number) =>
      call("aten::slice", "int[]", ["int[]", [0, 1, 2, 3, 4]], ["int?", a], ["int?", b], int(c));
    expect(s(1, -1, 1)).toEqual([1, 2, 3]);
    expect(s(null, null, -2)).toEqual([4, 2, 0]);
    expect(s(-2, null, 1)).toEqual([3, 4]);
    expect(s(10, 20, 1)).toEqual([]);
  });

  it("sort, sorted, in, index, count, remove, + and *", () => {
    const l = [3, 1, 2];
    call("aten::sort", "NoneType", ["int[]", l], ["bool", true]);
    expect(l).toEqual([3, 2, 1]);
    expect(call("aten::sorted", "str[]", ["str[]", ["b", "c", "a"]])).toEqual(["a", "b", "c"]);
    expect(call("aten::__contains__", "bool", ["int[]", l], int(2))).toBe(true);
    expect(call("aten::index", "int", ["int[]", l], int(1))).toBe(2);
    expect(fails(() => call("aten::index", "int", ["int[]", l], int(7)))).toContain("'7' is not in list");
    expect(call("aten::count", "int", ["int[]", [1, 1, 2]], int(1))).toBe(2);
    expect(fails(() => call("aten::remove", "NoneType", ["int[]", [1]], int(2)))).toContain("list.remove(x): x not in list");
    expect(call("aten::add", "int[]", ["int[]", [1]], ["int[]", [2]])).toEqual([1, 2]);
    expect(call("aten::mul", "int[]", ["int[]", [1, 2]], int(2))).toEqual([1, 2, 1, 2]);
    expect(call("aten::eq", "bool", ["int[]", [1, 2]], ["int[]", [1, 2]])).toBe(true);
    expect(call("aten::sum", "int", ["int[]", [1, 2, 3]])).toBe(6);
  });

  it("sorted() of tensors compares them with lt", () => {
    const a = torch.tensor(2);
    const b = torch.tensor(1);
    expect(call("aten::sorted", "Tensor[]", ["Tensor[]", [a, b]])).toEqual([b, a]);
  });
});

describe("dicts", () => {
  it("keys, values, items keep insertion order; get, pop, setdefault, update, in, del", () => {
    const d = new Map<string, number>([["b", 1], ["a", 2]]);
    const D: [string, unknown] = ["Dict(str, int)", d];
    expect(call("aten::keys", "str[]", D)).toEqual(["b", "a"]);
    expect(call("aten::values", "int[]", D)).toEqual([1, 2]);
    expect(call("aten::items", "(str, int)[]", D)).toEqual([["b", 1], ["a", 2]]);
    expect(call("aten::get", "int?", D, str("z"))).toBeNull();
    expect(call("aten::get", "int", D, str("z"), int(5))).toBe(5);
    expect(call("aten::setdefault", "int", D, str("c"), int(3))).toBe(3);
    expect(call("aten::pop", "int", D, str("b"))).toBe(1);
    expect(call("aten::pop", "int", D, str("b"), int(-1))).toBe(-1);
    expect(call("aten::__contains__", "bool", D, str("a"))).toBe(true);
    call("aten::update", "NoneType", D, ["Dict(str, int)", new Map([["a", 9]])]);
    expect([...d]).toEqual([["a", 9], ["c", 3]]);
    expect(fails(() => call("aten::Delete", "NoneType", D, str("q")))).toContain("KeyError: q");
    expect(call("aten::len", "int", D)).toBe(2);
  });

  it("tensor keys are compared by identity", () => {
    const k = torch.ones([1]);
    const d = new Map([[k, 1]]);
    expect(call("aten::__contains__", "bool", ["Dict(Tensor, int)", d], ["Tensor", k])).toBe(true);
    expect(call("aten::__contains__", "bool", ["Dict(Tensor, int)", d], ["Tensor", torch.ones([1])])).toBe(false);
  });
});

describe("strings", () => {
  it("indexing, slicing and the common methods", () => {
    expect(call("aten::__getitem__", "str", str("abc"), int(-1))).toBe("c");
    expect(call("aten::slice", "str", str("abcdef"), ["int?", 1], ["int?", null], int(2))).toBe("bdf");
    expect(call("aten::len", "int", str("abc"))).toBe(3);
    expect(call("aten::add", "str", str("ab"), str("c"))).toBe("abc");
    expect(call("aten::split", "str[]", str("  a b  c "), ["str?", null], int(-1))).toEqual(["a", "b", "c"]);
    expect(call("aten::split", "str[]", str("a,b,c"), ["str?", ","], int(1))).toEqual(["a", "b,c"]);
    expect(call("aten::join", "str", str("-"), ["str[]", ["a", "b"]])).toBe("a-b");
    expect(call("aten::strip", "str", str("  x "), str(" "))).toBe("x");
    expect(call("aten::upper", "str", str("aB"))).toBe("AB");
    expect(call("aten::startswith", "bool", str("hello"), str("he"), int(0), int(-1))).toBe(true);
    expect(call("aten::endswith", "bool", str("hello"), str("lo"), int(0), int(-1))).toBe(true);
    expect(call("aten::find", "int", str("hello"), str("l"), int(0), int(-1))).toBe(2);
    expect(call("aten::replace", "str", str("aaa"), str("a"), str("b"), int(2))).toBe("bba");
  });
});

describe("tensor queries", () => {
  it("size, size(dim), dim, len, numel", () => {
    const t = torch.zeros([2, 3]);
    expect(call("aten::size", "int[]", ["Tensor", t])).toEqual([2, 3]);
    expect(call("aten::size", "int", ["Tensor", t], int(-1))).toBe(3);
    expect(call("aten::dim", "int", ["Tensor", t])).toBe(2);
    expect(call("aten::len", "int", ["Tensor", t])).toBe(2);
    expect(call("aten::numel", "int", ["Tensor", t])).toBe(6);
    expect(fails(() => call("aten::len", "int", ["Tensor", torch.tensor(1)]))).toContain("len() of a 0-d tensor");
  });

  it("torch.tensor in a script takes its dtype from the static element type", () => {
    const none: [string, unknown] = ["NoneType", null];
    const f = call("aten::tensor", "Tensor", ["float[]", [1, 2]], ["int?", null], none, ["bool", false]) as torch.Tensor;
    expect(f.dtype).toBe(torch.float32);
    const i = call("aten::tensor", "Tensor", ["int[][]", [[1], [2]]], ["int?", null], none, ["bool", false]) as torch.Tensor;
    expect([i.dtype, i.shape]).toEqual([torch.int64, [2, 1]]);
    const d = call("aten::tensor", "Tensor", flt(3), ["int?", 7], none, ["bool", true]) as torch.Tensor;
    expect([d.dtype, d.shape, d.requires_grad]).toEqual([torch.float64, [], true]);
    expect(call("aten::item", "Scalar", ["Tensor", torch.tensor([2.5])])).toBe(2.5);
  });
});
