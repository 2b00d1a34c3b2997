/**
 * Expressions of code/ files → graph values (TorchScript's ir_emitter with the import
 * environment of import_source.cpp, §8.9 of torchscript-format.md): `torch.X` and `ops.ns.X`
 * are registry ops matched by schema (the script frontend's call_schema.ts), `__torch__.a.b.C`
 * names classes and functions the importer loads, `CONSTANTS.cN` reads the constant table, and
 * `annotate`, `unchecked_cast`, `uninitialized`, `isinstance`, `getattr` are special forms.
 * Variables are prim::Store / prim::Load through the frontend's Environment.
 */
import {
  Attr, Types, constantValue, insertConstant, isSubtypeOf, listType, dictType, tupleType, unifyTypes,
  type ConstantValue, type Graph, type JitType, type Value,
} from "../ir/index.js";
import { REGISTRY } from "../../tensor/registry.js";
import { callResult, emitBuiltinCall, SchemaMatchError, type CallArgs } from "../frontend/call_schema.js";
import type { Environment } from "../frontend/environment.js";
import type { Expr } from "./ast.js";
import type { ClassDecl, FunctionDecl } from "./declarations.js";
import type { SourceFile } from "./lexer.js";
import { literalConstant } from "./literals.js";
import { dottedName } from "./type_expr.js";

/** What the emitter needs from the importer. */
export interface EmitContext {
  resolveType(e: Expr): JitType;
  /** What a qualified name (`__torch__.a.B`) denotes, loading its file on first use. */
  lookup(qualifiedName: string): { readonly kind: "class"; readonly decl: ClassDecl } | { readonly kind: "function"; readonly decl: FunctionDecl } | null;
  /** The declaration of the class a Class type names. */
  classOf(type: JitType): ClassDecl | null;
  /** A function's return type: its annotation, or its compiled graph's output. */
  returnTypeOf(fn: FunctionDecl): JitType;
  /** Entry N of constants.pkl as a constant node value. */
  constant(index: number): ConstantValue | null;
  /** Whether `name` is a qualifier with a code file (`mypkg` for classes saved as `mypkg.M`). */
  isQualifier(name: string): boolean;
  /** The operator-set version the code was written against (the archive's version record). */
  readonly operatorVersion?: number;
}

/** What a name denotes before it is a value (TorchScript's SugaredValue). */
export type Sugared =
  | { readonly kind: "value"; readonly value: Value }
  | { readonly kind: "namespace"; readonly path: string }
  | { readonly kind: "builtin"; readonly op: string; readonly self: Value | null }
  | { readonly kind: "class"; readonly decl: ClassDecl }
  | { readonly kind: "method"; readonly self: Value; readonly decl: FunctionDecl }
  | { readonly kind: "special"; readonly name: string }
  | { readonly kind: "new"; readonly decl: ClassDecl }
  | { readonly kind: "constants" };

const value = (v: Value): Sugared => ({ kind: "value", value: v });

/** Special forms and Python builtins (§8.9); anything not here that is a name is a variable. */
const SPECIAL_FORMS = new Set(["annotate", "unchecked_cast", "uninitialized", "isinstance", "getattr", "hasattr", "range", "print"]);
const BUILTIN_FUNCTIONS: Readonly<Record<string, string>> = {
  len: "aten::len", int: "aten::Int", float: "aten::Float", bool: "aten::Bool", str: "aten::str", sorted: "aten::sorted",
  min: "aten::min", max: "aten::max", abs: "aten::abs", pow: "aten::pow", round: "aten::round", divmod: "aten::divmod",
  ord: "aten::ord", chr: "aten::chr", hex: "aten::hex", oct: "aten::oct", bin: "aten::bin", all: "aten::all",
  any: "aten::any", sum: "aten::sum", list: "aten::list", dict: "aten::dict", hash: "aten::hash", id: "aten::id",
  complex: "aten::Complex",
};

