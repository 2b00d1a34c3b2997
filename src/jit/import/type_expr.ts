/**
 * Type annotations of code/ files (`List[Tensor]`, `Optional[int]`, `Tuple[()]`,
 * `__torch__.torch.nn.modules.linear.Linear`) read as JitTypes. Names are the
 * FORALL_BASE_PYTHON_TYPES table of TorchScript's script_type_parser; qualified names go to
 * the importer, which loads the class (and so learns whether it is a NamedTuple).
 */
import {
  Types, dictType, futureType, listType, optionalType, tensorType, tupleType, unionType, type JitType,
} from "../ir/index.js";
import type { Expr } from "./ast.js";

/** Bare type names; legacy tensor names (`LongTensor`) are all Tensor. */
const BASE_TYPES: Readonly<Record<string, JitType>> = {
  Tensor: Types.tensor, int: Types.int, float: Types.float, bool: Types.bool, str: Types.str,
  complex: { kind: "complex" }, number: Types.scalar, NoneType: Types.none, Any: { kind: "Any" },
  Device: Types.device, Stream: { kind: "Stream" }, Capsule: { kind: "Capsule" },
  Storage: { kind: "Storage" }, Generator: { kind: "Generator" }, ScalarType: Types.int, Layout: Types.int,
  MemoryFormat: Types.int,
};

const LEGACY_TENSORS = ["DoubleTensor", "FloatTensor", "HalfTensor", "ByteTensor", "CharTensor", "ShortTensor", "IntTensor", "LongTensor", "BoolTensor", "BFloat16Tensor"];

/** The dotted name an expression spells (`a.b.C`), or null when it is not one. */
export function dottedName(e: Expr): string | null {
  if (e.kind === "name") return e.name;
  if (e.kind === "attr") {
    const base = dottedName(e.base);
    return base === null ? null : `${base}.${e.name}`;
  }
  return null;
}

export type TypeFailure = (at: Expr, what: string) => never;

/**
 * Reads annotation `e`. `resolveClass` maps a qualified name to its type (a class, or the tuple
 * type of a NamedTuple), or returns null for an unknown name.
 */
export function annotationType(e: Expr, resolveClass: (qualifiedName: string) => JitType | null, fail: TypeFailure): JitType {
  const recur = (x: Expr) => annotationType(x, resolveClass, fail);
  if (e.kind === "none") return Types.none;
  if (e.kind === "subscript") {
    const ctor = dottedName(e.base);
    const args = e.index.kind === "tuple" ? e.index.items : [e.index];
    const one = (): JitType => {
      if (args.length !== 1) fail(e, `${ctor}[...] takes one type`);
      return recur(args[0]!);
    };
    switch (ctor) {
      case "List": return listType(one());
      case "Optional": return optionalType(one());
      case "Future": return futureType(one());
      case "Final": return one();
      case "Dict":
        if (args.length !== 2) fail(e, "Dict[...] takes a key and a value type");
        return dictType(recur(args[0]!), recur(args[1]!));
      case "Tuple": {
        // `Tuple[()]` is the empty tuple
        if (args.length === 1 && args[0]!.kind === "tuple" && args[0]!.items.length === 0) return tupleType([]);
        return tupleType(args.map(recur));
      }
      case "Union": return unionType(args.map(recur));
    }
    return fail(e, `unknown type constructor '${ctor ?? "?"}'`);
  }
  const name = dottedName(e);
  if (name === null) return fail(e, "expected a type");
  if (name === "None") return Types.none;
  const base = BASE_TYPES[name];
  if (base) return base;
  if (LEGACY_TENSORS.includes(name)) return tensorType();
  if (name === "list") return listType({ kind: "Any" });
  if (name === "tuple") return tupleType([]);
  const cls = resolveClass(name);
  if (cls) return cls;
  return fail(e, `Unknown type name '${name}'`);
}
