/**
 * The verifier rejects malformed graphs with a message naming the node: uses before
 * definitions, uses outside the defining block, wrong arities and shapes of prim:: nodes and
 * control flow, schema mismatches of resolved ops, broken bookkeeping.
 */
import { describe, expect, it } from "vitest";
import {
  Attr, Graph, IRVerifyError, Types, classType, insertConstant, parseGraph, resolveOverload, verifyGraph,
} from "../../../src/jit/ir/index.js";
import { REGISTRY } from "../../../src/tensor/registry.js";
import "../../../src/index.js"; // fills the op registry

function failure(g: Graph): IRVerifyError {
  try {
    verifyGraph(g);
  } catch (e) {
    if (e instanceof IRVerifyError) return e;
    throw e;
  }
  throw new Error("the graph verified");
}

describe("scoping", () => {
  it("catches a use before the definition", () => {
    const g = new Graph();
    const x = g.addInput("x");
    const a = g.insert("aten::neg", [x]);
    const b = g.insert("aten::relu", [a.output()]);
    g.registerOutput(b.output());
    verifyGraph(g);
    b.moveBefore(a);
    const e = failure(g);
    expect(e.node).toBe(b);
    expect(e.message).toBe(
      "graph verification failed: input 0 uses %1 before it is defined (by %1 : Tensor = aten::neg(%x))\n" +
        "  at: %2 : Tensor = aten::relu(%1)",
    );
  });

  it("catches a use after the block that defines the value", () => {
    const g = parseGraph(`graph(%c : bool, %x : Tensor):
  %1 : Tensor = prim::If(%c)
    block0():
      %y : Tensor = aten::neg(%x)
      -> (%y)
    block1():
      -> (%x)
  %2 : Tensor = aten::relu(%y)
  return (%2)
`);
    expect(failure(g).message).toBe(
      "graph verification failed: input 0 uses %y, which is defined inside a block of %1 : Tensor = prim::If(%c) and is not visible here\n" +
        "  at: %2 : Tensor = aten::relu(%y)",
    );
  });

  it("catches a branch returning a value of the other branch", () => {
    const g = parseGraph(`graph(%c : bool, %x : Tensor):
  %1 : Tensor = prim::If(%c)
    block0():
      %y : Tensor = aten::neg(%x)
      -> (%y)
    block1():
      -> (%y)
  return (%1)
`);
    expect(failure(g).message).toMatch(/^graph verification failed: return 0 uses %y, which is defined inside a block of %1 : Tensor = prim::If\(%c\)/);
    expect(failure(g).message).toMatch(/at: the returns of a block of: %1 : Tensor = prim::If\(%c\)$/);
  });

  it("catches a loop parameter used after the loop", () => {
    const g = parseGraph(`graph(%n : int):
  %t : bool = prim::Constant[value=1]()
   = prim::Loop(%n, %t)
    block0(%i : int):
      -> (%t)
  return (%i)
`);
    expect(failure(g).message).toMatch(/return 0 uses %i, which is defined inside a block of {2}= prim::Loop\(%n, %t\)/);
  });

  it("accepts uses of outer values inside nested blocks", () => {
    const g = parseGraph(`graph(%c : bool, %x : Tensor):
  %a : Tensor = aten::neg(%x)
  %1 : Tensor = prim::If(%c)
    block0():
      %2 : Tensor = prim::If(%c)
        block0():
          -> (%a)
        block1():
          -> (%x)
      -> (%2)
    block1():
      -> (%a)
  return (%1)
`);
    verifyGraph(g);
  });
});

