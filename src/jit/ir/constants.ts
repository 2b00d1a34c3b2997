/**
 * prim::Constant nodes: making them from typed values, and reading them back. JS numbers do
 * not say whether they are ints or floats, so constants are given as a discriminated union.
 *
 * How each type is stored (as TorchScript 1.13 stores it, so graphs print the same):
 *   int, bool      i attribute (`value=1` for True)      None    no attribute
 *   float          f attribute (`value=2.`)              str     s attribute
 *   Device         s attribute (`value="cpu"`)           int[]   is attribute (`value=[0, 0]`)
 *   Tensor         t attribute, output typed from the tensor (`Float(4, strides=[1], ...)`)
 *   Function       s attribute `name` (`prim::Constant[name="f"]() : Function`)
 *   Enum           enum attribute, output typed by its class
 *                  (`%4 : Enum<__torch__.Color> = prim::Constant[value=__torch__.Color.RED]()`)
 */
import type { Tensor } from "../../tensor/tensor.js";
import { Attr, type AttributeValue, type EnumMember } from "./attributes.js";
import type { CreateOptions, Graph } from "./graph.js";
import type { Node } from "./node.js";
import { Types, enumType, functionType, listType, tensorTypeOf, type JitType } from "./types.js";
import type { Value } from "./value.js";

export type ConstantValue =
  | { readonly type: "int"; readonly value: number | bigint }
  | { readonly type: "float"; readonly value: number }
  | { readonly type: "bool"; readonly value: boolean }
  | { readonly type: "str"; readonly value: string }
  | { readonly type: "None" }
  | { readonly type: "Device"; readonly value: string }
  | { readonly type: "int[]"; readonly value: readonly (number | bigint)[] }
  | { readonly type: "float[]"; readonly value: readonly number[] }
  | { readonly type: "bool[]"; readonly value: readonly boolean[] }
  | { readonly type: "str[]"; readonly value: readonly string[] }
  | { readonly type: "Tensor"; readonly value: Tensor }
  | { readonly type: "Function"; readonly name: string }
  | { readonly type: "Enum"; readonly value: EnumMember };

/** Creates a prim::Constant for `c` (not inserted). */
export function createConstant(graph: Graph, c: ConstantValue, opts: CreateOptions = {}): Node {
  const [attr, type] = encode(c);
  const n = graph.create("prim::Constant", [], [type], opts);
  if (attr) n.setAttr(attr[0], attr[1]);
  return n;
}

/**
 * Inserts a prim::Constant for `c` at the graph's insertion point and returns its value.
 *
 * @example insertConstant(g, { type: "float", value: 0.1 }) // %3 : float = prim::Constant[value=0.10000000000000001]()
 */
export function insertConstant(graph: Graph, c: ConstantValue, opts: CreateOptions = {}): Value {
  return graph.insertNode(createConstant(graph, c, opts)).output();
}

type Encoded = [[string, AttributeValue] | null, JitType];

function encode(c: ConstantValue): Encoded {
  switch (c.type) {
    case "int":
      return [["value", Attr.i(c.value)], Types.int];
    case "float":
      return [["value", Attr.f(c.value)], Types.float];
    case "bool":
      return [["value", Attr.i(c.value ? 1 : 0)], Types.bool];
    case "str":
      return [["value", Attr.s(c.value)], Types.str];
    case "None":
      return [null, Types.none];
    case "Device":
      return [["value", Attr.s(c.value)], Types.device];
    case "int[]":
      return [["value", Attr.is(c.value)], listType(Types.int)];
    case "float[]":
      return [["value", Attr.fs(c.value)], listType(Types.float)];
    case "bool[]":
      return [["value", Attr.is(c.value.map((b) => (b ? 1 : 0)))], listType(Types.bool)];
    case "str[]":
      return [["value", Attr.ss(c.value)], listType(Types.str)];
    case "Tensor":
      return [["value", Attr.t(c.value)], tensorTypeOf(c.value)];
    case "Function":
      return [["name", Attr.s(c.name)], functionType(c.name)];
    case "Enum":
      return [["value", Attr.enum(c.value)], enumType(c.value.enumName)];
  }
}

/**
 * Reads a prim::Constant back as a typed value (what an interpreter or constant folding needs),
 * using the output type to tell ints from bools and strs from devices. Returns null for a node
 * that is not a constant, or a tensor constant whose data is unknown (parsed `<Tensor>`).
 */
export function constantValue(n: Node): ConstantValue | null {
  if (n.kind !== "prim::Constant" || n.outputs.length !== 1) return null;
  const t = n.output().type;
  const a = n.attr("value");
  if (a === undefined) {
    const name = n.attr("name");
    if (name?.kind === "s") return { type: "Function", name: name.value };
    return { type: "None" };
  }
  switch (a.kind) {
    case "i":
      return t.kind === "bool" ? { type: "bool", value: a.value !== 0n } : { type: "int", value: a.value };
    case "f":
      return { type: "float", value: a.value };
    case "s":
      return t.kind === "Device" ? { type: "Device", value: a.value } : { type: "str", value: a.value };
    case "is":
      if (t.kind === "List" && t.element.kind === "bool") return { type: "bool[]", value: a.value.map((v) => v !== 0n) };
      return { type: "int[]", value: a.value };
    case "fs":
      return { type: "float[]", value: a.value };
    case "ss":
      return { type: "str[]", value: a.value };
    case "t":
      return a.value ? { type: "Tensor", value: a.value } : null;
    case "enum":
      return { type: "Enum", value: a.value };
    default:
      return null;
  }
}
