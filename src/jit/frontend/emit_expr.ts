/**
 * Expressions: TypeScript AST → graph values (TorchScript's emitExpr / emitSugaredExpr).
 * Python's operators never reach the graph as operators: `a + b` is `aten::add`, `a < b` is
 * `aten::lt`, `a && b` is a prim::If (short circuit), `c ? a : b` a prim::If with one output,
 * as the printer's `torch.add(...)` forms show.
 */
import type TS from "typescript";
import { lazyTypescript as ts } from "../../util/typescript.js";
import {
  Attr, Types, constantValue, dictType, insertConstant, isSubtypeOf, listType, optionalType, printType, tupleType, unifyTypes,
  unshapedType, type Block, type ConstantValue, type Graph, type JitType, type Value,
} from "../ir/index.js";
import { callResult, emitBuiltinCall, listFromTuple, SchemaMatchError, tupleAsList, type CallArgs } from "./call_schema.js";
import type { Environment } from "./environment.js";
import { resolveType } from "./types.js";
import { scriptError, ScriptError } from "./errors.js";
import { resolveNamespaceMember, resolveGlobal, signatures, type CompileHooks, type Signature } from "./resolve.js";
import type { SourceText } from "./source.js";
import { asSugared, type ModuleInfo, type Sugared } from "./sugared.js";
import { isinstanceCondition, specialCall } from "./special_calls.js";
import { andCond, notCond, NO_REFINEMENTS, orCond, type CondValue, type Refinements } from "./refinement.js";

/** Operator tokens as aten ops; built on first use, as reading ts.SyntaxKind loads the compiler. */
let binaryOps: Readonly<Partial<Record<TS.SyntaxKind, string>>> | undefined;
const BINARY_OPS = (): Readonly<Partial<Record<TS.SyntaxKind, string>>> => (binaryOps ??= {
  [ts.SyntaxKind.PlusToken]: "aten::add",
  [ts.SyntaxKind.MinusToken]: "aten::sub",
  [ts.SyntaxKind.AsteriskToken]: "aten::mul",
  [ts.SyntaxKind.SlashToken]: "aten::div",
  [ts.SyntaxKind.PercentToken]: "aten::remainder",
  [ts.SyntaxKind.AsteriskAsteriskToken]: "aten::pow",
  [ts.SyntaxKind.LessThanToken]: "aten::lt",
  [ts.SyntaxKind.LessThanEqualsToken]: "aten::le",
  [ts.SyntaxKind.GreaterThanToken]: "aten::gt",
  [ts.SyntaxKind.GreaterThanEqualsToken]: "aten::ge",
  [ts.SyntaxKind.EqualsEqualsEqualsToken]: "aten::eq",
  [ts.SyntaxKind.EqualsEqualsToken]: "aten::eq",
  [ts.SyntaxKind.ExclamationEqualsEqualsToken]: "aten::ne",
  [ts.SyntaxKind.ExclamationEqualsToken]: "aten::ne",
  [ts.SyntaxKind.AmpersandToken]: "aten::__and__",
  [ts.SyntaxKind.BarToken]: "aten::__or__",
  [ts.SyntaxKind.CaretToken]: "aten::__xor__",
  [ts.SyntaxKind.LessThanLessThanToken]: "aten::__lshift__",
  [ts.SyntaxKind.GreaterThanGreaterThanToken]: "aten::__rshift__",
});

/** Methods of lists, dicts and strings spelled the JS way, and the builtin each is. */
const CONTAINER_METHODS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  List: { push: "aten::append", pop: "aten::pop", includes: "aten::__contains__", indexOf: "aten::index", slice: "aten::slice", reverse: "aten::reverse", sort: "aten::sort", insert: "aten::insert", clear: "aten::clear", extend: "aten::extend", copy: "aten::copy", count: "aten::count" },
  Dict: { get: "aten::__getitem__", set: "aten::_set_item", has: "aten::__contains__", keys: "aten::keys", values: "aten::values", items: "aten::items", entries: "aten::items", delete: "aten::pop", clear: "aten::clear" },
  str: { startsWith: "aten::startswith", endsWith: "aten::endswith", toUpperCase: "aten::upper", toLowerCase: "aten::lower", trim: "aten::strip", split: "aten::split", replace: "aten::replace", includes: "aten::__contains__", indexOf: "aten::find" },
};

/** JS conversion functions and the TorchScript builtin each is. */
export const CONVERSIONS: Readonly<Record<string, string>> = { Number: "aten::Float", String: "aten::str", Boolean: "aten::Bool" };

/** Tensor properties read as ops: `x.shape` is `aten::size(x)`. */
const TENSOR_PROPERTIES: Readonly<Record<string, string>> = {
  shape: "aten::size", dtype: "prim::dtype", device: "prim::device", requires_grad: "prim::requires_grad",
  is_cuda: "prim::is_cuda", ndim: "aten::dim", T: "aten::numpy_T",
};