export const BINARY_OPS: Readonly<Record<string, string>> = {
  "+": "aten::add", "-": "aten::sub", "*": "aten::mul", "/": "aten::div", "//": "aten::floordiv", "%": "aten::remainder",
  "**": "aten::pow", "@": "aten::matmul", "&": "aten::__and__", "|": "aten::__or__", "^": "aten::__xor__",
  "<<": "aten::__lshift__", ">>": "aten::__rshift__", "<": "aten::lt", ">": "aten::gt", "<=": "aten::le", ">=": "aten::ge",
  "==": "aten::eq", "!=": "aten::ne", is: "aten::__is__", "is not": "aten::__isnot__",
};

/** Ops that are graph vocabulary rather than registry entries: their outputs. */
const PRIM_WITHOUT_SCHEMA: Readonly<Record<string, readonly JitType[]>> = {
  "prim::RaiseException": [],
  "prim::Print": [],
};

export class ExprEmitter {
  constructor(
    readonly g: Graph,
    readonly env: Environment,
    readonly file: SourceFile,
    readonly ctx: EmitContext,
  ) {}

  fail(at: { readonly at: { line: number; column: number } } | { line: number; column: number }, what: string): never {
    throw this.file.error("at" in at ? at.at : at, what);
  }

  constant(c: ConstantValue): Value {
    return insertConstant(this.g, c);
  }

  value(e: Expr, hint: JitType | null = null): Value {
    return this.asValue(e, this.sugared(e, hint));
  }

  asValue(e: Expr, s: Sugared): Value {
    if (s.kind === "value") return s.value;
    // `__torch__.Nope.RED`: a qualified name no code file defines (an Enum member's class among them)
    if (s.kind === "namespace" && s.path.includes(".") && !s.path.startsWith("torch.") && !s.path.startsWith("ops.")) {
      return this.fail(e, `'${s.path}' is not defined: no code file of the archive has a class, function or Enum member of that name`);
    }
    return this.fail(e, `${describe(s)} cannot be used as a value`);
  }

  sugared(e: Expr, hint: JitType | null = null): Sugared {
    switch (e.kind) {
      case "int": return value(this.constant({ type: "int", value: e.value }));
      case "float": return value(this.constant({ type: "float", value: e.value }));
      case "str": return value(this.constant({ type: "str", value: e.value }));
      case "bool": return value(this.constant({ type: "bool", value: e.value }));
      case "none": return value(this.constant({ type: "None" }));
      case "name": return this.name(e, e.name);
      case "attr": return this.attribute(e, this.sugared(e.base), e.name);
      case "call": return this.call(e, hint);
      case "subscript": return value(this.subscript(e));
      case "tuple": return value(this.tupleLiteral(e.items, hint));
      case "list": return value(this.listLiteral(e, e.items, hint));
      case "dict": return value(this.dictLiteral(e, hint));
      case "binary": return value(this.binary(e, e.op, e.left, e.right));
      case "unary": return value(this.unary(e, e.op, e.operand));
      case "boolop": return value(this.shortCircuit(e.op, e.left, e.right));
      case "ifexp": return value(this.conditional(e.cond, e.then, e.orelse, hint));
      case "slice": return this.fail(e, "a slice is only allowed inside []");
    }
  }

  // ---- names ----

  private name(e: Expr, name: string): Sugared {
    const v = this.env.load(name);
    if (v) return value(v);
    switch (name) {
      case "torch": case "ops": case "__torch__": return { kind: "namespace", path: name };
      case "CONSTANTS": return { kind: "constants" };
      case "inf": return value(this.constant({ type: "float", value: Infinity }));
      case "nan": return value(this.constant({ type: "float", value: NaN }));
    }
    if (SPECIAL_FORMS.has(name)) return { kind: "special", name };
    const op = BUILTIN_FUNCTIONS[name];
    if (op) return { kind: "builtin", op, self: null };
    if (this.ctx.isQualifier(name)) return { kind: "namespace", path: name };
    return this.fail(e, `undefined value ${name}`);
  }

