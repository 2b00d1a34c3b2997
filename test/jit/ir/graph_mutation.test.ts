/**
 * The mutation API keeps graphs consistent (checked by the verifier after every step) and does
 * what each Given / Execute / Result example in its doc comment says; value naming follows
 * TorchScript's `.N` uniquing.
 */
import { describe, expect, it } from "vitest";
import {
  Graph, Types, constantValue, insertConstant, parseGraph, parseGraphWithValues, printGraph, verifyGraph,
  type Value,
} from "../../../src/jit/ir/index.js";

const body = (g: Graph): string => printGraph(g).split("\n").slice(1, -2).join("\n");

function sample(): { g: Graph; v: ReadonlyMap<string, Value> } {
  const { graph, values } = parseGraphWithValues(`graph(%x : Tensor):
  %a : Tensor = aten::neg(%x)
  %b : Tensor = aten::relu(%a)
  %c : Tensor = aten::mul(%b, %b)
  return (%c)
`);
  return { g: graph, v: values };
}

describe("value names", () => {
  it("renames the previous holder of a name with the next .N suffix", () => {
    const g = new Graph();
    const a = g.addInput("x");
    const b = g.addInput();
    b.setDebugName("x");
    expect([a.debugName, b.debugName]).toEqual(["x.1", "x"]);
    // The suffix table remembers the last N handed out and skips one, as TorchScript does
    // (checked against PyTorch 1.13: x.1 x.3 x, then x.5 x.3 x x.1).
    const c = g.addInput("x");
    expect([a.debugName, b.debugName, c.debugName]).toEqual(["x.1", "x.3", "x"]);
    const d = g.addInput("x.1");
    expect([a.debugName, b.debugName, c.debugName, d.debugName]).toEqual(["x.5", "x.3", "x", "x.1"]);
  });

  it("prints unnamed values by number, rejects numeric names and frees names on clear", () => {
    const g = new Graph();
    const a = g.addInput();
    expect(a.debugName).toBe("0");
    expect(() => a.setDebugName("12")).toThrow("Invalid name: '12'");
    a.setDebugName("self");
    expect(g.uniqueNames.get("self")).toBe(a);
    a.setDebugName("");
    expect(a.debugName).toBe("0");
    expect(g.uniqueNames.has("self")).toBe(false);
  });
});

