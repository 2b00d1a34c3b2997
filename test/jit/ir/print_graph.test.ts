/**
 * Graphs built with the API print as PyTorch prints them: structure, value numbering (including
 * Graph.copy's renumbering, which is how inlined_graph numbers values), constants of every
 * attribute kind, tensor constants through ATen's C++ printer. Expected texts come from
 * PyTorch 1.13 (the conformance cases, and a live run where PyTorch is installed).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  Attr, Graph, Types, classType, formatTensorAttribute, insertConstant, listType, parseGraph, printGraph,
  sourceRange, tensorText, tupleType, verifyGraph,
} from "../../../src/jit/ir/index.js";
import { torch, type Tensor } from "../../../src/index.js";
import { hasTorch, runTorch } from "../../support/pytorch.js";

const casesDir = new URL("../../../../shared/conformance/cases/", import.meta.url);

function section(caseName: string, title: string): string {
  const text = readFileSync(new URL(`${caseName}/graph.txt`, casesDir), "utf8");
  const head = `# ==== ${title} ====\n`;
  const start = text.indexOf(head);
  if (start < 0) throw new Error(`no section ${title} in ${caseName}`);
  const body = text.slice(start + head.length);
  const end = body.indexOf("\n# ==== ");
  return (end < 0 ? body : body.slice(0, end)).replace(/\n+$/, "\n");
}

const at = (line: number, col: number) => ({ sourceRange: sourceRange("/corpus/gen.py", line, col) });

describe("building graphs", () => {
  it("reproduces the scripted MyDecisionGate (inlined_graph) exactly", () => {
    const g = new Graph();
    g.addInput("self", classType("__torch__.MyDecisionGate"));
    const x = g.addInput("x.1");
    const none = insertConstant(g, { type: "None" });
    const zero = insertConstant(g, { type: "int", value: 0 }, at(170, 21));
    const sum = g.insert("aten::sum", [x, none], 1, at(170, 11)).output();
    const gt = g.insert("aten::gt", [sum, zero], 1, at(170, 11)).output();
    const cond = g.insert("aten::Bool", [gt], [Types.bool], at(170, 11)).output();
    const ifNode = g.insert("prim::If", [cond], 1, at(170, 8));
    ifNode.addBlock().registerOutput(x);
    const orElse = ifNode.addBlock();
    const neg = g.withInsertPoint(orElse, () => g.insert("aten::neg", [x], 1, at(173, 19)));
    orElse.registerOutput(neg.output());
    g.registerOutput(ifNode.output());
    verifyGraph(g);
    expect(printGraph(g)).toBe(section("seed_decision_gate_scripted", "<top>.forward (inlined_graph)"));
  });

  it("prints loops, nodes without outputs, tuple unpacking and an empty graph header", () => {
    const g = new Graph();
    const xs = g.addInput("xs", listType(Types.tensor));
    const t = insertConstant(g, { type: "bool", value: true });
    const n = g.insert("aten::len", [xs], [Types.int]).output();
    const loop = g.insert("prim::Loop", [n, t], 0, at(3, 4));
    const body = loop.addBlock();
    const i = body.addInput("i", Types.int);
    g.withInsertPoint(body, () => {
      const item = g.insert("aten::__getitem__", [xs, i], 1).output();
      g.insert("aten::add_", [item, item], 0);
      const pair = g.insert("prim::TupleConstruct", [item, i], [tupleType([Types.tensor, Types.int])]).output();
      const un = g.insert("prim::TupleUnpack", [pair], [Types.tensor, Types.int]);
      un.output(0).setDebugName("a");
      un.output(1).setDebugName("b");
    });
    body.registerOutput(t);
    verifyGraph(g);
    expect(printGraph(g)).toBe(`graph(%xs : Tensor[]):
  %1 : bool = prim::Constant[value=1]()
  %2 : int = aten::len(%xs)
   = prim::Loop(%2, %1) # /corpus/gen.py:3:4
    block0(%i : int):
      %4 : Tensor = aten::__getitem__(%xs, %i)
       = aten::add_(%4, %4)
      %5 : (Tensor, int) = prim::TupleConstruct(%4, %i)
      %a : Tensor, %b : int = prim::TupleUnpack(%5)
      -> (%1)
  return ()
`);
    expect(printGraph(new Graph())).toBe("graph():\n  return ()\n");
  });

  it("prints scopes and can leave out source locations", () => {
    const g = new Graph();
    const x = g.addInput("x");
    g.currentScope = "__module.linear";
    const y = g.insert("aten::relu", [x], 1, at(1, 0)).output();
    g.registerOutput(y);
    expect(printGraph(g)).toBe("graph(%x : Tensor):\n  %1 : Tensor = aten::relu(%x), scope: __module.linear # /corpus/gen.py:1:0\n  return (%1)\n");
    expect(printGraph(g, { sourceLocations: false, scopes: false })).toBe("graph(%x : Tensor):\n  %1 : Tensor = aten::relu(%x)\n  return (%1)\n");
    expect(String(g)).toBe(printGraph(g));
  });
});

describe("Graph.copy renumbers values as PyTorch's inlined_graph does", () => {
  for (const c of ["control_flow_scripted", "types_containers_scripted", "types_scalars_optional_scripted", "frozen_cnn", "seed_decision_gate_scripted"]) {
    it(c, () => {
      const g = parseGraph(section(c, "<top>.forward"));
      expect(printGraph(g.copy())).toBe(section(c, "<top>.forward (inlined_graph)"));
    });
  }
});

describe("constant attributes", () => {
  const print = (build: (g: Graph) => void): string => {
    const g = new Graph();
    build(g);
    return printGraph(g).split("\n").slice(1, -2).join("\n");
  };

  it("formats floats like C++ (17 significant digits, integral values with a dot)", () => {
    const values = [0.1, 1e-5, 2.0, -0.0, 1e10, 1e20, 1.5e300, Infinity, -Infinity, NaN, 123456789.0, 0.30000000000000004, 1 / 3, 5e-324];
    const text = print((g) => values.forEach((v) => insertConstant(g, { type: "float", value: v })));
    expect(text.split("\n").map((l) => /value=(.*)\]/.exec(l)![1])).toEqual([
      "0.10000000000000001", "1.0000000000000001e-05", "2.", "-0.", "10000000000", "1e+20", "1.5000000000000001e+300",
      "inf", "-inf", "nan", "123456789.", "0.30000000000000004", "0.33333333333333331", "4.9406564584124654e-324",
    ]);
  });

  it("formats ints (64-bit), bools, strings, lists, devices, None and functions", () => {
    const text = print((g) => {
      insertConstant(g, { type: "int", value: 9223372036854775807n });
      insertConstant(g, { type: "bool", value: false });
      insertConstant(g, { type: "str", value: "a\"b\\c\n\t\x01é'" });
      insertConstant(g, { type: "int[]", value: [0, 0] });
      insertConstant(g, { type: "float[]", value: [1, 2.5] });
      insertConstant(g, { type: "str[]", value: ["a", "b"] });
      insertConstant(g, { type: "Device", value: "cpu" });
      insertConstant(g, { type: "None" });
      insertConstant(g, { type: "Function", name: "dyn_repeat" });
      g.insert("prim::Constant", [], [Types.int]).setAttr("value", Attr.i(-3)).setAttr("name", Attr.s("x"));
    });
    expect(text).toBe(`  %0 : int = prim::Constant[value=9223372036854775807]()
  %1 : bool = prim::Constant[value=0]()
  %2 : str = prim::Constant[value="a\\"b\\\\c\\n\\t\\001\\0)+\\/.)\\'"]()
  %3 : int[] = prim::Constant[value=[0, 0]]()
  %4 : float[] = prim::Constant[value=[1., 2.5]]()
  %5 : str[] = prim::Constant[value=["a", "b"]]()
  %6 : Device = prim::Constant[value="cpu"]()
  %7 : NoneType = prim::Constant()
  %8 : Function = prim::Constant[name="dyn_repeat"]()
  %9 : int = prim::Constant[value=-3, name="x"]()`);
    // and they read back unchanged, the escaped string included
    const g = parseGraph(`graph():\n${text}\n  return ()\n`);
    expect(printGraph(g).split("\n").slice(1, -2).join("\n")).toBe(text);
    expect(g.block.firstNode!.next!.next!.s("value")).toBe("a\"b\\c\n\t\x01é'");
  });
});

/** [tensor, the value= text PyTorch 1.13 printed for it] */
const f32 = (data: number[], shape: number[]): Tensor => torch.tensor(data, { dtype: "float32" }).reshape(shape);
const TENSORS: [string, () => Tensor, string][] = [
  ["1-D ints", () => f32([1, 2, 3, 4], [4]), " 1  2  3  4 [ CPUFloatType{4} ]"],
  ["2-D fixed", () => f32([0.5, 1.25, 3, -2], [2, 2]), " 0.5000  1.2500  3.0000 -2.0000 [ CPUFloatType{2,2} ]"],
  ["scientific", () => f32([1e-8, 2e-3], [2]), " 1.0000e-08  2.0000e-03 [ CPUFloatType{2} ]"],
  ["large", () => f32([123456.5, 2], [2]), " 1.2346e+05  2.0000e+00 [ CPUFloatType{2} ]"],
  ["3-D", () => f32([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]), "(1,.,.) =    1  2   3  4  (2,.,.) =    5  6   7  8 [ CPUFloatType{2,2,2} ]"],
  ["columns", () => f32([1.5, 2, 3, 4, 5, 6, 7, 8, 9, 10], [1, 10]),
    "Columns 1 to 8  1.5000   2.0000   3.0000   4.0000   5.0000   6.0000   7.0000   8.0000  Columns 9 to 10  9.0000  10.0000 [ CPUFloatType{1,10} ]"],
  ["scalar", () => torch.tensor(2.5), "{2.5}"],
  ["one long", () => torch.tensor([1]), "{1}"],
  ["bool", () => torch.tensor([true, false]), " 1  0 [ CPUBoolType{2} ]"],
  ["scale", () => f32([-0, 1e-5], [2]), "1e-06 * -0.0000 10.0000 [ CPUFloatType{2} ]"],
  ["nan inf", () => f32([NaN, Infinity, 1.5], [3]), "    nan     inf  1.5000 [ CPUFloatType{3} ]"],
  ["nan inf int", () => f32([NaN, Infinity, 1], [3]), "nan inf  1 [ CPUFloatType{3} ]"],
  ["empty", () => f32([], [0]), "[ CPUFloatType{0} ]"],
  ["small scale", () => f32([0.001, 0.002], [2]), "0.001 *  1.0000  2.0000 [ CPUFloatType{2} ]"],
  ["long scientific", () => torch.tensor([2 ** 40, 3]), " 1.0995e+12  3.0000e+00 [ CPULongType{2} ]"],
  ["more than 10", () => torch.zeros(11), "<Tensor>"],
];

