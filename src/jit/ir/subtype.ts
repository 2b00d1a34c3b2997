/**
 * The lattice operations the script compiler and the verifier need, following c10
 * (type.cpp, union_type.cpp) in PyTorch 1.13:
 *
 *   isSubtypeOf(a, b)   may a value of type a be used where b is expected?
 *   unifyTypes(a, b)    the type of a variable assigned a in one branch and b in the other
 *                       (`int` and `None` give `Optional[int]`), or null where there is none.
 *   optionalType / unionType   constructors that keep optionals and unions canonical.
 */
import { typeStr } from "./type_print.js";
import {
  Types, containedTypes, dictType, futureType, kindOrder, listType, tupleType, typeEquals,
  type JitType, type OptionalType, type TensorType, type UnionType,
} from "./types.js";

/**
 * c10 isSubtypeOf. Containers that can be mutated (List, Dict) are invariant; Tuple, Future
 * and Optional are covariant; a tensor type with more known detail is a subtype of one with
 * less (`Float(3, 4)` <: `Tensor`); int, float and complex are `Scalar`s.
 */
export function isSubtypeOf(a: JitType, b: JitType): boolean {
  if (b.kind === "Any" || typeEquals(a, b)) return true;
  if (a.kind === "Union") return unionMembers(a).every((m) => memberOf(m, b));
  if (a.kind === "Optional") {
    if (b.kind === "Optional") return isSubtypeOf(a.element, b.element);
    if (b.kind === "Union") return holdsNone(b) && isSubtypeOf(a.element, b);
    return false;
  }
  if (b.kind === "Optional") return a.kind === "NoneType" || isSubtypeOf(a, b.element);
  if (b.kind === "Union") return b.types.some((m) => isSubtypeOf(a, m));
  switch (a.kind) {
    case "Tensor":
      return b.kind === "Tensor" && tensorRefines(a, b);
    case "int":
    case "float":
    case "complex":
      return b.kind === "Scalar";
    case "Tuple":
      if (b.kind !== "Tuple" || a.elements.length !== b.elements.length) return false;
      if (b.named && (!a.named || a.named.name !== b.named.name)) return false;
      return a.elements.every((e, i) => isSubtypeOf(e, b.elements[i]!));
    case "Future":
      return b.kind === "Future" && isSubtypeOf(a.element, b.element);
    case "Enum":
      return b.kind === "AnyEnumType";
    default:
      return false;
  }
}

function unionMembers(u: UnionType): readonly JitType[] {
  return u.types;
}

function memberOf(m: JitType, b: JitType): boolean {
  if (b.kind === "Union") return b.types.some((x) => isSubtypeOf(m, x));
  if (b.kind === "Optional") return m.kind === "NoneType" || isSubtypeOf(m, b.element);
  if (b.kind === "Scalar") return m.kind === "int" || m.kind === "float" || m.kind === "complex";
  return isSubtypeOf(m, b);
}

function holdsNone(u: UnionType): boolean {
  return u.types.some((t) => t.kind === "NoneType");
}

/** `a` refines `b` when every detail `b` knows, `a` knows with the same value. */
function tensorRefines(a: TensorType, b: TensorType): boolean {
  const same = <T>(x: T | null, y: T | null): boolean => y === null || x === y;
  const dims = (x: readonly (number | null)[] | null, y: readonly (number | null)[] | null): boolean =>
    y === null || (x !== null && x.length === y.length && y.every((d, i) => d === null || d === x[i]));
  return same(a.scalarType, b.scalarType) && same(a.requiresGrad, b.requiresGrad) && same(a.device, b.device) &&
    same(a.undefined, b.undefined) && dims(a.sizes, b.sizes) && dims(a.strides, b.strides);
}

/** c10 TensorType::merge: keeps what both agree on. */
export function mergeTensorTypes(a: TensorType, b: TensorType): TensorType {
  const pick = <T>(x: T | null, y: T | null): T | null => (x === y ? x : null);
  const dims = (x: readonly (number | null)[] | null, y: readonly (number | null)[] | null) =>
    x === null || y === null || x.length !== y.length ? null : x.map((d, i) => pick(d, y[i] ?? null));
  return Object.freeze<TensorType>({
    kind: "Tensor",
    scalarType: pick(a.scalarType, b.scalarType),
    sizes: dims(a.sizes, b.sizes),
    strides: dims(a.strides, b.strides),
    requiresGrad: pick(a.requiresGrad, b.requiresGrad),
    device: pick(a.device, b.device),
    undefined: pick(a.undefined, b.undefined),
  });
}

/** `t` with every tensor type replaced by plain `Tensor` (c10 unshapedType). */
export function unshapedType(t: JitType): JitType {
  if (t.kind === "Tensor") return Types.tensor;
  const inner = containedTypes(t);
  return inner.length === 0 ? t : withContained(t, inner.map(unshapedType));
}

/** `t` with its contained types replaced (c10 withContained); leaf types are returned as is. */
export function withContained(t: JitType, inner: readonly JitType[]): JitType {
  const at = (i: number): JitType => {
    const x = inner[i];
    if (x === undefined) throw new Error(`withContained: ${t.kind} needs ${i + 1} contained types`);
    return x;
  };
  switch (t.kind) {
    case "List":
      return listType(at(0));
    case "Optional":
      return optionalType(at(0));
    case "Future":
      return futureType(at(0));
    case "Tuple":
      return tupleType(inner, t.named);
    case "Dict":
      return dictType(at(0), at(1));
    case "Union":
      return unionType(inner);
    default:
      return t;
  }
}