  private attribute(e: Expr, base: Sugared, name: string): Sugared {
    switch (base.kind) {
      case "namespace": return this.namespaceMember(base.path, name);
      case "constants": {
        const m = /^c(\d+)$/.exec(name);
        const c = m ? this.ctx.constant(Number(m[1])) : null;
        if (!c) return this.fail(e, m ? `constant index ${m[1]} is out of bounds` : `'${name}' is not a constant name (expected cN)`);
        return value(this.constant(c));
      }
      case "value": return this.valueAttribute(e, base.value, name);
      case "class": {
        if (name === "__new__") return { kind: "new", decl: base.decl };
        if (base.decl.kind === "enum") return value(this.enumMember(e, base.decl, name));
        return this.fail(e, `'${base.decl.qualifiedName}' has no attribute '${name}'`);
      }
      default: return this.fail(e, `${describe(base)} has no attribute '${name}'`);
    }
  }

  /** `torch.add`, `ops.prim.dtype`, `__torch__.a.b.C`: ops, classes, functions, or a longer path. */
  private namespaceMember(path: string, name: string): Sugared {
    const full = `${path}.${name}`;
    if (path === "torch") return name === "autograd" ? { kind: "namespace", path: full } : { kind: "builtin", op: `aten::${name}`, self: null };
    if (path === "torch.autograd") return { kind: "builtin", op: `aten::${name}`, self: null };
    if (path === "ops") return { kind: "namespace", path: full };
    if (path.startsWith("ops.")) return { kind: "builtin", op: `${path.slice(4)}::${name}`, self: null };
    const found = this.ctx.lookup(full);
    if (found?.kind === "class") return { kind: "class", decl: found.decl };
    if (found?.kind === "function") {
      const f = this.g.insert("prim::Constant", [], [{ kind: "Function", name: found.decl.qualifiedName }]);
      f.setAttr("name", Attr.s(found.decl.name));
      return value(f.output());
    }
    return { kind: "namespace", path: full };
  }

  /** `__torch__.Color.RED`: an enum constant holding the member's value (c10's EnumHolder). */
  private enumMember(e: Expr, decl: ClassDecl, name: string): Value {
    const member = decl.enumMembers.find((m) => m.name === name);
    if (!member) return this.fail(e, `Enum '${decl.qualifiedName}' has no member '${name}'`);
    const v = member.value;
    if (typeof v !== "number" && typeof v !== "string") return this.fail(e, `Enum member ${decl.qualifiedName}.${name} has a value of unsupported type`);
    return this.constant({ type: "Enum", value: { enumName: decl.qualifiedName, name, value: v } });
  }

  /** `(c).value` is prim::EnumValue, `(c).name` prim::EnumName (ir_emitter's EnumSugaredValue attributes). */
  private enumAttribute(e: Expr, v: Value, decl: ClassDecl, name: string): Value {
    if (name === "value") return this.g.insert("prim::EnumValue", [v], [decl.enumValueType ?? Types.int]).output();
    if (name === "name") return this.g.insert("prim::EnumName", [v], [Types.str]).output();
    return this.fail(e, `Enum '${decl.qualifiedName}' values have no attribute '${name}' (only .value and .name)`);
  }

  private valueAttribute(e: Expr, v: Value, name: string): Sugared {
    const t = v.type;
    if (t.kind === "Tuple" && t.named) {
      const i = t.named.fields.indexOf(name);
      if (i < 0) return this.fail(e, `the named tuple has no field '${name}'`);
      return value(this.g.insert("prim::TupleIndex", [v, this.constant({ type: "int", value: i })], [t.elements[i]!]).output());
    }
    const cls = this.ctx.classOf(t);
    if (cls?.kind === "enum") return value(this.enumAttribute(e, v, cls, name));
    if (cls) {
      const k = cls.constants.find((c) => c.name === name);
      const kc = k ? literalConstant(k.value, k.type) : null;
      if (kc) return value(this.constant(kc));
      const attr = cls.attributes.find((a) => a.name === name);
      if (attr) return value(this.getAttr(v, name, attr.type));
      const method = cls.methods.get(name);
      if (method) return { kind: "method", self: v, decl: method };
      return this.fail(e, `'${cls.qualifiedName}' has no attribute or method '${name}'`);
    }
    if (t.kind === "Class" || t.kind === "Enum") return this.fail(e, `unknown class '${t.name}'`);
    // tensor, list, str, dict methods: `x.add(y)` is aten::add(x, y)
    return { kind: "builtin", op: `aten::${name}`, self: v };
  }