describe("mutation", () => {
  it("insertBefore / insertAfter place a new node", () => {
    const { g, v } = sample();
    const n1 = g.create("aten::tanh", [v.get("a")!]);
    n1.insertBefore(v.get("b")!.node);
    const n2 = g.create("aten::sigmoid", [v.get("x")!]);
    n2.insertAfter(v.get("c")!.node);
    verifyGraph(g);
    expect(body(g)).toBe(`  %a : Tensor = aten::neg(%x)
  %4 : Tensor = aten::tanh(%a)
  %b : Tensor = aten::relu(%a)
  %c : Tensor = aten::mul(%b, %b)
  %5 : Tensor = aten::sigmoid(%x)`);
    expect(() => n1.insertBefore(n2)).toThrow(/already in a block/);
  });

  it("replaceAllUsesWith updates inputs, block returns and graph outputs", () => {
    const g = parseGraph(`graph(%c : bool, %x : Tensor):
  %a : Tensor = aten::neg(%x)
  %b : Tensor = aten::neg(%x)
  %1 : Tensor = prim::If(%c)
    block0():
      -> (%b)
    block1():
      %2 : Tensor = aten::mul(%b, %b)
      -> (%2)
  return (%1, %b)
`);
    const [a, b] = [...g.nodes()];
    b!.output().replaceAllUsesWith(a!.output());
    expect(b!.output().uses).toEqual([]);
    b!.destroy();
    verifyGraph(g);
    expect(printGraph(g)).toBe(`graph(%c : bool,
      %x : Tensor):
  %a : Tensor = aten::neg(%x)
  %1 : Tensor = prim::If(%c)
    block0():
      -> (%a)
    block1():
      %2 : Tensor = aten::mul(%a, %a)
      -> (%2)
  return (%1, %a)
`);
  });

  it("replaceAllUsesAfterNodeWith leaves earlier uses alone", () => {
    const { g, v } = sample();
    const x = v.get("x")!;
    const extra = g.withInsertPoint(v.get("c")!.node, () => g.insert("aten::abs", [x]));
    const d = g.insert("aten::add", [x, x, insertConstant(g, { type: "int", value: 1 })]);
    x.replaceAllUsesAfterNodeWith(extra, v.get("b")!);
    verifyGraph(g);
    expect(d.inputs.map(String)).toEqual(["%b", "%b", "%5"]);
    expect(v.get("a")!.node.inputs.map(String)).toEqual(["%x"]);
  });

  it("destroy refuses a node whose outputs are used, and frees names", () => {
    const { g, v } = sample();
    expect(() => v.get("b")!.node.destroy()).toThrow("cannot destroy aten::relu: its output %b is still used by input 0 of aten::mul");
    const c = v.get("c")!;
    g.eraseOutput(0);
    c.node.destroy();
    expect(c.node.isDestroyed).toBe(true);
    expect(g.uniqueNames.has("c")).toBe(false);
    expect(v.get("b")!.uses).toEqual([]);
    verifyGraph(g);
    const again = g.insert("aten::neg", [v.get("b")!]);
    again.output().setDebugName("c");
    expect(again.output().debugName).toBe("c");
  });

  it("moveBefore / moveAfter reorder, isBefore / isAfter compare", () => {
    const { g, v } = sample();
    const [a, b, c] = ["a", "b", "c"].map((k) => v.get(k)!.node) as [ReturnType<Graph["create"]>, ReturnType<Graph["create"]>, ReturnType<Graph["create"]>];
    const t = g.withInsertPoint(a, () => g.insert("aten::tanh", [v.get("x")!]));
    expect(t.isBefore(a)).toBe(true);
    t.moveAfter(c);
    expect(t.isAfter(c)).toBe(true);
    t.moveBefore(b);
    expect([...g.nodes()].map((n) => n.kind)).toEqual(["aten::neg", "aten::tanh", "aten::relu", "aten::mul"]);
    expect(a.isBefore(c) && c.isAfter(a) && !a.isAfter(c)).toBe(true);
    verifyGraph(g);
  });

  it("orders nodes across blocks: the If before its contents, branches unordered", () => {
    const g = parseGraph(`graph(%c : bool, %x : Tensor):
  %1 : Tensor = prim::If(%c)
    block0():
      %2 : Tensor = aten::neg(%x)
      -> (%2)
    block1():
      %3 : Tensor = aten::relu(%x)
      -> (%3)
  %4 : Tensor = aten::mul(%1, %1)
  return (%4)
`);
    const [ifNode, mul] = [...g.nodes()];
    const neg = ifNode!.block(0).firstNode!;
    const relu = ifNode!.block(1).firstNode!;
    expect(ifNode!.isBefore(neg)).toBe(true);
    expect(neg.isBefore(mul!)).toBe(true);
    expect(mul!.isAfter(relu)).toBe(true);
    expect(neg.isBefore(relu) || neg.isAfter(relu)).toBe(false);
  });

  it("inputs and outputs keep their use offsets when removed or inserted", () => {
    const g = new Graph();
    const [x, y, z] = [g.addInput("x"), g.addInput("y"), g.addInput("z")];
    const n = g.insert("prim::ListConstruct", [x, y, z], [Types.tensor]);
    n.removeInput(0);
    expect(y.uses).toEqual([{ user: n, offset: 0 }]);
    expect(z.uses).toEqual([{ user: n, offset: 1 }]);
    n.insertInput(1, x);
    expect(z.uses).toEqual([{ user: n, offset: 2 }]);
    const tup = g.insert("prim::TupleUnpack", [n.output()], [Types.int, Types.str, Types.bool]);
    tup.eraseOutput(1);
    expect(tup.outputs.map((o) => [o.offset, o.type.kind])).toEqual([[0, "int"], [1, "bool"]]);
    verifyGraph(g);
  });

  it("node.replaceAllUsesWith swaps every output", () => {
    const { g, v } = sample();
    const dup = g.withInsertPoint(v.get("b")!.node, () => g.insert("aten::neg", [v.get("x")!]));
    v.get("a")!.node.replaceAllUsesWith(dup);
    expect(v.get("b")!.node.inputs[0]).toBe(dup.output());
    verifyGraph(g);
  });
});

describe("copies and constants", () => {
  it("copy() is a deep copy with the same text (sequential numbers stay)", () => {
    const text = `graph(%x.1 : Tensor,
      %n.1 : int):
  %2 : bool = prim::Constant[value=1]() # /corpus/gen.py:361:4
  %z : Tensor = prim::Loop(%n.1, %2, %x.1) # /corpus/gen.py:361:4
    block0(%4 : int, %z.11 : Tensor):
      %6 : Tensor = aten::sin(%z.11) # /corpus/gen.py:362:12
      -> (%2, %6)
  return (%z)
`;
    const g = parseGraph(text);
    const c = g.copy();
    expect(printGraph(c)).toBe(text);
    expect(c.block.firstNode === g.block.firstNode).toBe(false);
    verifyGraph(c);
  });

  it("constantValue reads constants back with their types", () => {
    const g = parseGraph(`graph():
  %0 : int = prim::Constant[value=9223372036854775807]()
  %1 : bool = prim::Constant[value=0]()
  %2 : float = prim::Constant[value=10000000000]()
  %3 : Device = prim::Constant[value="cpu"]()
  %4 : NoneType = prim::Constant()
  %5 : int[] = prim::Constant[value=[1, 2]]()
  %6 : Long(requires_grad=0, device=cpu) = prim::Constant[value={7}]()
  return ()
`);
    const vals = [...g.nodes()].map(constantValue);
    expect(vals.slice(0, 6)).toEqual([
      { type: "int", value: 9223372036854775807n },
      { type: "bool", value: false },
      { type: "float", value: 1e10 },
      { type: "Device", value: "cpu" },
      { type: "None" },
      { type: "int[]", value: [1n, 2n] },
    ]);
    const t = vals[6];
    expect(t?.type === "Tensor" && [t.value.dtype.name, t.value.shape, t.value.item()]).toEqual(["int64", [], 7]);
  });
});