describe("arity and control-flow shape", () => {
  const bad = (text: string): string => failure(parseGraph(text)).message;

  it("prim::If needs two blocks returning one value per output", () => {
    expect(bad(`graph(%c : bool, %x : Tensor):
  %1 : Tensor = prim::If(%c)
    block0():
      -> (%x)
  return (%1)
`)).toMatch(/prim::If takes 2 blocks, has 1\n {2}at: %1 : Tensor = prim::If\(%c\)$/);
    expect(bad(`graph(%c : bool, %x : Tensor):
  %1 : Tensor = prim::If(%c)
    block0():
      -> (%x, %x)
    block1():
      -> (%x)
  return (%1)
`)).toMatch(/block0 of prim::If returns 2 values for 1 outputs/);
  });

  it("prim::If needs a bool condition", () => {
    expect(bad(`graph(%n : int, %x : Tensor):
  %1 : Tensor = prim::If(%n)
    block0():
      -> (%x)
    block1():
      -> (%x)
  return (%1)
`)).toMatch(/the condition of prim::If is int, which is not a bool/);
  });

  it("prim::Loop carries as many values as it outputs, through its body", () => {
    expect(bad(`graph(%n : int, %x : Tensor):
  %t : bool = prim::Constant[value=1]()
  %y : Tensor = prim::Loop(%n, %t, %x)
    block0(%i : int):
      -> (%t, %x)
  return (%y)
`)).toMatch(/the prim::Loop body takes \(iteration, 1 carried\) = 2 parameters, has 1/);
    expect(bad(`graph(%n : int, %x : Tensor):
  %t : bool = prim::Constant[value=1]()
  %y : Tensor, %z : Tensor = prim::Loop(%n, %t, %x)
    block0(%i : int, %x.1 : Tensor):
      -> (%t, %x.1)
  return (%y)
`)).toMatch(/prim::Loop carries 1 values but has 2 outputs/);
    expect(bad(`graph(%n : int, %x : Tensor):
  %t : bool = prim::Constant[value=1]()
  %y : Tensor = prim::Loop(%n, %t, %x)
    block0(%i : int, %x.1 : Tensor):
      -> (%x.1, %x.1)
  return (%y)
`)).toMatch(/the continue condition of prim::Loop is Tensor, which is not a bool/);
  });

  it("prim:: nodes follow their vocabulary row", () => {
    expect(bad(`graph(%self : __torch__.M, %x : Tensor):
  %w : Tensor = prim::GetAttr[name="w"](%self, %x)
  return (%w)
`)).toMatch(/prim::GetAttr takes 1 inputs, has 2/);
    expect(bad(`graph(%self : __torch__.M):
  %w : Tensor = prim::GetAttr(%self)
  return (%w)
`)).toMatch(/prim::GetAttr needs attribute 'name'\n {2}at: %w : Tensor = prim::GetAttr\(%self\)/);
    expect(bad(`graph(%self : __torch__.M):
  %w : Tensor = prim::GetAttr[name=3](%self)
  return (%w)
`)).toMatch(/attribute 'name' of prim::GetAttr cannot be of kind i/);
    expect(bad(`graph(%k : str):
  %d : Dict(str, str) = prim::DictConstruct(%k)
  return (%d)
`)).toMatch(/prim::DictConstruct needs key, value pairs/);
    expect(bad(`graph():
   = prim::RaiseException()
  return ()
`)).toMatch(/prim::RaiseException takes 1 to 2 inputs, has 0/);
  });
});

describe("schemas of resolved ops", () => {
  const addTensor = REGISTRY.get("aten::add")!.find((o) => o.schema.overload === "Tensor")!;

  it("checks a node that names its overload against the schema", () => {
    const g = new Graph();
    const x = g.addInput("x");
    const n = g.insert("aten::add", [x, x]);
    n.op = addTensor;
    g.registerOutput(n.output());
    expect(failure(g).message).toBe(
      `graph verification failed: aten::add does not match its schema ${addTensor.schema.text}: expected 3 inputs but got 2\n` +
        "  at: %1 : Tensor = aten::add(%x, %x)",
    );
    n.addInput(g.withInsertPoint(n, () => insertConstant(g, { type: "str", value: "one" })));
    expect(failure(g).message).toMatch(/argument 'alpha' \(input 2\) expects Scalar but got str/);
    n.replaceInput(2, g.withInsertPoint(n, () => insertConstant(g, { type: "int", value: 1 })));
    verifyGraph(g);
    n.output().setType(Types.int);
    expect(failure(g).message).toMatch(/output 0 of aten::add is int, which is not a Tensor/);
  });

  it("resolves the overloads of a traced graph", () => {
    const g = parseGraph(`graph(%x : Float(3, 4, strides=[4, 1], requires_grad=0, device=cpu),
      %h : Float(3, 4, strides=[4, 1], requires_grad=0, device=cpu)):
  %2 : int = prim::Constant[value=1]()
  %3 : Float(3, 4, strides=[4, 1], requires_grad=0, device=cpu) = aten::add(%x, %h, %2)
  %4 : Float(3, 4, strides=[4, 1], requires_grad=0, device=cpu) = aten::tanh(%3)
  %5 : int = aten::add(%2, %2)
  return (%4, %5)
`);
    const [, add, tanh, intAdd] = [...g.nodes()];
    expect(resolveOverload(add!)?.schema.text).toBe(addTensor.schema.text);
    expect(resolveOverload(tanh!)?.schema.name).toBe("aten::tanh");
    // int + int resolves to the builtin the interpreter registers in the same op registry
    expect(resolveOverload(intAdd!)?.schema.text).toMatch(/^aten::add\.int\(int a, int b\) -> int/);
    add!.op = resolveOverload(add!);
    tanh!.op = resolveOverload(tanh!);
    verifyGraph(g);
  });
});

describe("bookkeeping", () => {
  it("catches a use list that disagrees with the inputs", () => {
    const g = new Graph();
    const x = g.addInput("x");
    const n = g.insert("aten::neg", [x]);
    g.registerOutput(n.output());
    x._uses.length = 0;
    expect(failure(g).message).toBe("graph verification failed: input 0 (%x) is missing from %x's uses\n  at: %1 : Tensor = aten::neg(%x)");
  });

  it("catches two values printing the same name", () => {
    const g = new Graph();
    const self = g.addInput("self", classType("__torch__.M"));
    const a = g.insert("prim::GetAttr", [self]).setAttr("name", Attr.s("a"));
    const b = g.insert("prim::GetAttr", [self]).setAttr("name", Attr.s("b"));
    g.adoptUnique(b.output(), a.output().unique);
    expect(failure(g).message).toMatch(/two values are named %1/);
  });

  it("catches kinds without a namespace", () => {
    const g = new Graph();
    g.insert("add", [], 0);
    expect(failure(g).message).toMatch(/node kind 'add' is not of the form ns::name/);
  });
});