  getAttr(obj: Value, name: string, type: JitType): Value {
    const n = this.g.insert("prim::GetAttr", [obj], [type]);
    n.setAttr("name", Attr.s(name));
    n.output().setDebugName(isIdentifier(name) ? name : `_${name}`);
    return n.output();
  }

  // ---- calls ----

  builtin(at: Expr, op: string, args: CallArgs): Value {
    if (!REGISTRY.has(op)) {
      const outs = PRIM_WITHOUT_SCHEMA[op];
      if (!outs) return this.fail(at, `Unknown builtin op: ${op}`);
      if (args.keywords.size) this.fail(at, `${op} takes no keyword arguments`);
      const n = this.g.insert(op, args.positional.slice(), outs.slice());
      return n.outputs[0] ?? this.constant({ type: "None" });
    }
    try {
      const n = emitBuiltinCall(this.g, op, args);
      return callResult(this.g, n) ?? this.constant({ type: "None" });
    } catch (err) {
      if (err instanceof SchemaMatchError) this.fail(at, err.message);
      throw err;
    }
  }

  private callArgs(e: Extract<Expr, { kind: "call" }>, self: Value | null, hints: readonly (JitType | null)[] = []): CallArgs {
    const positional = self ? [self] : [];
    e.args.forEach((a, i) => positional.push(this.value(a, hints[i] ?? null)));
    const keywords = new Map<string, Value>();
    for (const k of e.kwargs) keywords.set(k.name, this.value(k.value));
    return { positional, keywords };
  }

  private call(e: Extract<Expr, { kind: "call" }>, hint: JitType | null): Sugared {
    const callee = this.sugared(e.callee);
    switch (callee.kind) {
      case "builtin": {
        // torch.device("cpu") is a Device constant
        if (callee.op === "aten::device" && e.args.length === 1 && e.args[0]!.kind === "str" && !callee.self) {
          return value(this.constant({ type: "Device", value: e.args[0]!.value }));
        }
        return value(this.builtin(e, callee.op, this.callArgs(e, callee.self)));
      }
      case "special": return value(this.specialForm(e, callee.name, hint));
      case "method": return value(this.callMethod(e, callee.self, callee.decl));
      case "class": return value(this.construct(e, callee.decl));
      case "new": return value(this.g.insert("prim::CreateObject", [], [callee.decl.type]).output());
      case "value": {
        const t = callee.value.type;
        if (t.kind === "Function" && t.name) {
          const found = this.ctx.lookup(t.name);
          if (found?.kind === "function") return value(this.callFunction(e, callee.value, found.decl));
        }
        const cls = this.ctx.classOf(t);
        const fwd = cls?.methods.get("forward");
        if (fwd) return value(this.callMethod(e, callee.value, fwd));
        return this.fail(e, `a value of type ${describeType(t)} is not callable`);
      }
      default: return this.fail(e, `${describe(callee)} is not callable`);
    }
  }

  /** Binds a call's arguments to a declared signature (all given, or taken from the defaults). */
  private bindSignature(e: Extract<Expr, { kind: "call" }>, decl: FunctionDecl, skipSelf: boolean): Value[] {
    const params = skipSelf ? decl.params.slice(1) : decl.params;
    if (e.args.length > params.length) this.fail(e, `${decl.qualifiedName}() expected at most ${params.length} argument(s) but received ${e.args.length}`);
    const given: (Value | undefined)[] = e.args.map((a, i) => this.value(a, params[i]!.type));
    for (const k of e.kwargs) {
      const i = params.findIndex((p) => p.name === k.name);
      if (i < 0) this.fail(k.value, `${decl.qualifiedName}() got an unexpected keyword argument '${k.name}'`);
      given[i] = this.value(k.value, params[i]!.type);
    }
    return params.map((p, i) => {
      const v = given[i];
      if (v) return v;
      const c = p.default ? literalConstant(p.default.value, p.type) : null;
      if (!c) return this.fail(e, `${decl.qualifiedName}() is missing argument '${p.name}'`);
      return this.constant(c);
    });
  }

