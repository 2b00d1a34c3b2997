/**
 * Calls the compiler treats itself rather than through a callee value (TorchScript's special
 * forms): JS conversions (`Number(x)` is `float(x)`), `Math.floor(a / b)` on ints (`a // b`),
 * `Object.entries(d)`, list comprehensions (`xs.map((x) => e)`), tensor indexing
 * (`x.index(mask)`), children of module containers (`this.acts.get("relu")`) and
 * `torch.jit.isinstance` (Note [refinement] in refinement.ts).
 */
import type TS from "typescript";
import { lazyTypescript as ts } from "../../util/typescript.js";
import { Attr, Types, isSubtypeOf, listType, optionalType, parseType, type JitType, type Value } from "../ir/index.js";
import { CONVERSIONS, isJitCall, typeLabel, describe, type ExprEmitter } from "./emit_expr.js";
import { NO_REFINEMENTS, type CondValue, type Refinements } from "./refinement.js";
import { asSugared, type Sugared } from "./sugared.js";

/**
 * Calls whose meaning is not a callee value: JS conversions (`Number(x)` is `float(x)`,
 * `String(x)` is `str(x)`, `Boolean(x)` is `bool(x)`), `Math.floor(a / b)` on ints
 * (Python's `a // b`), and `m.get(key)` / `m.at(i)` on a ModuleDict, ModuleList or
 * Sequential with a literal key (PyTorch's `self.acts["relu"]`, a GetAttr). Null otherwise.
 */
export function specialCall(em: ExprEmitter, e: TS.CallExpression): Sugared | null {
  const callee = e.expression;
  if (isJitCall(e, "isinstance")) return asSugared(isinstanceCondition(em, e)!.value);
  if (ts.isIdentifier(callee) && CONVERSIONS[callee.text] && !em.env.typeOf(callee.text) && e.arguments.length === 1) {
    return asSugared(em.builtin(e, CONVERSIONS[callee.text]!, { positional: [em.value(e.arguments[0]!)], keywords: new Map() }));
  }
  if (!ts.isPropertyAccessExpression(callee)) return null;
  const name = callee.name.text;
  const objectFn = { entries: "aten::items", keys: "aten::keys", values: "aten::values" }[name];
  if (ts.isIdentifier(callee.expression) && callee.expression.text === "Object" && objectFn && e.arguments.length === 1) {
    const d = em.value(e.arguments[0]!);
    if (d.type.kind !== "Dict") em.fail(e.arguments[0]!, `Object.${name} compiles for dicts (Record<K, V>) only; found ${typeLabel(d.type)}`);
    return asSugared(em.builtin(e, objectFn, { positional: [d], keywords: new Map() }));
  }
  if (ts.isIdentifier(callee.expression) && callee.expression.text === "Math" && name === "floor" && e.arguments.length === 1) {
    let arg = e.arguments[0]!;
    while (ts.isParenthesizedExpression(arg)) arg = arg.expression;
    if (ts.isBinaryExpression(arg) && arg.operatorToken.kind === ts.SyntaxKind.SlashToken) {
      const l = em.value(arg.left);
      const r = em.value(arg.right);
      if (l.type.kind !== "Tensor" && r.type.kind !== "Tensor") return asSugared(em.builtin(e, "aten::floordiv", { positional: [l, r], keywords: new Map() }));
      return asSugared(em.builtin(e, "aten::floor", { positional: [em.binaryOp(arg, "aten::div", l, r)], keywords: new Map() }));
    }
    return null;
  }
  if (name === "map" && e.arguments.length === 1 && (ts.isArrowFunction(e.arguments[0]!) || ts.isFunctionExpression(e.arguments[0]!))) {
    const base = em.sugared(callee.expression);
    if (base.kind === "value" && (base.value.type.kind === "List" || base.value.type.kind === "Tensor")) {
      return asSugared(comprehension(em, e.arguments[0] as TS.ArrowFunction | TS.FunctionExpression, base.value));
    }
    return callOn(em, e, base, callee);
  }
  if (name === "toSorted") {
    const base = em.sugared(callee.expression);
    if (base.kind === "value" && base.value.type.kind === "List") return asSugared(sortedCopy(em, e, base.value));
    return callOn(em, e, base, callee);
  }
  if (name === "index" && e.arguments.length > 0) {
    const base = em.sugared(callee.expression);
    if (base.kind === "value" && base.value.type.kind === "Tensor") return asSugared(tensorIndex(em, e, base.value));
    return callOn(em, e, base, callee);
  }
  if ((name === "get" || name === "at") && e.arguments.length === 1) {
    const key = e.arguments[0]!;
    if (!ts.isStringLiteral(key) && !ts.isNumericLiteral(key)) return null;
    const base = em.sugared(callee.expression);
    if (base.kind !== "module" || !base.info.submodule(key.text)) {
      if (base.kind === "module") em.fail(key, `'${base.info.script.original_name}' has no submodule '${key.text}'`);
      return callOn(em, e, base, callee);
    }
    return em.moduleAttribute(e, base.value, base.info, key.text);
  }
  return null;
}