export function isFloatLiteral(text: string): boolean {
  return !/^0[xXbBoO]/.test(text) && /[.eE]/.test(text);
}

/** What PyTorch raises in place of a call to a `@torch.jit.unused` method. */
export const UNUSED_MESSAGE = "This Python function is annotated to be ignored and cannot be run";

export class ExprEmitter {
  /** Blocks whose end is unreachable (they returned, broke, continued or threw). */
  readonly exitBlocks = new Set<Block>();
  /** Blocks that end in break/continue (ir_emitter's exit_blocks holds only return and raise). */
  readonly loopExitBlocks = new Set<Block>();

  constructor(
    readonly g: Graph,
    readonly env: Environment,
    readonly src: SourceText,
    readonly hooks: CompileHooks,
    readonly self: { value: Value; info: ModuleInfo } | null,
  ) {}

  fail(node: TS.Node, what: string): never {
    throw scriptError(this.src, node, what);
  }

  constant(c: ConstantValue): Value {
    return insertConstant(this.g, c);
  }

  /** An expression as a graph value; `hint` is the expected type (array literals, empty containers). */
  value(e: TS.Expression, hint?: JitType | null): Value {
    return this.asValue(e, this.sugared(e, hint ?? null));
  }

  asValue(node: TS.Node, s: Sugared): Value {
    switch (s.kind) {
      case "value":
        return s.value;
      case "module":
        return this.fail(node, `${s.value === this.self?.value ? "'this'" : `The module '${s.info.script.original_name}'`} cannot be used as a value in TorchScript: a module cannot escape (call it, or read its attributes)`);
      case "none":
        return this.constant({ type: "None" });
      default:
        return this.fail(node, `${describe(s)} cannot be used as a value`);
    }
  }