  private callMethod(e: Extract<Expr, { kind: "call" }>, self: Value, decl: FunctionDecl): Value {
    const args = this.bindSignature(e, decl, true);
    const n = this.g.insert("prim::CallMethod", [self, ...args], [this.ctx.returnTypeOf(decl)]);
    n.setAttr("name", Attr.s(decl.name));
    return n.output();
  }

  private callFunction(e: Extract<Expr, { kind: "call" }>, fn: Value, decl: FunctionDecl): Value {
    const args = this.bindSignature(e, decl, false);
    return this.g.insert("prim::CallFunction", [fn, ...args], [this.ctx.returnTypeOf(decl)]).output();
  }

  /** `__torch__.PairOut(a, b)` builds a named tuple; `__torch__.C.__new__(...)` is handled as a method form. */
  private construct(e: Extract<Expr, { kind: "call" }>, decl: ClassDecl): Value {
    if (decl.kind !== "namedtuple") return this.fail(e, `constructing '${decl.qualifiedName}' directly is not supported: use __new__ and __init__`);
    const items = e.args.map((a, i) => this.value(a, decl.fields[i]?.type ?? null));
    if (items.length !== decl.fields.length) this.fail(e, `${decl.qualifiedName}() takes ${decl.fields.length} arguments but ${items.length} were given`);
    return this.g.insert("prim::TupleConstruct", items, [decl.type]).output();
  }

  // ---- special forms ----

  private specialForm(e: Extract<Expr, { kind: "call" }>, name: string, hint: JitType | null): Value {
    const arg = (i: number): Expr => e.args[i] ?? this.fail(e, `${name}() needs ${i + 1} argument(s)`);
    switch (name) {
      case "uninitialized":
        return this.g.insert("prim::Uninitialized", [], [this.ctx.resolveType(arg(0))]).output();
      case "unchecked_cast":
        return this.g.insert("prim::unchecked_cast", [this.value(arg(1))], [this.ctx.resolveType(arg(0))]).output();
      case "annotate": {
        const t = this.ctx.resolveType(arg(0));
        const v = this.value(arg(1), t);
        if (!isSubtypeOf(v.type, t)) this.fail(e, `annotate: a value of type ${describeType(v.type)} is not a ${describeType(t)}`);
        return v;
      }
      case "isinstance": {
        const v = this.value(arg(0));
        const spec = arg(1);
        const types = (spec.kind === "tuple" ? spec.items : [spec]).map((x) => this.ctx.resolveType(x));
        if (types.some((t) => isSubtypeOf(v.type, t))) return this.constant({ type: "bool", value: true });
        const n = this.g.insert("prim::isinstance", [v], [Types.bool]);
        n.setAttr("types", Attr.tys(types));
        return n.output();
      }
      case "getattr":
      case "hasattr": {
        const obj = this.value(arg(0));
        const field = arg(1);
        if (field.kind !== "str") return this.fail(field, `${name}() needs a string literal attribute name`);
        const cls = this.ctx.classOf(obj.type);
        if (name === "hasattr") return this.constant({ type: "bool", value: !!cls && (cls.attributes.some((a) => a.name === field.value) || cls.methods.has(field.value)) });
        return this.asValue(e, this.valueAttribute(e, obj, field.value));
      }
      case "print": {
        const args = e.args.map((a) => this.value(a));
        this.g.insert("prim::Print", args, 0);
        return this.constant({ type: "None" });
      }
      default:
        return this.fail(e, `${name}() can only be used as a for loop's iterable`);
    }
  }

  // ---- literals, indexing, operators ----

  private tupleLiteral(items: readonly Expr[], hint: JitType | null): Value {
    const hints = hint?.kind === "Tuple" ? hint.elements : [];
    const vs = items.map((x, i) => this.value(x, hints[i] ?? null));
    const type = hint?.kind === "Tuple" && hint.named ? hint : tupleType(vs.map((v) => v.type));
    return this.g.insert("prim::TupleConstruct", vs, [type]).output();
  }