/**
 * c10 unifyTypes (without default_to_union): the least type both may be used as, or null.
 *
 * Given a = int, b = NoneType.  Result: Optional[int]  (`x = 1 if c else None`)
 * Given a = Float(3), b = Float(4).  Result: Float(*)  (tensor details merged)
 */
export function unifyTypes(a: JitType, b: JitType): JitType | null {
  if (isSubtypeOf(a, b)) return b;
  if (isSubtypeOf(b, a)) return a;
  if (a.kind === "Tensor" && b.kind === "Tensor") return mergeTensorTypes(a, b);
  const aNone = isSubtypeOf(a, Types.none);
  const bNone = isSubtypeOf(b, Types.none);
  if (aNone && !bNone) return optionalType(b);
  if (bNone && !aNone) return optionalType(a);
  if (a.kind === "Optional") {
    const e = unifyTypes(a.element, b);
    if (e) return optionalType(e);
  } else if (b.kind === "Optional") {
    const e = unifyTypes(b.element, a);
    if (e) return optionalType(e);
  }
  if (a.kind === "Tuple" && b.kind === "Tuple") {
    if (a.elements.length !== b.elements.length) return null;
    const els: JitType[] = [];
    for (let i = 0; i < a.elements.length; i++) {
      const e = unifyTypes(a.elements[i]!, b.elements[i]!);
      if (!e) return null;
      els.push(e);
    }
    return tupleType(els);
  }
  if (a.kind === "Future" && b.kind === "Future") {
    const e = unifyTypes(a.element, b.element);
    if (e) return futureType(e);
  }
  // Mutable containers of differently specialized tensors unify to their unshaped form.
  const ua = unshapedType(a);
  const ub = unshapedType(b);
  if (isSubtypeOf(ua, ub)) return ub;
  if (isSubtypeOf(ub, ua)) return ua;
  return null;
}

/** Unifies a list of types left to right; throws with c10's message when one does not fit. */
export function unifyTypeList(types: readonly JitType[]): JitType {
  const first = types[0];
  if (first === undefined) throw new Error("Cannot get unified type from empty list");
  let acc: JitType = first;
  for (let i = 1; i < types.length; i++) {
    const next = unifyTypes(acc, types[i]!);
    if (!next) {
      throw new Error(
        `Could not unify type list since element ${i} of type ${typeStr(types[i]!)} did not match the types before it (${typeStr(acc)})`,
      );
    }
    acc = next;
  }
  return acc;
}

/**
 * `Optional[T]`. As in c10 an optional never nests: `Optional[Optional[int]]` is
 * `Optional[int]`.
 */
export function optionalType(element: JitType): JitType {
  if (element.kind === "Optional" || element.kind === "NoneType") return element;
  // c10 keeps Optional[Union[int, str]] an optional of the union (printed `Union(int, str)?`);
  // a union that already holds None is returned as it is.
  if (element.kind === "Union" && element.types.some((t) => t.kind === "NoneType")) return element;
  return Object.freeze<OptionalType>({ kind: "Optional", element });
}

/**
 * `Union[...]`, canonicalized as c10 does (union_type.cpp): nested unions and optionals are
 * flattened, `Scalar` becomes int/float/complex, members that unify are merged, the rest are
 * sorted by TypeKind then name. Two members one of which is None give `Optional[T]`; int,
 * float, complex and None give `Optional[Scalar]`; a single member is returned as itself.
 *
 * Given [str, int, NoneType].  Result: Union(int, NoneType, str)
 * Given [int, NoneType].       Result: int?
 */
export function unionType(members: readonly JitType[]): JitType {
  if (members.length === 0) throw new Error("Cannot create an empty Union");
  const flat: JitType[] = [];
  const flatten = (t: JitType): void => {
    if (t.kind === "Union") t.types.forEach(flatten);
    else if (t.kind === "Optional") {
      flatten(t.element);
      flat.push(Types.none);
    } else if (t.kind === "Scalar") flat.push(Types.int, Types.float, Types.complex);
    else flat.push(t);
  };
  members.forEach(flatten);
  const types = coalesce(flat);
  types.sort((x, y) => kindOrder(x) - kindOrder(y) || compare(typeStr(x), typeStr(y)));
  if (types.length === 1) return types[0]!;
  const has = (k: string): boolean => types.some((t) => t.kind === k);
  if (has("NoneType")) {
    if (types.length === 2) return optionalType(types.find((t) => t.kind !== "NoneType")!);
    if (types.length === 4 && has("int") && has("float") && has("complex")) {
      return Object.freeze<OptionalType>({ kind: "Optional", element: Types.scalar });
    }
  }
  return Object.freeze<UnionType>({ kind: "Union", types: Object.freeze(types) });
}

/** c10 filterDuplicateSubtypes: merges members that unify, never merging None into an optional. */
function coalesce(types: JitType[]): JitType[] {
  const out: JitType[] = [];
  for (const t of types) {
    const i = out.findIndex((o) => (o.kind === "NoneType") === (t.kind === "NoneType") && unifyTypes(o, t) !== null);
    if (i < 0) out.push(t);
    else out[i] = unifyTypes(out[i]!, t)!;
  }
  return out;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
