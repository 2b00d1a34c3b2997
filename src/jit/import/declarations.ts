/**
 * What a code/ file declares, before any method body is compiled: classes (their kind,
 * attributes with parameter/buffer flags, `Final` constants, methods' signatures, hooks,
 * NamedTuple fields, enum members) and free functions' signatures. Method calls and attribute
 * reads only need these, so classes that refer to each other compile without recursion.
 */
import { Types, type JitType } from "../ir/index.js";
import type { ClassDef, Expr, FuncDef } from "./ast.js";
import type { SourceFile } from "./lexer.js";
import { literalValue } from "./literals.js";
import { dottedName } from "./type_expr.js";

export type ClassKind = "module" | "class" | "namedtuple" | "enum" | "interface" | "moduleInterface";

// Maps, not object literals: names from an archive ("constructor", "__proto__") must not reach Object.prototype
const BASE_KINDS: ReadonlyMap<string, ClassKind> = new Map([
  ["Module", "module"], ["NamedTuple", "namedtuple"], ["Enum", "enum"], ["Interface", "interface"], ["ModuleInterface", "moduleInterface"],
]);

export interface ParamDecl {
  readonly name: string;
  readonly type: JitType;
  /** The default as a runtime value (src/jit/runtime/objects.ts), when the signature gives one. */
  readonly default: { readonly value: unknown } | null;
}

/** A method or free function: signature resolved, body still syntax. */
export interface FunctionDecl {
  readonly qualifiedName: string;
  readonly name: string;
  readonly file: SourceFile;
  readonly def: FuncDef;
  /** All parameters, `self` first for methods. */
  readonly params: readonly ParamDecl[];
  /** The annotated return type; null when the def has none (the body decides). */
  readonly returnType: JitType | null;
}

export interface AttributeDecl {
  readonly name: string;
  readonly type: JitType;
  readonly isParameter: boolean;
  readonly isBuffer: boolean;
}

export interface ConstantDecl {
  readonly name: string;
  readonly type: JitType;
  readonly value: unknown;
}

export interface ClassDecl {
  readonly kind: ClassKind;
  readonly qualifiedName: string;
  readonly file: SourceFile;
  /** A Class type, or the named tuple type of a NamedTuple. */
  readonly type: JitType;
  readonly attributes: readonly AttributeDecl[];
  readonly constants: readonly ConstantDecl[];
  /** Methods in file order (hook bodies included); interface methods have a `pass` body. */
  readonly methods: ReadonlyMap<string, FunctionDecl>;
  readonly forwardPreHooks: readonly string[];
  readonly forwardHooks: readonly string[];
  /** NamedTuple fields. */
  readonly fields: readonly { readonly name: string; readonly type: JitType }[];
  /** Enum members and the type of their values. */
  readonly enumMembers: readonly { readonly name: string; readonly value: unknown }[];
  /** int, float or str for an Enum (every member's literal has it); null for other classes. */
  readonly enumValueType: JitType | null;
}

/** The literal kinds an Enum member may have (TorchScript enums hold int, float or str). */
const ENUM_VALUE_TYPES: Readonly<Record<string, JitType>> = { int: Types.int, float: Types.float, str: Types.str };

export interface DeclarationContext {
  readonly file: SourceFile;
  resolveType(e: Expr): JitType;
  /** The member a default argument names (`s: __torch__.Scale=__torch__.Scale.HALF`), as a runtime value; null when `e` names no Enum. */
  enumMember(e: Expr): unknown;
  fail(at: { readonly at: { line: number; column: number } }, what: string): never;
}

export function classKindOf(def: ClassDef): ClassKind {
  if (def.base === null) return "class";
  const k = BASE_KINDS.get(def.base);
  if (!k) throw new Error(`unreachable: checked by declareClass`);
  return k;
}

export function declareFunction(ctx: DeclarationContext, qualifiedName: string, def: FuncDef, selfType: JitType | null): FunctionDecl {
  const params = def.params.map((p, i): ParamDecl => {
    const type = p.annotation ? ctx.resolveType(p.annotation) : i === 0 && selfType ? selfType : Types.tensor;
    const dflt = p.default ? { value: defaultValue(ctx, p.default) } : null;
    return { name: p.name, type, default: dflt };
  });
  return { qualifiedName, name: def.name, file: ctx.file, def, params, returnType: def.returns ? ctx.resolveType(def.returns) : null };
}

function defaultValue(ctx: DeclarationContext, e: Expr): unknown {
  const member = e.kind === "attr" ? ctx.enumMember(e) : null;
  return member ?? literalValue(e, (at, what) => ctx.fail(at, what));
}