  private listLiteral(at: Expr, items: readonly Expr[], hint: JitType | null): Value {
    const h = hint?.kind === "Optional" ? hint.element : hint;
    const elemHint = h?.kind === "List" ? h.element : null;
    const vs = items.map((x) => this.value(x, elemHint));
    let elem = elemHint;
    if (!elem) {
      // an empty list without annotate(...) is a List[Tensor], as in TorchScript
      elem = vs.length === 0 ? Types.tensor : vs.reduce<JitType | null>((t, v) => (t ? unifyTypes(t, v.type) : null), vs[0]!.type);
      if (!elem) this.fail(at, "the items of a list literal have different types: use annotate(List[T], [...])");
    }
    for (const v of vs) if (!isSubtypeOf(v.type, elem)) this.fail(at, `a list item of type ${describeType(v.type)} is not a ${describeType(elem)}`);
    return this.g.insert("prim::ListConstruct", vs, [listType(elem)]).output();
  }

  private dictLiteral(e: Extract<Expr, { kind: "dict" }>, hint: JitType | null): Value {
    const h = hint?.kind === "Optional" ? hint.element : hint;
    const kh = h?.kind === "Dict" ? h.key : null;
    const vh = h?.kind === "Dict" ? h.value : null;
    const inputs: Value[] = [];
    for (const [k, v] of e.entries) inputs.push(this.value(k, kh), this.value(v, vh));
    const key = kh ?? (inputs[0]?.type ?? Types.str);
    const val = vh ?? (inputs[1]?.type ?? Types.tensor);
    return this.g.insert("prim::DictConstruct", inputs, [dictType(key, val)]).output();
  }

  private subscript(e: Extract<Expr, { kind: "subscript" }>): Value {
    const base = this.value(e.base);
    const t = base.type;
    const idx = e.index;
    if (t.kind === "Tuple") {
      if (idx.kind === "slice") {
        const bound = (x: Expr | null, dflt: number) => (x === null ? dflt : x.kind === "int" ? Number(x.value) : this.fail(x, "tuple slices need integer literals"));
        const n = t.elements.length;
        const norm = (i: number) => Math.max(0, Math.min(n, i < 0 ? i + n : i));
        const beg = norm(bound(idx.start, 0));
        const end = norm(bound(idx.end, n));
        const s = this.g.insert("prim::TupleSlice", [base], [tupleType(t.elements.slice(beg, end))]);
        s.setAttr("beg", Attr.i(beg));
        s.setAttr("end", Attr.i(end));
        return s.output();
      }
      const iv = this.value(idx);
      const c = constantValue(iv.node);
      if (c?.type !== "int") return this.fail(idx, "tuples can only be indexed with integer constants");
      const n = t.elements.length;
      const k = Number(c.value) < 0 ? Number(c.value) + n : Number(c.value);
      if (k < 0 || k >= n) this.fail(idx, `tuple index out of range: the tuple has ${n} elements`);
      return this.g.insert("prim::TupleIndex", [base, iv], [t.elements[k]!]).output();
    }
    if (idx.kind === "slice") {
      const part = (x: Expr | null) => (x ? this.value(x) : this.constant({ type: "None" }));
      const args = [base, part(idx.start), part(idx.end), idx.step ? this.value(idx.step) : this.constant({ type: "int", value: 1 })];
      if (t.kind === "Tensor") return this.builtin(e, "aten::slice", { positional: [base, this.constant({ type: "int", value: 0 }), ...args.slice(1)], keywords: new Map() });
      return this.builtin(e, "aten::slice", { positional: args, keywords: new Map() });
    }
    const index = this.value(idx);
    if (t.kind === "Tensor") return this.builtin(e, "aten::select", { positional: [base, this.constant({ type: "int", value: 0 }), index], keywords: new Map() });
    return this.builtin(e, "aten::__getitem__", { positional: [base, index], keywords: new Map() });
  }

  private binary(e: Expr, op: string, left: Expr, right: Expr): Value {
    if (op === "in" || op === "not in") {
      const contains = this.builtin(e, "aten::__contains__", { positional: [this.value(right), this.value(left)], keywords: new Map() });
      return op === "in" ? contains : this.builtin(e, "aten::__not__", { positional: [contains], keywords: new Map() });
    }
    const aten = BINARY_OPS[op];
    if (!aten) return this.fail(e, `operator '${op}' is not supported`);
    return this.builtin(e, aten, { positional: [this.value(left), this.value(right)], keywords: new Map() });
  }