describe("tensor constants (ATen's C++ printer)", () => {
  for (const [name, make, expected] of TENSORS) {
    it(name, () => expect(formatTensorAttribute(tensorText(make()))).toBe(expected));
  }

  it("types the constant from the tensor, and reads it back", () => {
    const g = new Graph();
    g.registerOutput(insertConstant(g, { type: "Tensor", value: f32([1, 2, 3, 4], [4]) }));
    const text = printGraph(g);
    expect(text).toBe("graph():\n  %0 : Float(4, strides=[1], requires_grad=0, device=cpu) = prim::Constant[value= 1  2  3  4 [ CPUFloatType{4} ]]()\n  return (%0)\n");
    expect(printGraph(parseGraph(text))).toBe(text);
  });
});

describe.skipIf(!hasTorch)("tensor constants against PyTorch 1.13", () => {
  const specs: [string, number[], number[]][] = [
    ["float32", [3], [0.1, -2.25, 1000]],
    ["float32", [2, 3], [1e-3, 5e-4, 2, -7, 0.25, 1]],
    ["float32", [2, 2, 2], [100.5, 2, 3, 4, 5, 6, 7, 8e6]],
    ["float32", [1, 2, 3], [1, 2, 3, 4, 5, 6]],
    ["float64", [4], [1e-12, 1e12, 0.5, -0.5]],
    ["int64", [3, 2], [1, -20, 300, 4000, 50000, -600000]],
    ["int32", [2], [7, -8]],
    ["float32", [10], [0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 1e7]],
    ["float32", [5, 2], [1, 2, 3, 4, 5, 6, 7, 8, 9, 1234567]],
    ["float32", [1], [-0.75]],
    ["float64", [], [3.25]],
  ];
  const ref = hasTorch
    ? runTorch<string[]>(`
specs = ${JSON.stringify(specs)}
g = torch._C.Graph()
for dtype, shape, data in specs:
    t = torch.tensor(data, dtype=getattr(torch, dtype)).reshape(shape)
    n = g.create("prim::Constant")
    n.t_("value", t)
    g.insertNode(n)
    n.output().inferTypeFrom(t)
print(json.dumps(str(g).splitlines()[1:-1]))
`)
    : [];
  specs.forEach(([dtype, shape, data], i) => {
    it(`${dtype} ${JSON.stringify(shape)}`, () => {
      const g = new Graph();
      for (let k = 0; k < i; k++) g.freshUnique();
      insertConstant(g, { type: "Tensor", value: torch.tensor(data, { dtype: dtype as "float32" }).reshape(shape) });
      expect(printGraph(g).split("\n")[1]).toBe(ref[i]);
    });
  });
});