/** A string list (`["weight", "bias", ]`) in a class body. */
function nameList(ctx: DeclarationContext, e: Expr): string[] {
  if (e.kind !== "list" || !e.items.every((x) => x.kind === "str")) ctx.fail(e, "expected a list of strings");
  return e.items.map((x) => (x as { value: string }).value);
}

/** Reads a class body (torchscript-format.md §8.1: classitem). */
export function declareClass(ctx: DeclarationContext, qualifiedName: string, def: ClassDef, namedTupleType: (fields: { name: string; type: JitType }[]) => JitType, classType: JitType): ClassDecl {
  if (def.base !== null && !BASE_KINDS.has(def.base)) ctx.fail(def, `unknown base class '${def.base}' (expected Module, NamedTuple, Enum, Interface or ModuleInterface)`);
  const kind = classKindOf(def);
  let parameters: string[] = [];
  let buffers: string[] = [];
  let preHooks: string[] = [];
  let hooks: string[] = [];
  const declared: { name: string; type: JitType }[] = [];
  const constants: ConstantDecl[] = [];
  const methods = new Map<string, FunctionDecl>();
  const enumMembers: { name: string; value: unknown }[] = [];
  let enumValueType: JitType | null = null;
  const lists: Record<string, (names: string[]) => void> = {
    __parameters__: (n) => (parameters = n),
    __buffers__: (n) => (buffers = n),
    __forward_pre_hooks__: (n) => (preHooks = n),
    __forward_hooks__: (n) => (hooks = n),
  };
  for (const s of def.body) {
    if (s.kind === "pass") continue;
    if (s.kind === "def") {
      methods.set(s.name, declareFunction(ctx, `${qualifiedName}.${s.name}`, s, classType));
      continue;
    }
    if (s.kind !== "assign") ctx.fail(s, "expected an attribute declaration, a constant or a method in a class body");
    const target = s.target;
    if (target.kind === "name" && s.annotation === null && s.value) {
      const set = Object.prototype.hasOwnProperty.call(lists, target.name) ? lists[target.name] : undefined;
      if (set) {
        set(nameList(ctx, s.value));
        continue;
      }
      if (target.name === "__annotations__") continue; // `__annotations__ = []` starts the dict
      if (kind === "enum") {
        enumValueType = enumMemberType(ctx, s.value, enumValueType);
        enumMembers.push({ name: target.name, value: enumMemberValue(literalValue(s.value, (at, what) => ctx.fail(at, what))) });
        continue;
      }
      ctx.fail(s, `unexpected assignment to '${target.name}' in a class body`);
    }
    if (target.kind === "subscript" && dottedName(target.base) === "__annotations__" && target.index.kind === "str" && s.value) {
      declared.push({ name: target.index.value, type: ctx.resolveType(s.value) });
      continue;
    }
    if (target.kind !== "name" || !s.annotation) ctx.fail(s, "expected `name : Type` in a class body");
    const isFinal = s.annotation.kind === "subscript" && dottedName(s.annotation.base) === "Final";
    if (isFinal) {
      if (!s.value) ctx.fail(s, `the constant '${target.name}' needs a value`);
      constants.push({ name: target.name, type: ctx.resolveType(s.annotation), value: literalValue(s.value, (at, what) => ctx.fail(at, what)) });
    } else declared.push({ name: target.name, type: ctx.resolveType(s.annotation) });
  }
  // fields spelled out: an object spread here was a measurable share of loading (V8's clone path)
  const attributes = declared.map((d) => ({ name: d.name, type: d.type, isParameter: parameters.includes(d.name), isBuffer: buffers.includes(d.name) }));
  const type = kind === "namedtuple" ? namedTupleType(declared) : classType;
  return {
    kind, qualifiedName, file: ctx.file, type, attributes, constants, methods,
    forwardPreHooks: preHooks, forwardHooks: hooks, fields: kind === "namedtuple" ? declared : [], enumMembers,
    enumValueType: kind === "enum" ? enumValueType ?? Types.int : null,
  };
}

/** The type of an Enum member's literal, which must be the type of the members before it. */
function enumMemberType(ctx: DeclarationContext, e: Expr, before: JitType | null): JitType {
  const t = e.kind === "unary" && e.op === "-" ? ENUM_VALUE_TYPES[e.operand.kind] : ENUM_VALUE_TYPES[e.kind];
  if (!t) return ctx.fail(e, "an Enum member's value must be an int, float or str literal");
  if (before && before.kind !== t.kind) ctx.fail(e, `Enum members must all have one value type: ${before.kind} before, ${t.kind} here`);
  return t;
}

/** Ints are JS numbers at run time (src/jit/runtime/objects.ts). */
function enumMemberValue(v: unknown): unknown {
  return typeof v === "bigint" ? Number(v) : v;
}
