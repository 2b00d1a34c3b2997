/**
 * TypeScript annotations as TorchScript types (Note [annotations]):
 *
 *   Tensor, torch.Tensor          Tensor         int                      int
 *   float, number                 float          boolean                  bool
 *   string                        str            void, null, undefined    NoneType
 *   [A, B]                        Tuple[A, B]    T[], Array<T>            List[T]
 *   Map<K, V>, Record<K, V>       Dict[K, V]     T | null, T | undefined  Optional[T]
 *   Optional<T>                   Optional[T]    Final<T>                 T (a constant)
 *
 * An unannotated parameter is a Tensor, as in TorchScript. `number` is float because that is
 * what a JS number holds; write `int` (an exported alias of number) for TorchScript's int.
 */
import type TS from "typescript";
import { lazyTypescript as ts } from "../../util/typescript.js";
import {
  Types, dictType, listType, optionalType, tupleType, unionType, type JitType,
} from "../ir/index.js";
import { scriptError } from "./errors.js";
import type { SourceText } from "./source.js";

const NAMED: Readonly<Record<string, JitType>> = {
  Tensor: Types.tensor,
  Parameter: Types.tensor,
  int: Types.int,
  float: Types.float,
  number: Types.float,
  bool: Types.bool,
  boolean: Types.bool,
  str: Types.str,
  string: Types.str,
  Device: Types.device,
  Any: Types.any,
};

function typeName(n: TS.EntityName): string {
  return ts.isIdentifier(n) ? n.text : n.right.text; // torch.Tensor -> Tensor
}

function args(src: SourceText, node: TS.TypeReferenceNode, count: number): JitType[] {
  const a = node.typeArguments ?? [];
  if (a.length !== count) throw scriptError(src, node, `${typeName(node.typeName)} takes ${count} type argument${count > 1 ? "s" : ""}`);
  return a.map((t) => resolveType(src, t));
}

/** The TorchScript type of a TypeScript annotation; a ScriptError names what is not supported. */
export function resolveType(src: SourceText, node: TS.TypeNode): JitType {
  switch (node.kind) {
    case ts.SyntaxKind.NumberKeyword:
      return Types.float;
    case ts.SyntaxKind.BooleanKeyword:
      return Types.bool;
    case ts.SyntaxKind.StringKeyword:
      return Types.str;
    case ts.SyntaxKind.VoidKeyword:
    case ts.SyntaxKind.UndefinedKeyword:
      return Types.none;
    case ts.SyntaxKind.AnyKeyword:
      return Types.any;
  }
  if (ts.isLiteralTypeNode(node) && node.literal.kind === ts.SyntaxKind.NullKeyword) return Types.none;
  if (ts.isParenthesizedTypeNode(node)) return resolveType(src, node.type);
  if (ts.isArrayTypeNode(node)) return listType(resolveType(src, node.elementType));
  if (ts.isTupleTypeNode(node)) {
    return tupleType(node.elements.map((e) => resolveType(src, ts.isNamedTupleMember(e) ? e.type : e)));
  }
  if (ts.isTypeOperatorNode(node) && node.operator === ts.SyntaxKind.ReadonlyKeyword) return resolveType(src, node.type);
  if (ts.isUnionTypeNode(node)) {
    const nullish = (t: TS.TypeNode) =>
      t.kind === ts.SyntaxKind.UndefinedKeyword || (ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword);
    const rest = node.types.filter((t) => !nullish(t)).map((t) => resolveType(src, t));
    const inner = rest.length === 1 ? rest[0]! : unionType(rest);
    return rest.length < node.types.length ? optionalType(inner) : inner;
  }
  if (ts.isTypeReferenceNode(node)) {
    const name = typeName(node.typeName);
    const simple = NAMED[name];
    if (simple && !node.typeArguments) return simple;
    switch (name) {
      case "Array":
      case "ReadonlyArray":
        return listType(args(src, node, 1)[0]!);
      case "Map":
      case "Record":
      case "Dict": {
        const [k, v] = args(src, node, 2);
        return dictType(k!, v!);
      }
      case "Optional":
        return optionalType(args(src, node, 1)[0]!);
      case "Final":
        return args(src, node, 1)[0]!;
      case "BroadcastingList1":
      case "BroadcastingList2":
      case "BroadcastingList3":
        return listType(args(src, node, 1)[0]!);
    }
  }
  throw scriptError(src, node, `Unknown type annotation '${node.getText(src.sourceFile)}' (TorchScript types: Tensor, int, float, boolean, string, tuples, T[], Map<string, T>, T | null)`);
}

/** N for a `BroadcastingListN<T>` annotation (or `BroadcastingListN<T> | null`), else null. */
export function broadcastLength(node: TS.TypeNode): number | null {
  if (ts.isUnionTypeNode(node)) {
    for (const t of node.types) {
      const n = broadcastLength(t);
      if (n !== null) return n;
    }
    return null;
  }
  if (!ts.isTypeReferenceNode(node)) return null;
  const m = /^BroadcastingList([123])$/.exec(typeName(node.typeName));
  return m ? Number(m[1]) : null;
}

/** The declared type of a parameter or variable; unannotated parameters are Tensors. */
export function annotatedType(src: SourceText, type: TS.TypeNode | undefined, fallback: JitType | null): JitType | null {
  return type ? resolveType(src, type) : fallback;
}
