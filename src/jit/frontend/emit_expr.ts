/**
 * Expressions: TypeScript AST → graph values (TorchScript's emitExpr / emitSugaredExpr).
 * Python's operators never reach the graph as operators: `a + b` is `aten::add`, `a < b` is
 * `aten::lt`, `a && b` is a prim::If (short circuit), `c ? a : b` a prim::If with one output,
 * as the printer's `torch.add(...)` forms show.
 */
import ts from "typescript";
import {
  Attr, Types, insertConstant, listType, optionalType, tupleType, unifyTypes, type ConstantValue, type Graph,
  type JitType, type Value,
} from "../ir/index.js";
import { callResult, emitBuiltinCall, SchemaMatchError, type CallArgs } from "./call_schema.js";
import type { Environment } from "./environment.js";
import { scriptError, ScriptError } from "./errors.js";
import { resolveNamespaceMember, resolveGlobal, type CompileHooks } from "./resolve.js";
import type { SourceText } from "./source.js";
import { asSugared, type ModuleInfo, type Sugared } from "./sugared.js";

const BINARY_OPS: Readonly<Partial<Record<ts.SyntaxKind, string>>> = {
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
};

/** Methods of lists, dicts and strings spelled the JS way, and the builtin each is. */
const CONTAINER_METHODS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  List: { push: "aten::append", pop: "aten::pop", includes: "aten::__contains__", indexOf: "aten::index", slice: "aten::slice", reverse: "aten::reverse", sort: "aten::sort", insert: "aten::insert", clear: "aten::clear", extend: "aten::extend", copy: "aten::copy", count: "aten::count" },
  Dict: { get: "aten::__getitem__", set: "aten::_set_item", has: "aten::__contains__", keys: "aten::keys", values: "aten::values", items: "aten::items", delete: "aten::pop", clear: "aten::clear" },
  str: { startsWith: "aten::startswith", endsWith: "aten::endswith", toUpperCase: "aten::upper", toLowerCase: "aten::lower", trim: "aten::strip", split: "aten::split", replace: "aten::replace", includes: "aten::__contains__", indexOf: "aten::find" },
};

/** Tensor properties read as ops: `x.shape` is `aten::size(x)`. */
const TENSOR_PROPERTIES: Readonly<Record<string, string>> = {
  shape: "aten::size", dtype: "prim::dtype", device: "prim::device", requires_grad: "prim::requires_grad",
  is_cuda: "prim::is_cuda", ndim: "aten::dim", T: "aten::numpy_T",
};

export function isFloatLiteral(text: string): boolean {
  return !/^0[xXbBoO]/.test(text) && /[.eE]/.test(text);
}

export class ExprEmitter {
  constructor(
    readonly g: Graph,
    readonly env: Environment,
    readonly src: SourceText,
    readonly hooks: CompileHooks,
    readonly self: { value: Value; info: ModuleInfo } | null,
  ) {}

  fail(node: ts.Node, what: string): never {
    throw scriptError(this.src, node, what);
  }

  constant(c: ConstantValue): Value {
    return insertConstant(this.g, c);
  }

  /** An expression as a graph value; `hint` is the expected type (array literals, empty containers). */
  value(e: ts.Expression, hint?: JitType | null): Value {
    return this.asValue(e, this.sugared(e, hint ?? null));
  }

  asValue(node: ts.Node, s: Sugared): Value {
    switch (s.kind) {
      case "value":
      case "module":
        return s.value;
      case "none":
        return this.constant({ type: "None" });
      default:
        return this.fail(node, `${describe(s)} cannot be used as a value`);
    }
  }

  sugared(e: ts.Expression, hint: JitType | null = null): Sugared {
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
    if (ts.isElementAccessExpression(e)) return asSugared(this.elementAccess(e));
    if (ts.isCallExpression(e)) return this.call(e, hint);
    if (ts.isBinaryExpression(e)) return asSugared(this.binary(e));
    if (ts.isPrefixUnaryExpression(e)) return asSugared(this.prefixUnary(e));
    if (ts.isConditionalExpression(e)) return asSugared(this.conditional(e, hint));
    if (ts.isArrayLiteralExpression(e)) return asSugared(this.arrayLiteral(e, hint));
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return this.fail(e, "Closures are not supported in TorchScript: define a top-level function or a method instead");
    if (ts.isObjectLiteralExpression(e)) return this.fail(e, "Arbitrary JavaScript objects are not supported in TorchScript (an object literal is only allowed as the keyword arguments of a call)");
    if (ts.isNewExpression(e)) return this.fail(e, "Constructing JavaScript objects with 'new' is not supported in TorchScript");
    if (ts.isYieldExpression(e)) return this.fail(e, "Generators are not supported in TorchScript");
    if (ts.isAwaitExpression(e)) return this.fail(e, "'await' is not supported in TorchScript: use torch.jit.fork and torch.jit.wait");
    if (ts.isPostfixUnaryExpression(e) || (ts.isBinaryExpression(e))) return this.fail(e, "Assignments are statements in TorchScript, not expressions");
    return this.fail(e, `${ts.SyntaxKind[e.kind]} expressions are not supported in TorchScript`);
  }