/**
 * `x.index(mask)` / `x.index(i, j)` with tensor (or null) items: PyTorch's `x[mask]`,
 * `aten::index(x, [mask])` with the items as a `List[Optional[Tensor]]`. Other items (ints,
 * slices, "...") are not compiled yet.
 */
function tensorIndex(em: ExprEmitter, e: TS.CallExpression, x: Value): Value {
  const items = e.arguments.map((a) => {
    const v = em.value(a);
    if (v.type.kind !== "Tensor" && v.type.kind !== "NoneType" && !(v.type.kind === "Optional" && v.type.element.kind === "Tensor")) {
      em.fail(a, `x.index(...) compiles tensor (or null) indices only; found ${typeLabel(v.type)} (use select / narrow / slice for ints and ranges)`);
    }
    return v;
  });
  const list = em.g.insert("prim::ListConstruct", items, [listType(optionalType(Types.tensor))]).output();
  return em.builtin(e, "aten::index", { positional: [x, list], keywords: new Map() });
}

/**
 * `xs.map((x) => e)`: PyTorch's list comprehension `[e for x in xs]`, an empty list that a
 * loop appends to (the element type is the first value's); the function is inlined, so it
 * is no closure. Over a tensor it maps its first dimension.
 */
function comprehension(em: ExprEmitter, fn: TS.ArrowFunction | TS.FunctionExpression, xs: Value): Value {
  const [param, more] = fn.parameters;
  if (!param || more || !ts.isIdentifier(param.name)) em.fail(fn, "A comprehension `xs.map((x) => ...)` takes one named parameter");
  let body: TS.Expression | null = null;
  if (!ts.isBlock(fn.body)) body = fn.body;
  else if (fn.body.statements.length === 1 && ts.isReturnStatement(fn.body.statements[0]!)) body = fn.body.statements[0].expression ?? null;
  if (!body) return em.fail(fn, "A comprehension `xs.map((x) => ...)` must compute one expression");
  const list = em.g.insert("prim::ListConstruct", [], [listType(Types.any)]).output();
  const none = new Map<string, Value>();
  const len = em.builtin(fn, "aten::len", { positional: [xs], keywords: none });
  const always = em.constant({ type: "bool", value: true });
  const loop = em.g.insert("prim::Loop", [len, always], 0);
  const b = loop.addBlock();
  const trip = b.addInput(undefined, Types.int);
  const name = param.name.text;
  em.inBlock(b, () => {
    const item = xs.type.kind === "List"
      ? em.builtin(fn, "aten::__getitem__", { positional: [xs, trip], keywords: none })
      : em.builtin(fn, "aten::select", { positional: [xs, em.constant({ type: "int", value: 0 }), trip], keywords: none });
    const err = em.env.assign(name, item);
    if (err) em.fail(param, err);
    const v = em.value(body!);
    list.setType(listType(v.type));
    em.builtin(fn, "aten::append", { positional: [list, v], keywords: none });
    b.registerOutput(always);
  });
  return list;
}

