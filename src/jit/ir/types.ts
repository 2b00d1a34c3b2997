/**
 * The TorchScript type lattice (c10's jit_type.h) as plain immutable data.
 *
 * A `JitType` is a discriminated union on `kind`. Leaf types without structure (int, str,
 * Device, ...) are rows of `SIMPLE_TYPES`, so adding one is one row, not edits to every
 * switch. Printing lives in `type_print.ts`, parsing in `type_parse.ts`; the subtyping and
 * unification rules, and the constructors that must keep types canonical (`optionalType`,
 * `unionType`), in `subtype.ts`.
 *
 * Types are compared structurally (`typeEquals`), never by identity: a parsed `int[]` and a
 * built `listType(Types.int)` are the same type.
 */
import type { Tensor } from "../../tensor/tensor.js";

/**
 * Leaf types: `str` is what the graph printer writes (`Type::str()`), `annotation` what Python
 * code writes (`annotation_str`). `order` is c10's TypeKind order, which Union uses to sort
 * its members (so `Union[str, int]` prints as `Union(int, str)`).
 */
export const SIMPLE_TYPES = {
  Any: { str: "Any", annotation: "Any", order: 0 },
  Storage: { str: "Storage", annotation: "Storage", order: 4 },
  Scalar: { str: "Scalar", annotation: "number", order: 8 },
  float: { str: "float", annotation: "float", order: 9 },
  complex: { str: "complex", annotation: "complex", order: 10 },
  int: { str: "int", annotation: "int", order: 13 },
  NoneType: { str: "NoneType", annotation: "NoneType", order: 14 },
  str: { str: "str", annotation: "str", order: 15 },
  Generator: { str: "Generator", annotation: "Generator", order: 16 },
  bool: { str: "bool", annotation: "bool", order: 18 },
  Device: { str: "Device", annotation: "Device", order: 21 },
  Stream: { str: "Stream", annotation: "Stream", order: 22 },
  Capsule: { str: "Capsule", annotation: "Capsule", order: 26 },
  QScheme: { str: "QScheme", annotation: "QScheme", order: 28 },
  Layout: { str: "Layout", annotation: "Layout", order: 29 },
  ScalarType: { str: "ScalarType", annotation: "ScalarType", order: 30 },
  MemoryFormat: { str: "MemoryFormat", annotation: "MemoryFormat", order: 31 },
  /** Any Enum class: what `aten::eq.enum(AnyEnumType a, AnyEnumType b)` accepts. */
  AnyEnumType: { str: "AnyEnumType", annotation: "AnyEnumType", order: 2 },
} as const;

export type SimpleKind = keyof typeof SIMPLE_TYPES;

/** TypeKind order of the structured kinds (see SIMPLE_TYPES.order). */
export const STRUCTURED_ORDER = {
  Enum: 1, Tensor: 3, Tuple: 5, List: 6, Dict: 7, Future: 11, Optional: 19, Var: 20, Function: 23, Class: 24, Union: 36,
} as const;

/** PyTorch's ScalarType names, as tensor types print them: `Float(3, 4, ...)`. */
export const SCALAR_TYPE_NAMES = [
  "Byte", "Char", "Short", "Int", "Long", "Half", "Float", "Double", "ComplexHalf", "ComplexFloat",
  "ComplexDouble", "Bool", "QInt8", "QUInt8", "QInt32", "BFloat16",
] as const;
export type ScalarTypeName = (typeof SCALAR_TYPE_NAMES)[number];

export function isScalarTypeName(s: string): s is ScalarTypeName {
  return (SCALAR_TYPE_NAMES as readonly string[]).includes(s);
}

export interface SimpleType {
  readonly kind: SimpleKind;
}

/**
 * A tensor type with whatever is known about it; `null` means unknown. A traced value knows
 * everything (`Float(3, 4, strides=[4, 1], requires_grad=0, device=cpu)`); a scripted one
 * usually nothing (`Tensor`).
 */
export interface TensorType {
  readonly kind: "Tensor";
  readonly scalarType: ScalarTypeName | null;
  /** null: rank unknown; a null entry: that dimension unknown (printed `*`). */
  readonly sizes: readonly (number | null)[] | null;
  readonly strides: readonly (number | null)[] | null;
  readonly requiresGrad: boolean | null;
  readonly device: string | null;
  /** Known to be an undefined tensor (printed with an `[Undefined]` suffix). */
  readonly undefined: boolean | null;
}

