/**
 * The printer's rules one at a time, on small graphs (python_print.cpp behaviour that the
 * conformance cases do not all reach).
 */
import "./support.js";
import { describe, expect, it } from "vitest";
import {
  Attr, Graph, Types, insertConstant, listType, optionalType, parseGraph, tupleType, type JitType,
} from "../../../src/jit/ir/index.js";
import {
  ConstantTable, PythonPrinter, necessaryArgs, parsePrinterSchema, printFunction, printMethod,
} from "../../../src/jit/printer/index.js";
import { NameGenerator } from "../../../src/jit/printer/names.js";
import { Tensor } from "../../../src/tensor/tensor.js";
import { REGISTRY } from "../../../src/tensor/registry.js";

const fn = (text: string): string => printFunction(parseGraph(text), "__torch__.f");

describe("names", () => {
  it("counts per retried candidate, as PyTorch does", () => {
    const names = new NameGenerator();
    expect(["_0", "_1", "_2"].map((n) => names.generate(n))).toEqual(["_0", "_1", "_2"]);
    expect(names.generate("_")).toBe("_3");
    expect([names.generate("y"), names.generate("y"), names.generate("y")]).toEqual(["y", "y0", "y1"]);
    expect(names.generate("in")).toBe("in0"); // a keyword
  });

  it("keeps counters across functions but forgets taken names", () => {
    const names = new NameGenerator();
    names.generate("_");
    names.newScope();
    expect(names.generate("_")).toBe("_1");
    expect(names.generate("x")).toBe("x");
  });
});

describe("operator calls", () => {
  it("drops trailing defaults and names kwarg-only arguments", () => {
    expect(fn(`graph(%x : Tensor,
      %y : Tensor):
  %1 : NoneType = prim::Constant()
  %2 : int = prim::Constant[value=2]()
  %3 : Tensor = aten::sum(%x, %1)
  %4 : Tensor = aten::add(%3, %y, %2)
  return (%4)
`)).toBe(`def f(x: Tensor,
    y: Tensor) -> Tensor:
  return torch.add(torch.sum(x), y, alpha=2)
`);
  });

  it("compares defaults as IValues: a float 1. is not the int default 1", () => {
    expect(fn(`graph(%x : Tensor,
      %y : Tensor):
  %1 : float = prim::Constant[value=1.]()
  %2 : Tensor = aten::add(%x, %y, %1)
  return (%2)
`)).toContain("return torch.add(x, y, alpha=1.)");
  });

  it("reads broadcasting list defaults (int[2] padding=0 is [0, 0])", () => {
    expect(fn(`graph(%x : Tensor):
  %k : int[] = prim::Constant[value=[2, 2]]()
  %p : int[] = prim::Constant[value=[0, 0]]()
  %d : int[] = prim::Constant[value=[1, 1]]()
  %f : bool = prim::Constant[value=0]()
  %1 : Tensor = aten::max_pool2d(%x, %k, %k, %p, %d, %f)
  return (%1)
`)).toContain("return torch.max_pool2d(x, [2, 2], [2, 2])\n");
  });

  it("prints a default that is followed by a necessary argument", () => {
    expect(fn(`graph(%x : Tensor):
  %k : int[] = prim::Constant[value=[2, 2]]()
  %p : int[] = prim::Constant[value=[1, 1]]()
  %1 : Tensor = aten::max_pool2d(%x, %k, %k, %p)
  return (%1)
`)).toContain("  _0 = torch.max_pool2d(x, [2, 2], [2, 2], [1, 1])\n  return _0\n");
  });

  it("uses builtin schemas for ops the registry lacks", () => {
    expect(fn(`graph(%x : Tensor):
  %2 : int = prim::Constant[value=2]()
  %s : str = prim::Constant[value="floor"]()
  %1 : Tensor = aten::div(%x, %2, %s)
  return (%1)
`)).toContain('  _0 = torch.div(x, 2, rounding_mode="floor")\n  return _0\n');
  });

  it("prints ops.prim.* for other namespaces, with their defaults dropped", () => {
    const text = fn(`graph(%x : Tensor):
  %m : str = prim::Constant[value="boom"]()
  %c : str = prim::Constant[value="builtins.ValueError"]()
  %n : NoneType = prim::Constant()
   = prim::RaiseException(%m, %n)
   = prim::RaiseException(%m, %c)
  return (%x)
`);
    expect(text).toContain('  ops.prim.RaiseException("boom")\n');
    expect(text).toContain('  ops.prim.RaiseException("boom", "builtins.ValueError")\n');
  });

  it("skips trailing out arguments when counting (CalculateNecessaryArgs)", () => {
    const schema = parsePrinterSchema("aten::add.out(Tensor self, Tensor other, *, Scalar alpha=1, Tensor(a!) out) -> Tensor(a!)");
    const g = new Graph();
    const [x, y, out] = [g.addInput("x"), g.addInput("y"), g.addInput("out")];
    const one = insertConstant(g, { type: "int", value: 1 });
    expect(necessaryArgs(schema, [x, y, one, out])).toEqual({ necessary: 2, outs: 1 });
  });

  it("prefers the overload the node was resolved to", () => {
    const g = parseGraph(`graph(%x : Tensor):
  %1 : int = prim::Constant[value=0]()
  %2 : Tensor = aten::stack(%x, %1)
  return (%2)
`);
    const node = [...g.nodes()].find((n) => n.kind === "aten::stack")!;
    node.op = REGISTRY.get("aten::stack")![0]!; // stack(Tensor[] tensors, int dim=0)
    expect(printFunction(g, "f")).toContain("return torch.stack(x)\n");
  });

  it("calls a Function constant by its qualified name", () => {
    const g = new Graph();
    const x = g.addInput("x");
    const f = insertConstant(g, { type: "Function", name: "__torch__.helper" });
    g.registerOutput(g.insert("prim::CallFunction", [f, x], [Types.tensor]).output());
    expect(printFunction(g, "f")).toContain("return __torch__.helper(x, )\n");
  });

  it("prints every input when no schema is known", () => {
    expect(fn(`graph(%x : Tensor):
  %1 : Tensor = myns::frob(%x, %x)
  return (%1)
`)).toContain("return ops.myns.frob(x, x)\n");
  });
});