/** A method call on an already emitted receiver (specialCall looked at it and passed). */
function callOn(em: ExprEmitter, e: TS.CallExpression, base: Sugared, callee: TS.PropertyAccessExpression): Sugared {
  if (base.kind !== "value") return em.fail(callee, `${describe(base)} has no attribute '${callee.name.text}' in TorchScript`);
  const m = em.valueProperty(callee, base.value, callee.name.text);
  if (m.kind !== "builtin") return em.fail(e, `${describe(m)} is not callable`);
  return asSugared(em.builtin(e, m.op, em.callArgs(e.arguments, m.self)));
}

/**
 * `torch.jit.isinstance(x, "T")` (Note [refinement], Note [static conditions]): static when
 * x's type decides (a subtype of T: true; neither Optional, Union nor Any: false), else
 * prim::isinstance, refining a local `x` to T in the then-branch. Null for other calls.
 */
export function isinstanceCondition(em: ExprEmitter, e: TS.CallExpression): CondValue | null {
  if (!isJitCall(e, "isinstance")) return null;
  const [subject, spec] = e.arguments;
  if (!subject || !spec || e.arguments.length !== 2) return em.fail(e, "torch.jit.isinstance takes a value and a type: torch.jit.isinstance(x, \"List[int]\")");
  if (!ts.isStringLiteral(spec) && !ts.isNoSubstitutionTemplateLiteral(spec)) return em.fail(spec, "The type of torch.jit.isinstance must be a string literal naming a TorchScript type (\"Dict[str, Tensor]\")");
  let type: JitType;
  try {
    type = parseType(spec.text);
  } catch (err) {
    return em.fail(spec, `'${spec.text}' is not a TorchScript type (${(err as Error).message})`);
  }
  const v = em.value(subject);
  const t = v.type;
  let known: boolean | null = null;
  if (isSubtypeOf(t, type)) known = true;
  else if (t.kind !== "Optional" && t.kind !== "Union" && t.kind !== "Any") known = false;
  if (known !== null) return { value: em.constant({ type: "bool", value: known }), static: known, whenTrue: NO_REFINEMENTS, whenFalse: NO_REFINEMENTS };
  const n = em.g.insert("prim::isinstance", [v], [Types.bool]);
  n.setAttr("types", Attr.tys([type]));
  let inner = subject;
  while (ts.isParenthesizedExpression(inner)) inner = inner.expression;
  const refine: Refinements = ts.isIdentifier(inner) && em.env.typeOf(inner.text) ? new Map([[inner.text, type]]) : NO_REFINEMENTS;
  return { value: n.output(), static: null, whenTrue: refine, whenFalse: NO_REFINEMENTS };
}

/**
 * `xs.toSorted((a, b) => a - b)`: Python's `sorted(xs)`, a new list in ascending order. JS sorts
 * numbers as strings without a comparator, so for numbers the ascending comparator is required
 * (anything else would sort differently from the eager code); strings sort the same either way.
 */
function sortedCopy(em: ExprEmitter, e: TS.CallExpression, xs: Value): Value {
  const element = xs.type.kind === "List" ? xs.type.element.kind : "";
  const [cmp] = e.arguments;
  if (e.arguments.length > 1 || (cmp === undefined ? element !== "str" : !isAscending(cmp))) {
    em.fail(e, "xs.toSorted(...) compiles to sorted(xs): pass the ascending comparator `(a, b) => a - b` (or nothing, for a list of strings)");
  }
  return em.builtin(e, "aten::sorted", { positional: [xs], keywords: new Map() });
}

/** `(a, b) => a - b`, the comparator of ascending numeric order. */
function isAscending(f: TS.Expression): boolean {
  if (!ts.isArrowFunction(f) || f.parameters.length !== 2) return false;
  const [a, b] = f.parameters.map((p) => (ts.isIdentifier(p.name) ? p.name.text : null));
  let body: TS.Node = f.body;
  while (ts.isParenthesizedExpression(body)) body = body.expression;
  return a !== null && b !== null && ts.isBinaryExpression(body) && body.operatorToken.kind === ts.SyntaxKind.MinusToken &&
    ts.isIdentifier(body.left) && body.left.text === a && ts.isIdentifier(body.right) && body.right.text === b;
}