export interface ListType {
  readonly kind: "List";
  readonly element: JitType;
}

/** A named tuple (`NamedTuple(a : int, b : Tensor)`) keeps its qualified name and field names. */
export interface NamedTupleInfo {
  /** Qualified name, e.g. `__torch__.PairOut`; null when only the fields are known (parsed). */
  readonly name: string | null;
  readonly fields: readonly string[];
}

export interface TupleType {
  readonly kind: "Tuple";
  readonly elements: readonly JitType[];
  readonly named: NamedTupleInfo | null;
}

export interface DictType {
  readonly kind: "Dict";
  readonly key: JitType;
  readonly value: JitType;
}

export interface OptionalType {
  readonly kind: "Optional";
  readonly element: JitType;
}

/** Members are canonical: flattened, without duplicates, sorted (see `unionType` in subtype.ts). */
export interface UnionType {
  readonly kind: "Union";
  readonly types: readonly JitType[];
}

export interface FutureType {
  readonly kind: "Future";
  readonly element: JitType;
}

/** A TorchScript class or module type, named by its qualified name (`__torch__.MyCell`). */
export interface ClassType {
  readonly kind: "Class";
  readonly name: string;
}

/**
 * A TorchScript Enum class (`class Color(Enum)`), named by its qualified name. It is not a
 * ClassType: its values are members (`__torch__.Color.RED`), not objects with attributes, and
 * graphs print it as `Enum<__torch__.Color>` (c10's EnumType).
 */
export interface EnumType {
  readonly kind: "Enum";
  readonly name: string;
}

/** A first-class function value (`prim::Constant[name="f"]() : Function`). */
export interface FunctionType {
  readonly kind: "Function";
  /** Qualified name; null when parsed from graph text, which prints only `Function`. */
  readonly name: string | null;
}

/** A schema type variable: `t` in `aten::__getitem__.t(t[](a) list, int idx) -> t(*)`. */
export interface VarType {
  readonly kind: "Var";
  readonly name: string;
}

export type JitType =
  | SimpleType | TensorType | ListType | TupleType | DictType | OptionalType | UnionType
  | FutureType | ClassType | EnumType | FunctionType | VarType;

export function isSimpleKind(k: string): k is SimpleKind {
  return Object.prototype.hasOwnProperty.call(SIMPLE_TYPES, k);
}

export function isSimple(t: JitType): t is SimpleType {
  return isSimpleKind(t.kind);
}

function simple(kind: SimpleKind): SimpleType {
  return Object.freeze({ kind });
}

/** Singleton instances of the leaf types, plus plain `Tensor`. */
export const Types = {
  any: simple("Any"),
  int: simple("int"),
  float: simple("float"),
  complex: simple("complex"),
  bool: simple("bool"),
  str: simple("str"),
  none: simple("NoneType"),
  device: simple("Device"),
  scalar: simple("Scalar"),
  generator: simple("Generator"),
  layout: simple("Layout"),
  scalarType: simple("ScalarType"),
  memoryFormat: simple("MemoryFormat"),
  storage: simple("Storage"),
  stream: simple("Stream"),
  capsule: simple("Capsule"),
  qscheme: simple("QScheme"),
  anyEnum: simple("AnyEnumType"),
  tensor: Object.freeze<TensorType>({
    kind: "Tensor", scalarType: null, sizes: null, strides: null, requiresGrad: null, device: null, undefined: null,
  }),
} as const;

export function simpleType(kind: SimpleKind): SimpleType {
  for (const t of Object.values(Types)) if (t.kind === kind) return t as SimpleType;
  return simple(kind);
}

export type TensorDetail = Partial<Omit<TensorType, "kind">>;

export function tensorType(detail: TensorDetail = {}): TensorType {
  return Object.freeze({ ...Types.tensor, ...detail });
}

/**
 * The complete type the tracer records for a tensor it saw:
 * `Float(3, 4, strides=[4, 1], requires_grad=0, device=cpu)`.
 */
export function tensorTypeOf(t: Tensor): TensorType {
  const st = t.dtype.scalarType;
  return tensorType({
    scalarType: isScalarTypeName(st) ? st : null,
    sizes: t.shape.slice(),
    strides: t.stride(),
    requiresGrad: t.requires_grad,
    device: t.device,
  });
}