  private unary(e: Expr, op: string, operand: Expr): Value {
    if (op === "not") return this.builtin(e, "aten::__not__", { positional: [this.condition(operand)], keywords: new Map() });
    const v = this.value(operand);
    if (op === "+") return v;
    return this.builtin(e, op === "-" ? "aten::neg" : "aten::bitwise_not", { positional: [v], keywords: new Map() });
  }

  /** A condition: bool as it is, numbers and tensors through aten::Bool. */
  condition(e: Expr): Value {
    const v = this.value(e);
    if (v.type.kind === "bool") return v;
    if (v.type.kind === "Tensor" || v.type.kind === "int" || v.type.kind === "float") {
      return this.builtin(e, "aten::Bool", { positional: [v], keywords: new Map() });
    }
    return this.fail(e, `expected a bool condition but found a value of type ${describeType(v.type)}`);
  }

  /** Runs `fn` with `block` as the insertion point and a frame of its own. */
  inBlock<T>(block: import("../ir/index.js").Block, fn: () => T): T {
    this.env.push(block);
    try {
      return this.g.withInsertPoint(block, fn);
    } finally {
      this.env.pop();
    }
  }

  /** `a and b` / `a or b` as a prim::If evaluating `b` only when needed (emitShortCircuitLogical). */
  private shortCircuit(op: "and" | "or", left: Expr, right: Expr): Value {
    const first = this.condition(left);
    const n = this.g.insert("prim::If", [first], 0);
    const [thenB, elseB] = [n.addBlock(), n.addBlock()];
    const evalSecond = op === "and" ? thenB : elseB;
    const shortcut = op === "and" ? elseB : thenB;
    evalSecond.registerOutput(this.inBlock(evalSecond, () => this.condition(right)));
    shortcut.registerOutput(this.g.withInsertPoint(shortcut, () => this.constant({ type: "bool", value: op === "or" })));
    return n.addOutput(Types.bool);
  }

  private conditional(cond: Expr, then: Expr, orelse: Expr, hint: JitType | null): Value {
    const c = this.condition(cond);
    const n = this.g.insert("prim::If", [c], 0);
    const [thenB, elseB] = [n.addBlock(), n.addBlock()];
    const a = this.inBlock(thenB, () => this.value(then, hint));
    const b = this.inBlock(elseB, () => this.value(orelse, hint));
    const t = unifyTypes(a.type, b.type);
    if (!t) this.fail(cond, `the branches of 'if else' have different types: ${describeType(a.type)} and ${describeType(b.type)}`);
    thenB.registerOutput(a);
    elseB.registerOutput(b);
    return n.addOutput(t);
  }
}

/** `[A-Za-z_]\w*` by character codes (a regex here would be compiled in every fresh process's first load). */
function isIdentifier(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const letter = (c | 0x20) >= 97 && (c | 0x20) <= 122;
    if (!(letter || c === 95 || (i > 0 && c >= 48 && c <= 57))) return false;
  }
  return name.length > 0;
}

export function describeType(t: JitType): string {
  switch (t.kind) {
    case "Class": case "Enum": return t.name;
    case "List": return `List[${describeType(t.element)}]`;
    case "Optional": return `Optional[${describeType(t.element)}]`;
    case "Tuple": return t.named?.name ?? `Tuple[${t.elements.map(describeType).join(", ")}]`;
    case "Dict": return `Dict[${describeType(t.key)}, ${describeType(t.value)}]`;
    default: return t.kind;
  }
}

function describe(s: Sugared): string {
  switch (s.kind) {
    case "namespace": return `the namespace '${s.path}'`;
    case "builtin": return `the builtin '${s.op}'`;
    case "class": return `the class '${s.decl.qualifiedName}'`;
    case "method": return `the method '${s.decl.name}'`;
    case "special": return `the builtin '${s.name}'`;
    case "new": return `${s.decl.qualifiedName}.__new__`;
    case "constants": return "CONSTANTS";
    case "value": return `a value of type ${describeType(s.value.type)}`;
  }
}

export { dottedName };
