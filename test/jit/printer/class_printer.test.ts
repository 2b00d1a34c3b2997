/** Class kinds and class-body details beyond what the conformance archives show. */
import "./support.js";
import { describe, expect, it } from "vitest";
import { Types, classType, parseGraph, tupleType } from "../../../src/jit/ir/index.js";
import { printClass, printCodeFile } from "../../../src/jit/printer/index.js";

const hook = (name: string) => ({
  name,
  graph: parseGraph(`graph(%mod : __torch__.H,
      %inp : (Tensor)):
  return (%inp)
`),
});

describe("class printer", () => {
  it("prints a NamedTuple, an Enum and an interface", () => {
    expect(printClass({
      kind: "namedtuple", qualifiedName: "__torch__.PairOut",
      fields: [{ name: "total", type: Types.tensor }, { name: "count", type: Types.int }],
    })).toBe("class PairOut(NamedTuple):\n  total : Tensor\n  count : int\n");
    expect(printClass({
      kind: "enum", qualifiedName: "__torch__.Color", valueType: Types.int,
      members: [{ name: "RED", value: 1 }, { name: "GREEN", value: 2 }],
    })).toBe("class Color(Enum):\n  RED = 1\n  GREEN = 2\n");
    expect(printClass({
      kind: "moduleInterface", qualifiedName: "__torch__.OneOpInterface",
      methods: [{ name: "forward", args: [{ name: "x", type: Types.tensor }], returnType: Types.tensor }],
    })).toBe("class OneOpInterface(ModuleInterface):\n  def forward(self, x: Tensor) -> Tensor:\n    pass\n");
  });

  it("prints a plain class without module lists, with Final constants", () => {
    const init = parseGraph(`graph(%self : __torch__.Pair,
      %a : Tensor):
   = prim::SetAttr[name="a"](%self, %a)
  %n : NoneType = prim::Constant()
  return (%n)
`);
    expect(printClass({
      kind: "class", qualifiedName: "__torch__.Pair",
      attributes: [{ name: "a", type: Types.tensor }],
      constants: [{ name: "shape", type: tupleType([Types.int]), value: [6] }, { name: "eps", type: Types.float, value: 1e-5 }],
      methods: [{ name: "__init__", graph: init }],
    })).toBe(`class Pair:
  a : Tensor
  shape : Final[Tuple[int]] = (6,)
  eps : Final[float] = 1.0000000000000001e-05
  def __init__(self: __torch__.Pair,
    a: Tensor) -> NoneType:
    self.a = a
    return None
`);
  });

  it("lists hooks, writes the annotations dict for non-identifiers, prints each hook once", () => {
    const text = printClass({
      kind: "module", qualifiedName: "__torch__.H",
      attributes: [{ name: "0", type: classType("__torch__.L") }, { name: "w", type: Types.tensor, isBuffer: true }],
      forwardPreHooks: [hook("pre")],
      forwardHooks: [hook("post"), hook("post")],
    });
    expect(text).toBe(`class H(Module):
  __parameters__ = []
  __buffers__ = ["w", ]
  __forward_pre_hooks__ = ["pre", ]
  __forward_hooks__ = ["post", "post", ]
  __annotations__ = []
  __annotations__["0"] = __torch__.L
  w : Tensor
  def post(mod: __torch__.H,
    inp: Tuple[Tensor]) -> Tuple[Tensor]:
    return inp
  def pre(mod: __torch__.H,
    inp: Tuple[Tensor]) -> Tuple[Tensor]:
    return inp
`);
  });

  it("prints free functions of a code file with typed first arguments and defaults", () => {
    const relu = parseGraph(`graph(%input : Tensor,
      %inplace : bool):
  %1 : Tensor = aten::relu(%input)
  return (%1)
`);
    expect(printCodeFile([{
      kind: "function", qualifiedName: "__torch__.torch.nn.functional.relu", graph: relu,
      args: [undefined, { default: { value: false } }],
    }])).toBe(`def relu(input: Tensor,
    inplace: bool=False) -> Tensor:
  return torch.relu(input)
`);
  });
});
