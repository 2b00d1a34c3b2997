/**
 * The graph text parser beyond round trips: defaults, attribute kinds, lenient whitespace,
 * and errors that point at the line and column.
 */
import { describe, expect, it } from "vitest";
import { IRParseError, Types, parseGraph, parseGraphWithValues, printGraph } from "../../../src/jit/ir/index.js";

describe("reading", () => {
  it("types unannotated values as Tensor, as PyTorch's parser does", () => {
    const { graph, values } = parseGraphWithValues("graph(%x):\n  %y = aten::relu(%x)\n  return (%y)\n");
    expect(values.get("y")!.type).toBe(Types.tensor);
    expect(printGraph(graph)).toBe("graph(%x : Tensor):\n  %y : Tensor = aten::relu(%x)\n  return (%y)\n");
  });

  it("accepts CRLF line ends, blank lines, and no final newline", () => {
    const g = parseGraph("\r\ngraph(%x : int):\r\n\r\n  %1 : int = aten::neg(%x)\r\n  return (%1)");
    expect(printGraph(g)).toBe("graph(%x : int):\n  %1 : int = aten::neg(%x)\n  return (%1)\n");
  });

  it("reads every attribute kind", () => {
    const text = `graph(%x : Tensor):
  %1 : bool = prim::isinstance[types=[Tensor, int[]]](%x)
  %2 : float[] = prim::Constant[value=[1., 2.5, -0.]]()
  %3 : str[] = prim::Constant[value=["a", "b\\n"]]()
  %4 : Float(2, 3, strides=[3, 1], requires_grad=0, device=cpu) = prim::Constant[value=<Tensor>]()
  %5 : Tensor = prim::ConstantChunk[chunks=2, dim=-1](%x)
  %6 : Tensor = foo::bar[t=Dict(str, Tensor), f=inf, g=-inf, h=nan](%x)
  return (%1)
`;
    const g = parseGraph(text);
    expect(printGraph(g)).toBe(text);
    const [isinst, floats, strs, tensor, chunk, custom] = [...g.nodes()];
    expect(isinst!.attr("types")?.kind).toBe("tys");
    expect(floats!.attr("value")).toEqual({ kind: "fs", value: [1, 2.5, -0] });
    expect(strs!.attr("value")).toEqual({ kind: "ss", value: ["a", "b\n"] });
    const t = tensor!.t("value");
    expect([t.text, t.value?.shape, t.value?.dtype.name]).toEqual(["<Tensor>", [2, 3], "float32"]);
    expect([chunk!.i("chunks"), chunk!.i("dim")]).toEqual([2n, -1n]);
    expect(custom!.ty("t").kind).toBe("Dict");
    expect(custom!.f("h")).toBeNaN();
  });

  it("keeps the numbers of numbered values and numbers new values after them", () => {
    const { graph, values } = parseGraphWithValues("graph(%a : int):\n  %7 : int = aten::neg(%a)\n  return (%7)\n");
    expect(values.get("7")!.unique).toBe(7);
    const n = graph.insert("aten::neg", [values.get("7")!], [Types.int]);
    expect(String(n.output())).toBe("%8");
  });
});

describe("errors say where", () => {
  const error = (text: string): IRParseError => {
    try {
      parseGraph(text);
    } catch (e) {
      if (e instanceof IRParseError) return e;
      throw e;
    }
    throw new Error("parsed");
  };

  it("an unknown value", () => {
    const e = error("graph(%x : Tensor):\n  %1 : Tensor = aten::relu(%y)\n  return (%1)\n");
    expect(e.message).toBe(
      "Cannot find a variable with name 'y'\n  at line 2, column 28:\n    %1 : Tensor = aten::relu(%y)\n                             ^",
    );
    expect([e.line, e.col]).toEqual([2, 28]);
  });

  it("a value defined twice", () => {
    expect(error("graph(%x : Tensor):\n  %x : Tensor = aten::relu(%x)\n  return (%x)\n").message).toMatch(/^value %x is defined twice/);
  });

  it("a bad type", () => {
    expect(error("graph(%x : Widget):\n  return (%x)\n").message).toBe(
      "unknown type 'Widget'\n  at line 1, column 12:\n  graph(%x : Widget):\n             ^",
    );
  });

  it("a missing return", () => {
    expect(error("graph(%x : Tensor):\n  %1 : Tensor = aten::relu(%x)\n").message).toMatch(/^expected 'return' before the end of the text/);
  });

  it("text after the graph", () => {
    expect(error("graph(%x : Tensor):\n  return (%x)\nextra\n").message).toMatch(/^unexpected text after the graph's return/);
  });

  it("a bad source location", () => {
    expect(error("graph(%x : Tensor):\n  %1 : Tensor = aten::relu(%x) # nowhere\n  return (%1)\n").message).toMatch(
      /^expected a source location file:line:col/,
    );
  });
});
