/**
 * Node attributes (`prim::Constant[value=1]`, `prim::GetAttr[name="linear"]`) as a typed union,
 * one case per TorchScript AttributeKind, and how each kind prints in graph text.
 *
 * Note [int attributes are bigint]: TorchScript ints are 64-bit and graphs hold values such as
 * 9223372036854775807 (the trip count of a while loop), which a JS number cannot represent,
 * so int attributes are bigints. `Attr.i(3)` accepts a number for convenience.
 */
import type { Tensor } from "../../tensor/tensor.js";
import type { Graph } from "./graph.js";
import { formatDoubleRepr, quoteString } from "./cformat.js";
import { formatTensorAttribute, tensorText } from "./tensor_text.js";
import { printType } from "./type_print.js";
import type { JitType } from "./types.js";

export type AttributeValue =
  | { readonly kind: "i"; readonly value: bigint }
  | { readonly kind: "f"; readonly value: number }
  | { readonly kind: "s"; readonly value: string }
  | { readonly kind: "is"; readonly value: readonly bigint[] }
  | { readonly kind: "fs"; readonly value: readonly number[] }
  | { readonly kind: "ss"; readonly value: readonly string[] }
  | TensorAttribute
  | { readonly kind: "ty"; readonly value: JitType }
  | { readonly kind: "tys"; readonly value: readonly JitType[] }
  | { readonly kind: "g"; readonly value: Graph }
  | { readonly kind: "enum"; readonly value: EnumMember };

/**
 * A member of a TorchScript Enum class, as an enum constant holds it (c10 keeps an IValue
 * attribute; enums are the only IValues our constants need). It prints as
 * `__torch__.Color.RED`, without the value, so a parsed graph does not know the value: null.
 */
export interface EnumMember {
  /** The Enum class's qualified name, `__torch__.Color`. */
  readonly enumName: string;
  readonly name: string;
  /** int, float or str (the only value types TorchScript enums allow); null where unknown. */
  readonly value: number | bigint | string | null;
}

/**
 * A tensor attribute. Parsed graph text cannot always give back the data (`<Tensor>`, or four
 * printed decimals), so the attribute keeps the text it was read from; `value` is the data
 * where known. Printing prefers `text`, so parsed graphs print back unchanged.
 */
export interface TensorAttribute {
  readonly kind: "t";
  readonly value: Tensor | null;
  readonly text: string | null;
}

export type AttributeKind = AttributeValue["kind"];

function toBigInt(v: number | bigint): bigint {
  if (typeof v === "bigint") return v;
  if (!Number.isInteger(v)) throw new Error(`int attribute must be an integer, got ${v}`);
  return BigInt(v);
}

/** Attribute constructors, named by AttributeKind as in TorchScript (`n->i_(attr::value, 1)`). */
export const Attr = {
  i: (v: number | bigint): AttributeValue => ({ kind: "i", value: toBigInt(v) }),
  f: (v: number): AttributeValue => ({ kind: "f", value: v }),
  s: (v: string): AttributeValue => ({ kind: "s", value: v }),
  is: (v: readonly (number | bigint)[]): AttributeValue => ({ kind: "is", value: v.map(toBigInt) }),
  fs: (v: readonly number[]): AttributeValue => ({ kind: "fs", value: v.slice() }),
  ss: (v: readonly string[]): AttributeValue => ({ kind: "ss", value: v.slice() }),
  t: (v: Tensor): AttributeValue => ({ kind: "t", value: v, text: null }),
  ty: (v: JitType): AttributeValue => ({ kind: "ty", value: v }),
  tys: (v: readonly JitType[]): AttributeValue => ({ kind: "tys", value: v.slice() }),
  g: (v: Graph): AttributeValue => ({ kind: "g", value: v }),
  enum: (v: EnumMember): AttributeValue => ({ kind: "enum", value: v }),
} as const;

/** How an attribute value prints between `[name=` and `]` (ir.cpp Node::printAttrValue). */
export function printAttributeValue(a: AttributeValue): string {
  switch (a.kind) {
    case "i":
      return a.value.toString();
    case "f":
      return formatDoubleRepr(a.value);
    case "s":
      return quoteString(a.value);
    case "is":
      return `[${a.value.join(", ")}]`;
    case "fs":
      return `[${a.value.map(formatDoubleRepr).join(", ")}]`;
    case "ss":
      return `[${a.value.map(quoteString).join(", ")}]`;
    case "t":
      if (a.text !== null) return a.text;
      return a.value ? formatTensorAttribute(tensorText(a.value)) : "<Tensor>";
    case "ty":
      return printType(a.value);
    case "tys":
      return `[${a.value.map(printType).join(", ")}]`;
    case "g":
      return "<Graph>";
    case "enum":
      return `${a.value.enumName}.${a.value.name}`;
  }
}

/** Structural equality of attribute values (tensors by identity, graphs by identity). */
export function attributeEquals(a: AttributeValue, b: AttributeValue): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "t") return a.value === (b as TensorAttribute).value && a.text === (b as TensorAttribute).text;
  if (a.kind === "g") return a.value === (b as { value: Graph }).value;
  return printAttributeValue(a) === printAttributeValue(b);
}