  // ---- names ----

  private identifier(e: ts.Identifier): Sugared {
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

  private property(e: ts.PropertyAccessExpression): Sugared {
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

  private moduleAttribute(e: ts.Node, self: Value, info: ModuleInfo, name: string): Sugared {
    const c = info.constant(name);
    if (c) return asSugared(this.constant(c));
    const sub = info.submodule(name);
    const type = info.attributeType(name);
    if (sub && type) {
      return { kind: "module", value: this.getAttr(self, name, type), info: sub };
    }
    if (type) return asSugared(this.getAttr(self, name, type));
    if (info.hasMethod(name)) return { kind: "method", self, info, name };
    return this.fail(e, `Module '${info.script.original_name}' has no attribute '${name}' (it is not a parameter, buffer, submodule, scriptable attribute or method)`);
  }

  getAttr(obj: Value, name: string, type: JitType): Value {
    const n = this.g.insert("prim::GetAttr", [obj], [type]);
    n.setAttr("name", Attr.s(name));
    n.output().setDebugName(/^[A-Za-z_]\w*$/.test(name) ? name : `_${name}`);
    return n.output();
  }

  private valueProperty(e: ts.PropertyAccessExpression, v: Value, name: string): Sugared {
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

  builtin(node: ts.Node, op: string, args: CallArgs): Value {
    try {
      const n = emitBuiltinCall(this.g, op, args);
      return callResult(this.g, n) ?? this.constant({ type: "None" });
    } catch (err) {
      if (err instanceof SchemaMatchError) this.fail(node, err.message);
      throw err;
    }
  }

  callArgs(args: readonly ts.Expression[], self: Value | null, hints: readonly (JitType | null)[] = []): CallArgs {
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

  private call(e: ts.CallExpression, hint: JitType | null): Sugared {
    if (e.expression.kind === ts.SyntaxKind.SuperKeyword) this.fail(e, "super() calls are not supported in TorchScript");
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

  callMethod(e: ts.CallExpression, self: Value, info: ModuleInfo, name: string): Value {
    const graph = this.hooks.method(info, name, e);
    const args = this.callArgs(e.arguments, null, graph.inputs.slice(1).map((v) => v.type));
    if (args.keywords.size) this.fail(e, "keyword arguments to module methods are not supported yet");
    const n = this.g.insert("prim::CallMethod", [self, ...args.positional], graph.outputs.map((o) => o.type));
    n.setAttr("name", Attr.s(name));
    return n.output();
  }

  private callFunction(e: ts.CallExpression, fn: Function, qualifiedName: string | null): Value {
    const compiled = this.hooks.func(fn, qualifiedName, e);
    const args = this.callArgs(e.arguments, null, compiled.graph.inputs.map((v) => v.type));
    const inputs = compiled.graph.inputs;
    // missing trailing arguments take the function's defaults
    const given = args.positional.slice();
    for (let i = given.length; i < inputs.length; i++) {
      const d = compiled.defaults[i];
      if (!d) this.fail(e, `${compiled.qualifiedName}() is missing argument ${i + 1}`);
      given.push(this.constant(d));
    }
    const f = this.g.insert("prim::Constant", [], [{ kind: "Function", name: compiled.qualifiedName }]);
    f.setAttr("name", Attr.s(compiled.qualifiedName.slice(compiled.qualifiedName.lastIndexOf(".") + 1)));
    const n = this.g.insert("prim::CallFunction", [f.output(), ...given], compiled.graph.outputs.map((o) => o.type));
    return n.output();
  }

  // ---- operators ----

  private binary(e: ts.BinaryExpression): Value {
    const k = e.operatorToken.kind;
    if (k === ts.SyntaxKind.AmpersandAmpersandToken || k === ts.SyntaxKind.BarBarToken) return this.shortCircuit(e);
    if (k === ts.SyntaxKind.InstanceOfKeyword || k === ts.SyntaxKind.InKeyword) return this.fail(e.operatorToken, `'${e.operatorToken.getText(this.src.sourceFile)}' is not supported in TorchScript`);
    if (k === ts.SyntaxKind.QuestionQuestionToken) return this.fail(e.operatorToken, "'??' is not supported in TorchScript: test `x !== null` instead");
    const isNull = (x: ts.Expression) => x.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(x) && x.text === "undefined");
    const equality = k === ts.SyntaxKind.EqualsEqualsEqualsToken || k === ts.SyntaxKind.EqualsEqualsToken;
    const inequality = k === ts.SyntaxKind.ExclamationEqualsEqualsToken || k === ts.SyntaxKind.ExclamationEqualsToken;
    if ((equality || inequality) && (isNull(e.left) || isNull(e.right))) {
      const l = this.value(e.left);
      const r = this.value(e.right);
      return this.builtin(e, equality ? "aten::__is__" : "aten::__isnot__", { positional: [l, r], keywords: new Map() });
    }
    const op = BINARY_OPS[k];
    if (!op) return this.fail(e.operatorToken, `The operator '${e.operatorToken.getText(this.src.sourceFile)}' is not supported in TorchScript`);
    return this.binaryOp(e, op, this.value(e.left), this.value(e.right));
  }

  /** `a op b`; a number on the left of a Tensor swaps for commutative ops, as Python's __radd__. */
  binaryOp(node: ts.Node, op: string, l: Value, r: Value): Value {
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

  private prefixUnary(e: ts.PrefixUnaryExpression): Value {
    if (e.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(e.operand)) {
      const text = e.operand.getText(this.src.sourceFile);
      return this.constant(isFloatLiteral(text) ? { type: "float", value: -Number(e.operand.text) } : { type: "int", value: -Number(e.operand.text) });
    }
    if (e.operator === ts.SyntaxKind.MinusToken) return this.builtin(e, "aten::neg", { positional: [this.value(e.operand)], keywords: new Map() });
    if (e.operator === ts.SyntaxKind.ExclamationToken) return this.builtin(e, "aten::__not__", { positional: [this.condition(e.operand)], keywords: new Map() });
    if (e.operator === ts.SyntaxKind.TildeToken) return this.builtin(e, "aten::bitwise_not", { positional: [this.value(e.operand)], keywords: new Map() });
    return this.fail(e, "'++' and '--' are statements in TorchScript (write `i += 1`)");
  }

  /** A value in a boolean position: a bool, or `bool(tensor)` (Note [tensor conditions]). */
  condition(e: ts.Expression): Value {
    // Note [tensor conditions]: `if (t.item())` reads a one-element tensor as a JS boolean; TorchScript
    // writes that `if bool(t)`, so `.item()` in a condition is aten::Bool of the tensor itself.
    let inner = e;
    while (ts.isParenthesizedExpression(inner)) inner = inner.expression;
    if (ts.isCallExpression(inner) && inner.arguments.length === 0 && ts.isPropertyAccessExpression(inner.expression) && inner.expression.name.text === "item") {
      const t = this.value(inner.expression.expression);
      if (t.type.kind === "Tensor") return this.builtin(e, "aten::Bool", { positional: [t], keywords: new Map() });
    }
    const v = this.value(e);
    return this.toBool(e, v);
  }

  toBool(node: ts.Node, v: Value): Value {
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
  private shortCircuit(e: ts.BinaryExpression): Value {
    const and = e.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken;
    const first = this.condition(e.left);
    const n = this.g.insert("prim::If", [first], 0);
    const [thenB, elseB] = [n.addBlock(), n.addBlock()];
    const evalSecond = and ? thenB : elseB;
    const shortcut = and ? elseB : thenB;
    const second = this.inBlock(evalSecond, () => this.condition(e.right));
    evalSecond.registerOutput(second);
    shortcut.registerOutput(this.g.withInsertPoint(shortcut, () => this.constant({ type: "bool", value: !and })));
    return n.addOutput(Types.bool);
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

  private conditional(e: ts.ConditionalExpression, hint: JitType | null): Value {
    const c = this.condition(e.condition);
    const n = this.g.insert("prim::If", [c], 0);
    const [thenB, elseB] = [n.addBlock(), n.addBlock()];
    const a = this.inBlock(thenB, () => this.value(e.whenTrue, hint));
    const b = this.inBlock(elseB, () => this.value(e.whenFalse, hint));
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
  arrayLiteral(e: ts.ArrayLiteralExpression, hint: JitType | null, preferTuple = false): Value {
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

  private template(e: ts.TemplateExpression): Value {
    let fmt = e.head.text;
    const args: Value[] = [];
    for (const span of e.templateSpans) {
      args.push(this.value(span.expression));
      fmt += `{}${span.literal.text}`;
    }
    return this.builtin(e, "aten::format", { positional: [this.constant({ type: "str", value: fmt }), ...args], keywords: new Map() });
  }

  private elementAccess(e: ts.ElementAccessExpression): Value {
    const base = this.value(e.expression);
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
  unwrapOptional(_node: ts.Node, v: Value): Value {
    if (v.type.kind !== "Optional") return v;
    return this.g.insert("prim::unchecked_cast", [v], [v.type.element]).output();
  }
}

function isCallee(e: ts.Expression): boolean {
  return ts.isCallExpression(e.parent) && e.parent.expression === e;
}

export function typeLabel(t: JitType): string {
  return t.kind === "Optional" ? `Optional[${typeLabel(t.element)}]` : t.kind === "List" ? `List[${typeLabel(t.element)}]` : t.kind;
}

function describe(s: Sugared): string {
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