describe("literals", () => {
  function literalGraph(): { g: Graph; constants: ConstantTable } {
    const g = new Graph();
    const items = [
      insertConstant(g, { type: "float", value: 0.1 }),
      insertConstant(g, { type: "str", value: 'a"b\n' }),
      insertConstant(g, { type: "str", value: "é" }),
      insertConstant(g, { type: "Device", value: "cpu" }),
      insertConstant(g, { type: "int[]", value: [1, 2] }),
      insertConstant(g, { type: "Tensor", value: Tensor.fromData(new Float32Array([1, 2]), [2], Tensor.empty([1]).dtype) }),
    ];
    const t = g.insert("prim::TupleConstruct", items, [tupleType(items.map((v) => v.type))]);
    g.registerOutput(t.output());
    return { g, constants: new ConstantTable() };
  }

  it("writes floats, strings, devices and lists as c10 repr does; tensors and non-ASCII strings as CONSTANTS", () => {
    const { g, constants } = literalGraph();
    expect(printFunction(g, "f", { constants })).toBe(`def f() -> Tuple[float, str, str, Device, List[int], Tensor]:
  _0 = (0.10000000000000001, "a\\"b\\n", CONSTANTS.c0, torch.device("cpu"), [1, 2], CONSTANTS.c1)
  return _0
`);
    expect(constants.entries[0]).toBe("é");
    expect(constants.entries[1]).toBeInstanceOf(Tensor);
  });

  it("shares one constant entry between equal tensors", () => {
    const table = new ConstantTable();
    const a = Tensor.fromData(new Float32Array([1, 2]), [2], Tensor.empty([1]).dtype);
    const b = Tensor.fromData(new Float32Array([1, 2]), [2], Tensor.empty([1]).dtype);
    expect([table.add(a), table.add(b), table.add("x"), table.add("x")]).toEqual([0, 0, 1, 2]);
  });

  it("prints class constants and defaults by their type", () => {
    const p = new PythonPrinter();
    const tuple1 = tupleType([Types.int]);
    expect(p.literal([6], tuple1)).toBe("(6,)");
    expect(p.literal(1e-5, Types.float)).toBe("1.0000000000000001e-05");
    expect(p.literal(2, Types.float)).toBe("2.");
    expect(p.literal(null, optionalType(Types.int))).toBe("None");
    expect(p.literal(new Map([["a", 1]]), { kind: "Dict", key: Types.str, value: Types.int } as JitType)).toBe('{"a": 1}');
  });
});