  sugared(e: TS.Expression, hint: JitType | null = null): Sugared {
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e)) {
      return this.sugared(e.expression, hint);
    }
    if (ts.isNonNullExpression(e)) return asSugared(this.unwrapOptional(e, this.value(e.expression)));
    if (ts.isNumericLiteral(e)) {
      const text = e.getText(this.src.sourceFile);
      const v = Number(e.text);
      return asSugared(isFloatLiteral(text) || hint?.kind === "float" ? this.constant({ type: "float", value: v }) : this.constant({ type: "int", value: v }));
    }
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return asSugared(this.constant({ type: "str", value: e.text }));
    if (ts.isTemplateExpression(e)) return asSugared(this.template(e));
    switch (e.kind) {
      case ts.SyntaxKind.TrueKeyword:
        return asSugared(this.constant({ type: "bool", value: true }));
      case ts.SyntaxKind.FalseKeyword:
        return asSugared(this.constant({ type: "bool", value: false }));
      case ts.SyntaxKind.NullKeyword:
        return { kind: "none" };
      case ts.SyntaxKind.ThisKeyword:
        if (!this.self) return this.fail(e, "'this' is only available in methods of a scripted module");
        return { kind: "module", value: this.self.value, info: this.self.info };
    }
    if (ts.isIdentifier(e)) return this.identifier(e);
    if (ts.isPropertyAccessExpression(e)) return this.property(e);
    if (ts.isElementAccessExpression(e)) return this.elementAccessSugared(e);
    if (ts.isCallExpression(e)) return this.call(e, hint);
    if (ts.isBinaryExpression(e)) return asSugared(this.binary(e));
    if (ts.isPrefixUnaryExpression(e)) return asSugared(this.prefixUnary(e));
    if (ts.isConditionalExpression(e)) return asSugared(this.conditional(e, hint));
    if (ts.isArrayLiteralExpression(e)) return asSugared(this.arrayLiteral(e, hint));
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return this.fail(e, "Closures are not supported in TorchScript: define a top-level function or a method instead");
    if (ts.isObjectLiteralExpression(e)) {
      if (hint?.kind === "Dict") return asSugared(this.dictLiteral(e, hint));
      return this.fail(e, "Arbitrary JavaScript objects are not supported in TorchScript (an object literal is a dict where a Record/Map type is declared, and else only the keyword arguments of a call)");
    }
    if (ts.isNewExpression(e)) {
      if (ts.isIdentifier(e.expression) && e.expression.text === "Map" && !e.arguments?.length) {
        // `new Map<K, V>()` states its type; a bare `new Map()` takes the declared one
        const [k, v] = e.typeArguments ?? [];
        const stated = k && v ? dictType(resolveType(this.src, k), resolveType(this.src, v)) : null;
        const type = stated ?? (hint?.kind === "Dict" ? hint : null);
        if (type !== null) return asSugared(this.g.insert("prim::DictConstruct", [], [type]).output());
      }
      return this.fail(e, "Constructing JavaScript objects with 'new' is not supported in TorchScript (only `new Map<K, V>()`, or `new Map()` where a Map type is declared)");
    }
    if (ts.isYieldExpression(e)) return this.fail(e, "Generators are not supported in TorchScript");
    if (ts.isAwaitExpression(e)) return this.fail(e, "'await' is not supported in TorchScript: use torch.jit.fork and torch.jit.wait");
    if (ts.isPostfixUnaryExpression(e) || (ts.isBinaryExpression(e))) return this.fail(e, "Assignments are statements in TorchScript, not expressions");
    return this.fail(e, `${ts.SyntaxKind[e.kind]} expressions are not supported in TorchScript`);
  }

  // ---- names ----

  private identifier(e: TS.Identifier): Sugared {
    const name = e.text;
    if (name === "undefined") return { kind: "none" };
    const s = this.env.sugaredOf(name);
    if (s) return s;
    const v = this.env.load(name);
    if (v) return asSugared(v);
    const g = resolveGlobal(name, this.hooks);
    if (g) return g;
    return this.fail(e, `undefined value ${name}`);
  }

  private property(e: TS.PropertyAccessExpression): Sugared {
    const name = e.name.text;
    const base = ts.isIdentifier(e.expression) && /^__\w*import_\d+__$/.test(e.expression.text)
      ? { kind: "namespace" as const, name: "" } // a bundler's module namespace (`__vite_ssr_import_1__.torch`): look through it
      : this.sugared(e.expression);
    switch (base.kind) {
      case "namespace": {
        const r = base.name === "" ? resolveGlobal(name, this.hooks) : resolveNamespaceMember(base.name, name, this.hooks);
        if (!r) return this.fail(e, `Unknown attribute '${name}' of ${base.name || "module"} in TorchScript`);
        if ("constant" in r) return asSugared(this.constant(r.constant));
        return r;
      }
      case "module":
        return this.moduleAttribute(e, base.value, base.info, name);
      case "value":
        return this.valueProperty(e, base.value, name);
      default:
        return this.fail(e, `${describe(base)} has no attribute '${name}' in TorchScript`);
    }
  }

  /** @internal */
  moduleAttribute(e: TS.Node, self: Value, info: ModuleInfo, name: string): Sugared {
    const c = info.constant(name);
    if (c) return asSugared(this.moduleConstant(c));
    const sub = info.submodule(name);
    const type = info.attributeType(name);
    if (sub && type) {
      return { kind: "module", value: this.getAttr(self, name, type), info: sub };
    }
    if (type) return asSugared(this.getAttr(self, name, type));
    if (info.hasMethod(name)) return { kind: "method", self, info, name };
    if (info.isAccessor(name)) return this.fail(e, `Getters and setters are not supported in TorchScript: '${name}' is an accessor of '${info.script.original_name}' (make it a method or a plain attribute)`);
    return this.fail(e, `Module '${info.script.original_name}' has no attribute '${name}' (it is not a parameter, buffer, submodule, scriptable attribute or method)`);
  }

  /**
   * A `__constants__` / `Final` attribute's value. A list is a tuple in PyTorch (it converts
   * constant lists to tuples), which call_schema.ts turns into a prim::ListConstruct of its
   * elements where a list is expected (Note [tuples as lists]): so `self.stride` prints
   * `[1, 1]` at the call even where it is the default.
   */
  private moduleConstant(c: ConstantValue): Value {
    const element = { "int[]": "int", "float[]": "float", "bool[]": "bool", "str[]": "str" } as const;
    if (c.type === "int[]" || c.type === "float[]" || c.type === "bool[]" || c.type === "str[]") {
      const type = element[c.type];
      const items = (c.value as readonly (number | bigint | boolean | string)[]).map((v) => this.constant({ type, value: v } as ConstantValue));
      return this.g.insert("prim::TupleConstruct", items, [tupleType(items.map((v) => v.type))]).output();
    }
    return this.constant(c);
  }

  getAttr(obj: Value, name: string, type: JitType): Value {
    const n = this.g.insert("prim::GetAttr", [obj], [type]);
    n.setAttr("name", Attr.s(name));
    n.output().setDebugName(/^[A-Za-z_]\w*$/.test(name) ? name : `_${name}`);
    return n.output();
  }

  /** @internal */
  valueProperty(e: TS.PropertyAccessExpression, v: Value, name: string): Sugared {
    const t = v.type;
    if (t.kind === "Tensor") {
      const prop = TENSOR_PROPERTIES[name];
      if (prop && !isCallee(e)) return asSugared(this.builtin(e, prop, { positional: [v], keywords: new Map() }));
      return { kind: "builtin", op: `aten::${name}`, self: v };
    }
    if ((t.kind === "List" || t.kind === "str" || t.kind === "Dict") && (name === "length" || name === "size") && !isCallee(e)) {
      return asSugared(this.builtin(e, "aten::len", { positional: [v], keywords: new Map() }));
    }
    const table = CONTAINER_METHODS[t.kind];
    if (table?.[name]) return { kind: "builtin", op: table[name]!, self: v };
    return this.fail(e, `'${name}' is not a known attribute of a value of type ${typeLabel(t)}`);
  }

  // ---- calls ----

  builtin(node: TS.Node, op: string, args: CallArgs): Value {
    try {
      const n = emitBuiltinCall(this.g, op, args);
      return callResult(this.g, n) ?? this.constant({ type: "None" });
    } catch (err) {
      if (err instanceof SchemaMatchError) this.fail(node, err.message);
      throw err;
    }
  }

  callArgs(args: readonly TS.Expression[], self: Value | null, hints: readonly (JitType | null)[] = []): CallArgs {
    const positional: Value[] = self ? [self] : [];
    const keywords = new Map<string, Value>();
    args.forEach((a, i) => {
      if (ts.isObjectLiteralExpression(a) && i === args.length - 1) {
        for (const p of a.properties) {
          if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) keywords.set(p.name.text, this.value(p.initializer));
          else if (ts.isShorthandPropertyAssignment(p)) keywords.set(p.name.text, this.value(p.name));
          else this.fail(p, "keyword arguments are written as `{name: value}`");
        }
        return;
      }
      if (ts.isSpreadElement(a)) this.fail(a, "Spread arguments are not supported in TorchScript");
      positional.push(this.value(a, hints[i] ?? null));
    });
    return { positional, keywords };
  }

  private call(e: TS.CallExpression, hint: JitType | null): Sugared {
    if (e.expression.kind === ts.SyntaxKind.SuperKeyword) this.fail(e, "super() calls are not supported in TorchScript");
    const special = this.specialCall(e);
    if (special) return special;
    const callee = this.sugared(e.expression);
    switch (callee.kind) {
      case "builtin":
        return asSugared(this.builtin(e, callee.op, this.callArgs(e.arguments, callee.self)));
      case "module":
        return asSugared(this.callMethod(e, callee.value, callee.info, "forward"));
      case "method":
        return asSugared(this.callMethod(e, callee.self, callee.info, callee.name));
      case "function":
        return asSugared(this.callFunction(e, callee.fn, callee.qualifiedName));
      case "namespace":
        return this.fail(e, `'${callee.name}' is not callable`);
      default:
        void hint;
        return this.fail(e, `${describe(callee)} is not callable`);
    }
  }

  /** Calls the compiler treats itself (special_calls.ts); null for ordinary calls. */
  private specialCall(e: TS.CallExpression): Sugared | null {
    return specialCall(this, e);
  }

  /** `torch.jit.isinstance(x, "T")` as a condition (special_calls.ts); null for other calls. */
  specialCondition(e: TS.CallExpression): CondValue | null {
    return isinstanceCondition(this, e);
  }

  callMethod(e: TS.CallExpression, self: Value, info: ModuleInfo, name: string): Value {
    const marker = info.marker(name);
    if (marker === "unused") {
      // Note [unused methods]: the call raises where it stands, as PyTorch compiles a call to an
      // @torch.jit.unused method; the code after it in the block is unreachable
      for (const a of e.arguments) if (!ts.isObjectLiteralExpression(a)) this.value(a);
      this.g.insert("prim::RaiseException", [this.constant({ type: "str", value: UNUSED_MESSAGE })], 0);
      this.exitBlocks.add(this.env.top.block);
      return this.g.insert("prim::Uninitialized", [], [this.hooks.returnType(info, name, e)]).output();
    }
    if (marker === "ignore") {
      // Note [ignored methods]: the call runs the JavaScript method (PyTorch's prim::PythonOp);
      // such a module runs but cannot be saved, as in PyTorch
      const args: Value[] = [];
      for (const a of e.arguments) {
        if (ts.isObjectLiteralExpression(a)) this.fail(a, `keyword arguments to the @torch.jit.ignore method '${name}' are not supported: pass them positionally`);
        args.push(this.value(a));
      }
      info.script._defineIgnored(name, (info.module as unknown as Record<string, Function>)[name]!, info.module);
      const call = this.g.insert("prim::PythonOp", [self, ...args], [this.hooks.returnType(info, name, e)]);
      call.setAttr("name", Attr.s(name));
      return call.output();
    }
    const graph = this.hooks.method(info, name, e);
    const given = this.bindCall(e, `${info.script.original_name}.${name}`, graph.inputs.slice(1).map((v) => v.type), signatures.get(graph) ?? null);
    const n = this.g.insert("prim::CallMethod", [self, ...given], graph.outputs.map((o) => o.type));
    n.setAttr("name", Attr.s(name));
    return n.output();
  }

  private callFunction(e: TS.CallExpression, fn: Function, qualifiedName: string | null): Value {
    const compiled = this.hooks.func(fn, qualifiedName, e);
    const given = this.bindCall(e, compiled.qualifiedName, compiled.graph.inputs.map((v) => v.type), signatures.get(compiled.graph) ?? null);
    const f = this.g.insert("prim::Constant", [], [{ kind: "Function", name: compiled.qualifiedName }]);
    f.setAttr("name", Attr.s(compiled.qualifiedName.slice(compiled.qualifiedName.lastIndexOf(".") + 1)));
    const n = this.g.insert("prim::CallFunction", [f.output(), ...given], compiled.graph.outputs.map((o) => o.type));
    return n.output();
  }

  /**
   * The arguments of a call to a compiled function or method, in parameter order: positional,
   * then `{name: value}` keywords, then defaults; one number fills a `BroadcastingListN`
   * parameter; each checked against the parameter's type.
   */
  private bindCall(e: TS.CallExpression, what: string, formals: readonly JitType[], sig: Signature | null): Value[] {
    const args = this.callArgs(e.arguments, null, formals);
    if (args.positional.length > formals.length) this.fail(e, `${what}() expected at most ${formals.length} argument(s) but received ${args.positional.length}`);
    const slots: (Value | undefined)[] = formals.map((_, i) => args.positional[i]);
    for (const [k, v] of args.keywords) {
      const i = sig ? sig.names.indexOf(k) : -1;
      if (i < 0) this.fail(e, `${what}() got an unexpected keyword argument '${k}'`);
      if (slots[i] !== undefined) this.fail(e, `${what}() got multiple values for argument '${k}'`);
      slots[i] = v;
    }
    return formals.map((formal, i) => {
      const label = sig?.names[i] ?? `${i + 1}`;
      let v = slots[i];
      if (v === undefined) {
        const d = sig?.defaults[i];
        if (!d) return this.fail(e, `${what}() is missing value for argument '${label}'`);
        return this.constant(d);
      }
      const n = sig?.broadcast[i];
      const inner = formal.kind === "Optional" ? formal.element : formal;
      if (n && inner.kind === "List" && (v.type.kind === "int" || v.type.kind === "float")) {
        v = this.g.insert("prim::ListConstruct", new Array<Value>(n).fill(v), [inner]).output();
      }
      const list = tupleAsList(v.type, formal);
      if (list) v = listFromTuple(this.g, v, list);
      if (!isSubtypeOf(v.type, unshapedType(formal))) {
        this.fail(e.arguments[i] ?? e, `Expected a value of type '${printType(formal)}' for argument '${label}' of ${what}() but instead found type '${printType(v.type)}'`);
      }
      return v;
    });
  }

  // ---- operators ----

  private binary(e: TS.BinaryExpression): Value {
    const k = e.operatorToken.kind;
    if (k === ts.SyntaxKind.AmpersandAmpersandToken || k === ts.SyntaxKind.BarBarToken) return this.shortCircuit(e).value;
    if (k === ts.SyntaxKind.InstanceOfKeyword || k === ts.SyntaxKind.InKeyword) {
      const hint = k === ts.SyntaxKind.InstanceOfKeyword ? ": use torch.jit.isinstance(x, T) with a TorchScript type" : ": use `m.has(k)` on a Map";
      return this.fail(e.operatorToken, `'${e.operatorToken.getText(this.src.sourceFile)}' is not supported in TorchScript${hint}`);
    }
    if (k === ts.SyntaxKind.QuestionQuestionToken) return this.fail(e.operatorToken, "'??' is not supported in TorchScript: test `x !== null` instead");
    const nullTest = this.nullComparison(e);
    if (nullTest) return nullTest.value;
    const op = BINARY_OPS()[k];
    if (!op) return this.fail(e.operatorToken, `The operator '${e.operatorToken.getText(this.src.sourceFile)}' is not supported in TorchScript`);
    return this.binaryOp(e, op, this.value(e.left), this.value(e.right));
  }

  /**
   * `x === null` / `x !== null` (or undefined): aten::__is__ / __isnot__, with a refinement
   * when `x` is an Optional local and a static answer when its type decides (Note [refinement]).
   */
  private nullComparison(e: TS.BinaryExpression): CondValue | null {
    const k = e.operatorToken.kind;
    const equality = k === ts.SyntaxKind.EqualsEqualsEqualsToken || k === ts.SyntaxKind.EqualsEqualsToken;
    const inequality = k === ts.SyntaxKind.ExclamationEqualsEqualsToken || k === ts.SyntaxKind.ExclamationEqualsToken;
    if (!equality && !inequality) return null;
    if (!isNullLiteral(e.left) && !isNullLiteral(e.right)) return null;
    const l = this.value(e.left);
    const r = this.value(e.right);
    const subject = isNullLiteral(e.left) ? e.right : e.left;
    const t = (isNullLiteral(e.left) ? r : l).type;
    let isNull: boolean | null = null;
    if (t.kind === "NoneType") isNull = true;
    else if (t.kind !== "Optional" && t.kind !== "Any" && t.kind !== "Union") isNull = false;
    // a static answer is a constant, as PyTorch's CondValue(graph, static_value) is
    const value = isNull !== null
      ? this.constant({ type: "bool", value: equality ? isNull : !isNull })
      : this.builtin(e, equality ? "aten::__is__" : "aten::__isnot__", { positional: [l, r], keywords: new Map() });
    let notNull: Refinements = NO_REFINEMENTS;
    let inner = subject;
    while (ts.isParenthesizedExpression(inner)) inner = inner.expression;
    if (t.kind === "Optional" && ts.isIdentifier(inner) && this.env.typeOf(inner.text)) notNull = new Map([[inner.text, t.element]]);
    const isStatic = isNull === null ? null : equality ? isNull : !isNull;
    return equality
      ? { value, static: isStatic, whenTrue: NO_REFINEMENTS, whenFalse: notNull }
      : { value, static: isStatic, whenTrue: notNull, whenFalse: NO_REFINEMENTS };
  }

  /** Stores `unchecked_cast(T, x)` into each refined variable (Note [refinement]). */
  insertRefinements(refs: Refinements): void {
    for (const [name, type] of refs) {
      const v = this.env.load(name);
      if (!v) continue;
      const cast = this.g.insert("prim::unchecked_cast", [v], [type]).output();
      this.env.refine(name, cast);
    }
  }

  /** `a op b`; a number on the left of a Tensor swaps for commutative ops, as Python's __radd__. */
  binaryOp(node: TS.Node, op: string, l: Value, r: Value): Value {
    if (l.type.kind !== "Tensor" && r.type.kind === "Tensor") {
      if (op === "aten::add" || op === "aten::mul" || op === "aten::eq" || op === "aten::ne") [l, r] = [r, l];
      else if (op === "aten::sub") op = "aten::rsub", [l, r] = [r, l];
      else if (op === "aten::lt" || op === "aten::gt" || op === "aten::le" || op === "aten::ge") {
        const flip: Record<string, string> = { "aten::lt": "aten::gt", "aten::gt": "aten::lt", "aten::le": "aten::ge", "aten::ge": "aten::le" };
        op = flip[op]!, [l, r] = [r, l];
      }
    }
    return this.builtin(node, op, { positional: [l, r], keywords: new Map() });
  }

  private prefixUnary(e: TS.PrefixUnaryExpression): Value {
    if (e.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(e.operand)) {
      const text = e.operand.getText(this.src.sourceFile);
      return this.constant(isFloatLiteral(text) ? { type: "float", value: -Number(e.operand.text) } : { type: "int", value: -Number(e.operand.text) });
    }
    if (e.operator === ts.SyntaxKind.MinusToken) return this.builtin(e, "aten::neg", { positional: [this.value(e.operand)], keywords: new Map() });
    if (e.operator === ts.SyntaxKind.ExclamationToken) return this.condValue(e).value;
    if (e.operator === ts.SyntaxKind.TildeToken) return this.builtin(e, "aten::bitwise_not", { positional: [this.value(e.operand)], keywords: new Map() });
    return this.fail(e, "'++' and '--' are statements in TorchScript (write `i += 1`)");
  }

  /** A value in a boolean position: a bool, or `bool(tensor)` (Note [tensor conditions]). */
  condition(e: TS.Expression): Value {
    return this.condValue(e).value;
  }

  /** A condition with its refinements and static answer (refinement.ts). */
  condValue(e: TS.Expression): CondValue {
    let inner = e;
    while (ts.isParenthesizedExpression(inner)) inner = inner.expression;
    if (ts.isPrefixUnaryExpression(inner) && inner.operator === ts.SyntaxKind.ExclamationToken) {
      const c = this.condValue(inner.operand);
      return notCond(c, this.builtin(inner, "aten::__not__", { positional: [c.value], keywords: new Map() }));
    }
    if (ts.isBinaryExpression(inner)) {
      const k = inner.operatorToken.kind;
      if (k === ts.SyntaxKind.AmpersandAmpersandToken || k === ts.SyntaxKind.BarBarToken) return this.shortCircuit(inner);
      const n = this.nullComparison(inner);
      if (n) return n;
    }
    if (ts.isCallExpression(inner)) {
      const special = this.specialCondition(inner);
      if (special) return special;
    }
    // Note [tensor conditions]: `if (t.item())` reads a one-element tensor as a JS boolean; TorchScript
    // writes that `if bool(t)`, so `.item()` in a condition is aten::Bool of the tensor itself.
    if (ts.isCallExpression(inner) && inner.arguments.length === 0 && ts.isPropertyAccessExpression(inner.expression) && inner.expression.name.text === "item") {
      const t = this.value(inner.expression.expression);
      if (t.type.kind === "Tensor") return plainCond(this.builtin(e, "aten::Bool", { positional: [t], keywords: new Map() }));
    }
    const v = this.toBool(e, this.value(e));
    const c = constantValue(v.node);
    return { ...plainCond(v), static: c?.type === "bool" ? c.value : null };
  }

  toBool(node: TS.Node, v: Value): Value {
    switch (v.type.kind) {
      case "bool":
        return v;
      case "Tensor":
      case "int":
      case "float":
        return this.builtin(node, "aten::Bool", { positional: [v], keywords: new Map() });
      case "Optional":
        return this.fail(node, `An Optional value cannot be used as a condition: compare it with null (\`x !== null\`)`);
      default:
        return this.fail(node, `Expected a boolean condition but found a value of type ${typeLabel(v.type)}`);
    }
  }

  /** `a && b` / `a || b`: a prim::If evaluating `b` only when needed (TorchScript's emitShortCircuitLogical). */
  private shortCircuit(e: TS.BinaryExpression): CondValue {
    const and = e.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken;
    const first = this.condValue(e.left);
    const n = this.g.insert("prim::If", [first.value], 0);
    const [thenB, elseB] = [n.addBlock(), n.addBlock()];
    const evalSecond = and ? thenB : elseB;
    const shortcut = and ? elseB : thenB;
    const second = this.inBlock(evalSecond, () => {
      this.insertRefinements(and ? first.whenTrue : first.whenFalse);
      return this.condValue(e.right);
    });
    evalSecond.registerOutput(second.value);
    shortcut.registerOutput(this.g.withInsertPoint(shortcut, () => this.constant({ type: "bool", value: !and })));
    const out = n.addOutput(Types.bool);
    return and ? andCond(first, second, out) : orCond(first, second, out);
  }

  /** Emits inside `block` with a frame of its own. */
  inBlock<T>(block: import("../ir/index.js").Block, fn: () => T): T {
    this.env.push(block);
    try {
      return this.g.withInsertPoint(block, fn);
    } finally {
      this.env.pop();
    }
  }

  private conditional(e: TS.ConditionalExpression, hint: JitType | null): Value {
    const c = this.condValue(e.condition);
    // Note [static conditions]: only the operand chosen is compiled
    if (c.static !== null) {
      this.insertRefinements(c.static ? c.whenTrue : c.whenFalse);
      return this.value(c.static ? e.whenTrue : e.whenFalse, hint);
    }
    const n = this.g.insert("prim::If", [c.value], 0);
    const [thenB, elseB] = [n.addBlock(), n.addBlock()];
    const a = this.inBlock(thenB, () => (this.insertRefinements(c.whenTrue), this.value(e.whenTrue, hint)));
    const b = this.inBlock(elseB, () => (this.insertRefinements(c.whenFalse), this.value(e.whenFalse, hint)));
    const t = unifyTypes(a.type, b.type);
    if (!t) this.fail(e, `The branches of '?:' have different types: ${typeLabel(a.type)} and ${typeLabel(b.type)}`);
    thenB.registerOutput(a);
    elseB.registerOutput(b);
    return n.addOutput(t);
  }

  // ---- literals and indexing ----

  /**
   * Note [array literals]: `[a, b]` is a TorchScript list unless a tuple is expected: the
   * expected type (annotation, return type, parameter) is a tuple, or nothing is expected and
   * the literal is returned or destructured, or its elements have different types.
   */
  arrayLiteral(e: TS.ArrayLiteralExpression, hint: JitType | null, preferTuple = false): Value {
    if (e.elements.some(ts.isSpreadElement)) this.fail(e, "Spread elements are not supported in TorchScript");
    if (hint?.kind === "Tuple") {
      const items = e.elements.map((x, i) => this.value(x, hint.elements[i] ?? null));
      return this.g.insert("prim::TupleConstruct", items, [tupleType(items.map((v) => v.type))]).output();
    }
    const elemHint = hint?.kind === "List" ? hint.element : hint?.kind === "Optional" && hint.element.kind === "List" ? hint.element.element : null;
    const items = e.elements.map((x) => this.value(x, elemHint));
    const uniform = items.length > 0 && items.every((v) => unifyTypes(v.type, items[0]!.type) !== null && v.type.kind === items[0]!.type.kind);
    if (!elemHint && (preferTuple || (items.length > 0 && !uniform))) {
      return this.g.insert("prim::TupleConstruct", items, [tupleType(items.map((v) => v.type))]).output();
    }
    let elem = elemHint;
    if (!elem) {
      if (items.length === 0) return this.fail(e, "An empty array needs a type: annotate it, e.g. `const xs: Tensor[] = []`");
      elem = items.reduce<JitType>((t, v) => unifyTypes(t, v.type) ?? t, items[0]!.type);
    }
    return this.g.insert("prim::ListConstruct", items, [listType(elem)]).output();
  }

  /** `{a: x, "b": y}` where a `Record<string, T>` / `Map` is expected: prim::DictConstruct. */
  private dictLiteral(e: TS.ObjectLiteralExpression, type: JitType & { kind: "Dict" }): Value {
    const items: Value[] = [];
    for (const p of e.properties) {
      if (!ts.isPropertyAssignment(p) || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name) || ts.isNumericLiteral(p.name))) {
        this.fail(p, "A dict literal is written `{key: value}` with literal keys in TorchScript");
      }
      const key = type.key.kind === "int" ? this.constant({ type: "int", value: Number(p.name.text) }) : this.constant({ type: "str", value: p.name.text });
      const v = this.value(p.initializer, type.value);
      if (!isSubtypeOf(v.type, type.value)) this.fail(p.initializer, `Dict value of type ${printType(v.type)} does not match the declared ${printType(type.value)}`);
      items.push(key, v);
    }
    return this.g.insert("prim::DictConstruct", items, [type]).output();
  }

  private template(e: TS.TemplateExpression): Value {
    let fmt = e.head.text;
    const args: Value[] = [];
    for (const span of e.templateSpans) {
      args.push(this.value(span.expression));
      fmt += `{}${span.literal.text}`;
    }
    return this.builtin(e, "aten::format", { positional: [this.constant({ type: "str", value: fmt }), ...args], keywords: new Map() });
  }

  /** `this.acts["relu"]`, `this.layers[0]` on a module: the child (a GetAttr); else an indexed value. */
  private elementAccessSugared(e: TS.ElementAccessExpression): Sugared {
    const base = this.sugared(e.expression);
    const key = e.argumentExpression;
    if (base.kind === "module") {
      if (!ts.isStringLiteral(key) && !ts.isNumericLiteral(key)) return this.fail(key, "A submodule can only be indexed with a literal in TorchScript");
      if (!base.info.submodule(key.text)) return this.fail(key, `'${base.info.script.original_name}' has no submodule '${key.text}'`);
      return this.moduleAttribute(e, base.value, base.info, key.text);
    }
    return asSugared(this.elementAccess(e, this.asValue(e.expression, base)));
  }

  private elementAccess(e: TS.ElementAccessExpression, base: Value): Value {
    const t = base.type;
    if (t.kind === "Tuple") {
      const idx = e.argumentExpression;
      const i = ts.isNumericLiteral(idx) ? Number(idx.text) : ts.isPrefixUnaryExpression(idx) && ts.isNumericLiteral(idx.operand) ? -Number(idx.operand.text) : null;
      if (i === null || !Number.isInteger(i)) return this.fail(idx, "Tuples can only be indexed with integer literals");
      const k = i < 0 ? t.elements.length + i : i;
      if (k < 0 || k >= t.elements.length) this.fail(idx, `Tuple index out of range: the tuple has ${t.elements.length} elements`);
      const n = this.g.insert("prim::TupleIndex", [base, this.constant({ type: "int", value: k })], [t.elements[k]!]);
      return n.output();
    }
    const index = this.value(e.argumentExpression);
    if (t.kind === "Tensor") {
      return this.builtin(e, "aten::select", { positional: [base, this.constant({ type: "int", value: 0 }), index], keywords: new Map() });
    }
    return this.builtin(e, "aten::__getitem__", { positional: [base, index], keywords: new Map() });
  }

  /** `x!` on an Optional: prim::unchecked_cast to the element type (printed `unchecked_cast(T, x)`). */
  unwrapOptional(_node: TS.Node, v: Value): Value {
    if (v.type.kind !== "Optional") return v;
    return this.g.insert("prim::unchecked_cast", [v], [v.type.element]).output();
  }
}