export function listType(element: JitType): ListType {
  return Object.freeze({ kind: "List", element });
}

export function tupleType(elements: readonly JitType[], named: NamedTupleInfo | null = null): TupleType {
  if (named && named.fields.length !== elements.length) {
    throw new Error(`tupleType: ${named.fields.length} field names for ${elements.length} elements`);
  }
  return Object.freeze({ kind: "Tuple", elements: Object.freeze(elements.slice()), named });
}

export function dictType(key: JitType, value: JitType): DictType {
  return Object.freeze({ kind: "Dict", key, value });
}

export function futureType(element: JitType): FutureType {
  return Object.freeze({ kind: "Future", element });
}

export function classType(name: string): ClassType {
  return Object.freeze({ kind: "Class", name });
}

export function enumType(name: string): EnumType {
  return Object.freeze({ kind: "Enum", name });
}

export function functionType(name: string | null = null): FunctionType {
  return Object.freeze({ kind: "Function", name });
}

export function varType(name: string): VarType {
  return Object.freeze({ kind: "Var", name });
}

/** The order c10 sorts union members in (TypeKind), see SIMPLE_TYPES.order. */
export function kindOrder(t: JitType): number {
  return isSimple(t) ? SIMPLE_TYPES[t.kind].order : STRUCTURED_ORDER[t.kind as keyof typeof STRUCTURED_ORDER];
}

function arraysEqual<T>(a: readonly T[] | null, b: readonly T[] | null, eq: (x: T, y: T) => boolean): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((x, i) => eq(x, b[i]!));
}

/** Structural equality (c10's `operator==` on types). */
export function typeEquals(a: JitType, b: JitType): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) {
    // Optional[Union[int, str]] and Union[int, str, None] are the same type (c10 UnionType::equals).
    const ma = optionalMembers(a);
    const mb = optionalMembers(b);
    return ma !== null && mb !== null && sameMembers(ma, mb);
  }
  switch (a.kind) {
    case "Tensor": {
      const o = b as TensorType;
      return a.scalarType === o.scalarType && a.requiresGrad === o.requiresGrad && a.device === o.device &&
        a.undefined === o.undefined && arraysEqual(a.sizes, o.sizes, Object.is) &&
        arraysEqual(a.strides, o.strides, Object.is);
    }
    case "List":
    case "Optional":
    case "Future":
      return typeEquals(a.element, (b as ListType | OptionalType | FutureType).element);
    case "Tuple": {
      const o = b as TupleType;
      if ((a.named === null) !== (o.named === null)) return false;
      if (a.named && o.named && (a.named.name !== o.named.name || !arraysEqual(a.named.fields, o.named.fields, Object.is))) return false;
      return arraysEqual(a.elements, o.elements, typeEquals);
    }
    case "Dict": {
      const o = b as DictType;
      return typeEquals(a.key, o.key) && typeEquals(a.value, o.value);
    }
    case "Union":
      return sameMembers(a.types, (b as UnionType).types);
    case "Class":
    case "Enum":
    case "Var":
      return a.name === (b as ClassType | EnumType | VarType).name;
    case "Function":
      return a.name === (b as FunctionType).name;
    default:
      return true; // same simple kind
  }
}

function sameMembers(a: readonly JitType[], b: readonly JitType[]): boolean {
  return a.length === b.length && a.every((t) => b.some((u) => typeEquals(t, u)));
}

/** The members of an optional or union seen as a union; null for other types. */
function optionalMembers(t: JitType): readonly JitType[] | null {
  if (t.kind === "Union") return t.types;
  if (t.kind !== "Optional") return null;
  const inner = t.element.kind === "Union" ? t.element.types : [t.element];
  return [...inner, Types.none];
}

/** The types directly inside `t` (c10's containedTypes). */
export function containedTypes(t: JitType): readonly JitType[] {
  switch (t.kind) {
    case "List":
    case "Optional":
    case "Future":
      return [t.element];
    case "Tuple":
      return t.elements;
    case "Dict":
      return [t.key, t.value];
    case "Union":
      return t.types;
    default:
      return [];
  }
}

/** Whether `t` mentions a schema type variable anywhere. */
export function hasFreeVariables(t: JitType): boolean {
  return t.kind === "Var" || containedTypes(t).some(hasFreeVariables);
}