describe("containers", () => {
  it("annotates empty lists and lists whose element type the members do not give", () => {
    const g = new Graph();
    const x = g.addInput("x");
    const empty = g.insert("prim::ListConstruct", [], [listType(Types.tensor)]).output();
    const opt = g.insert("prim::ListConstruct", [x], [listType(optionalType(Types.tensor))]).output();
    const plain = g.insert("prim::ListConstruct", [x], [listType(Types.tensor)]).output();
    const single = g.insert("prim::TupleConstruct", [x], [tupleType([Types.tensor])]).output();
    const t = g.insert("prim::TupleConstruct", [empty, opt, plain, single], [tupleType([empty.type, opt.type, plain.type, single.type])]);
    g.registerOutput(t.output());
    // The tuple makes a long line: it gets a variable, its already-built parts stay inline.
    expect(printFunction(g, "f")).toContain("  _0 = (annotate(List[Tensor], []), annotate(List[Optional[Tensor]], [x]), [x], (x,))\n  return _0\n");
  });

  it("names a named tuple's class when constructing it", () => {
    const g = new Graph();
    const [a, b] = [g.addInput("a"), g.addInput("b", Types.int)];
    const nt = tupleType([Types.tensor, Types.int], { name: "__torch__.PairOut", fields: ["total", "count"] });
    g.registerOutput(g.insert("prim::TupleConstruct", [a, b], [nt]).output());
    expect(printFunction(g, "f")).toBe(`def f(a: Tensor,
    b: int) -> __torch__.PairOut:
  return __torch__.PairOut(a, b)
`);
  });
});

describe("statements", () => {
  it("never inlines isinstance into a condition", () => {
    const g = new Graph();
    const x = g.addInput("x", Types.any);
    const check = g.insert("prim::isinstance", [x], [Types.bool]);
    check.setAttr("types", Attr.tys([Types.int]));
    const iff = g.insert("prim::If", [check.output()], [Types.int]);
    for (const v of [1, 2]) {
      const b = iff.addBlock();
      g.withInsertPoint(b, () => b.registerOutput(insertConstant(g, { type: "int", value: v })));
    }
    g.registerOutput(iff.output());
    expect(printFunction(g, "f")).toBe(`def f(x: Any) -> int:
  _0 = isinstance(x, int)
  if _0:
    _1 = 1
  else:
    _1 = 2
  return _1
`);
  });

  it("prints a while loop, annotating a carried variable whose type widens", () => {
    expect(fn(`graph(%x : Tensor,
      %n : int):
  %max : int = prim::Constant[value=9223372036854775807]()
  %c : bool = aten::lt(%n, %n)
  %y : Tensor? = prim::Loop(%max, %c, %x)
    block0(%i : int, %y.1 : Tensor?):
      %c2 : bool = aten::gt(%n, %n)
      -> (%c2, %y.1)
  return (%y)
`)).toBe(`def f(x: Tensor,
    n: int) -> Optional[Tensor]:
  c = torch.lt(n, n)
  y: Optional[Tensor] = x
  i = c
  while i:
    i, y = torch.gt(n, n), y
  return y
`);
  });

  it("refuses loops that combined a trip count with a condition", () => {
    expect(() => fn(`graph(%n : int,
      %c : bool):
   = prim::Loop(%n, %c)
    block0(%i : int):
      -> (%c)
  return (%n)
`)).toThrow(/combined while and for loops/);
  });

  it("prints `pass` for empty branches and `self` untyped in methods", () => {
    expect(printMethod(parseGraph(`graph(%self : __torch__.M,
      %b : bool):
  %n : NoneType = prim::Constant()
   = prim::If(%b)
    block0():
      -> ()
    block1():
      -> ()
  return (%n)
`), { name: "forward" })).toBe(`def forward(self,
    b: bool) -> NoneType:
  if b:
    pass
  else:
    pass
  return None
`);
  });

  it("takes argument names, types and defaults from the signature", () => {
    const g = parseGraph(`graph(%self : __torch__.M,
      %0 : int[]):
  return (%0)
`);
    expect(printMethod(g, { name: "forward", args: [undefined, { name: "padding", default: { value: 0 }, fixedLength: 2 }] }))
      .toBe(`def forward(self,
    padding: List[int]=[0, 0]) -> List[int]:
  return padding
`);
    expect(printMethod(g, { name: "forward" })).toContain("    argument_1: List[int]) -> List[int]:");
  });
});