/** `torch.jit.<name>(...)` or `jit.<name>(...)`, spelled out (the compiler treats these calls itself). */
export function isJitCall(e: TS.CallExpression, name: string): boolean {
  const c = e.expression;
  if (!ts.isPropertyAccessExpression(c) || c.name.text !== name) return false;
  const o = c.expression;
  if (ts.isIdentifier(o)) return o.text === "jit";
  return ts.isPropertyAccessExpression(o) && o.name.text === "jit" && ts.isIdentifier(o.expression) && o.expression.text === "torch";
}

function isNullLiteral(x: TS.Expression): boolean {
  return x.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(x) && x.text === "undefined");
}

const plainCond = (value: Value): CondValue => ({ value, static: null, whenTrue: NO_REFINEMENTS, whenFalse: NO_REFINEMENTS });

function isCallee(e: TS.Expression): boolean {
  return ts.isCallExpression(e.parent) && e.parent.expression === e;
}

export function typeLabel(t: JitType): string {
  return t.kind === "Optional" ? `Optional[${typeLabel(t.element)}]` : t.kind === "List" ? `List[${typeLabel(t.element)}]` : t.kind;
}

export function describe(s: Sugared): string {
  switch (s.kind) {
    case "namespace": return `the namespace '${s.name}'`;
    case "builtin": return `the builtin '${s.op}'`;
    case "function": return `the function '${s.fn.name}'`;
    case "method": return `the method '${s.name}'`;
    case "module": return `the module '${s.info.script.original_name}'`;
    case "none": return "None";
    case "value": return `a value of type ${typeLabel(s.value.type)}`;
  }
}

export { ScriptError, optionalType };
