/**
 * Statements and whole functions (TorchScript's ir_emitter.cpp, 1.13): variables as
 * prim::Store / prim::Load, `if` as prim::If, loops as prim::Loop (a counting `for` is
 * `for i in range(n)`), and `return` / `break` / `continue` as placeholder nodes
 * (prim::ReturnStmt, prim::BreakStmt, prim::ContinueStmt) that exits.ts lowers afterwards.
 */
import type TS from "typescript";
import { lazyTypescript as ts } from "../../util/typescript.js";
import {
  Attr, Types, isSubtypeOf, listType, optionalType, printType, unifyTypes, type Block, type JitType, type Value,
} from "../ir/index.js";
import { ExprEmitter, typeLabel } from "./emit_expr.js";
import { resolveType } from "./types.js";
import type { ModuleInfo } from "./sugared.js";

const INT_MAX = 9223372036854775807n;

/** Compound assignment tokens; built on first use, as reading ts.SyntaxKind loads the compiler. */
let compoundOps: Readonly<Partial<Record<TS.SyntaxKind, string>>> | undefined;
const COMPOUND = (): Readonly<Partial<Record<TS.SyntaxKind, string>>> => (compoundOps ??= {
  [ts.SyntaxKind.PlusEqualsToken]: "add",
  [ts.SyntaxKind.MinusEqualsToken]: "sub",
  [ts.SyntaxKind.AsteriskEqualsToken]: "mul",
  [ts.SyntaxKind.SlashEqualsToken]: "div",
  [ts.SyntaxKind.PercentEqualsToken]: "remainder",
});

/** Python exception classes a `throw new XError(msg)` maps to; anything else is Exception. */
const EXCEPTIONS = new Set(["ValueError", "TypeError", "RuntimeError", "IndexError", "KeyError", "AssertionError", "NotImplementedError"]);

interface LoopContext {
  /** The while condition, re-evaluated by `continue`; null for counting loops. */
  readonly cond: TS.Expression | null;
  /** A loop over modules, unrolled (Note [unrolled module loops]): break and continue cannot leave it. */
  readonly unrolled?: boolean;
}

export class FunctionEmitter extends ExprEmitter {
  private readonly loops: LoopContext[] = [];
  declaredReturn: JitType | null = null;
  mergedReturn: JitType | null = null;

  /** Emits a function body into the graph (inputs already added and assigned). */
  emitBody(body: TS.ConciseBody, declaredReturn: JitType | null): void {
    this.declaredReturn = declaredReturn;
    if (ts.isBlock(body)) this.statements(body.statements);
    else this.emitReturn(body, body);
    const top = this.g.block;
    if (!this.exitBlocks.has(top)) {
      if (declaredReturn && declaredReturn.kind !== "NoneType") {
        this.fail(body, `Function was not annotated as having type None, but does not return along all paths`);
      }
      this.returnValue(this.constant({ type: "None" }));
    } else if (!this.mergedReturn) this.mergedReturn = declaredReturn ?? Types.none;
    // ReturnStmt nodes set the real output when exits.ts lowers them (ir_emitter's emitOutput)
    const placeholder = this.g.insert("prim::Uninitialized", [], [this.mergedReturn!]);
    this.g.registerOutput(placeholder.output());
  }

  statements(stmts: readonly TS.Statement[]): void {
    for (const s of stmts) {
      this.statement(s);
      // the rest of the block is unreachable
      if (this.exitBlocks.has(this.env.top.block)) return;
    }
  }

  private statement(s: TS.Statement): void {
    if (ts.isVariableStatement(s)) return this.variables(s.declarationList);
    if (ts.isExpressionStatement(s)) return this.expressionStatement(s.expression);
    if (ts.isIfStatement(s)) return this.emitIf(s);
    if (ts.isReturnStatement(s)) return this.emitReturn(s, s.expression);
    if (ts.isForStatement(s)) return this.emitCountingFor(s);
    if (ts.isForOfStatement(s)) return this.emitForOf(s);
    if (ts.isWhileStatement(s)) return this.emitWhile(s);
    if (ts.isBreakStatement(s) || ts.isContinueStatement(s)) return this.emitLoopExit(s);
    if (ts.isThrowStatement(s)) return this.emitThrow(s);
    if (ts.isBlock(s)) return this.statements(s.statements);
    if (ts.isEmptyStatement(s)) return;
    if (ts.isFunctionDeclaration(s)) this.fail(s, "Closures are not supported in TorchScript: nested functions cannot be compiled (define it at top level)");
    if (ts.isClassDeclaration(s)) this.fail(s, "Class definitions inside a scripted function are not supported in TorchScript");
    if (ts.isTryStatement(s)) this.fail(s, "try/catch is not supported in TorchScript");
    if (ts.isSwitchStatement(s)) this.fail(s, "switch is not supported in TorchScript: use if / else if");
    if (ts.isDoStatement(s)) this.fail(s, "do/while is not supported in TorchScript: use while");
    if (ts.isForInStatement(s)) this.fail(s, "for...in is not supported in TorchScript: use for...of");
    this.fail(s, `${ts.SyntaxKind[s.kind]} is not supported in TorchScript`);
  }

  // ---- variables and assignment ----

  private variables(list: TS.VariableDeclarationList): void {
    for (const d of list.declarations) {
      const declared = d.type ? resolveType(this.src, d.type) : null;
      if (ts.isIdentifier(d.name)) {
        const name = d.name.text;
        if (!d.initializer) {
          if (!declared) this.fail(d, `A variable declared without a value needs a type annotation (\`let ${name}: Tensor;\`)`);
          this.env.declare(name, declared);
          continue;
        }
        const s = this.sugared(d.initializer, declared);
        if (s.kind !== "value" && s.kind !== "none") {
          if (declared) this.fail(d.initializer, `'${name}' is annotated but holds ${s.kind === "module" ? "a module" : "a non-value"}`);
          this.env.bindSugared(name, s);
          continue;
        }
        if (declared) this.env.declare(name, declared);
        this.assignName(d, name, this.asValue(d.initializer, s));
      } else if (ts.isArrayBindingPattern(d.name) && d.initializer) {
        const v = this.destructuringSource(d.initializer, declared);
        this.unpack(d.name, d.name.elements.map((el) => (ts.isBindingElement(el) && ts.isIdentifier(el.name) ? el.name : null)), v);
      } else {
        this.fail(d.name, "Only plain names and array destructuring (`const [a, b] = ...`) can be declared in TorchScript");
      }
    }
  }

  private destructuringSource(e: TS.Expression, hint: JitType | null): Value {
    let inner = e;
    while (ts.isParenthesizedExpression(inner)) inner = inner.expression;
    if (ts.isArrayLiteralExpression(inner)) return this.arrayLiteral(inner, hint, true);
    return this.value(e, hint);
  }

  private assignName(node: TS.Node, name: string, v: Value): void {
    const err = this.env.assign(name, v);
    if (err) this.fail(node, err);
  }

  /** `[a, b] = tuple` / `const [a, b] = tuple`: prim::TupleUnpack (or ListUnpack), then one store each. */
  private unpack(node: TS.Node, targets: readonly (TS.Identifier | null)[], v: Value): void {
    const t = v.type;
    let types: JitType[];
    let kind: string;
    if (t.kind === "Tuple") {
      if (t.elements.length !== targets.length) this.fail(node, `too ${t.elements.length < targets.length ? "few" : "many"} values to unpack: need ${targets.length} but found ${t.elements.length}`);
      types = t.elements.slice();
      kind = "prim::TupleUnpack";
    } else if (t.kind === "List") {
      types = targets.map(() => t.element);
      kind = "prim::ListUnpack";
    } else {
      return this.fail(node, `cannot unpack a value of type ${typeLabel(t)}`);
    }
    const n = this.g.insert(kind, [v], types);
    targets.forEach((id, i) => {
      if (id) this.assignName(id, id.text, n.outputs[i]!);
    });
  }

  /** The type of a plain local (for hints), without emitting anything; null otherwise. */
  private valueTypeOf(e: TS.Expression): JitType | null {
    return ts.isIdentifier(e) ? this.env.typeOf(e.text) : null;
  }

  /**
   * `assert(c, msg)` (node:assert's, which throws in eager code): PyTorch's `assert c, msg`,
   * `if c: pass else: raise AssertionError(msg)` printed as one-argument RaiseException.
   */
  private emitAssert(e: TS.CallExpression): void {
    const [c, msg] = e.arguments;
    if (!c || e.arguments.length > 2) this.fail(e, "assert takes a condition and an optional message: assert(c, \"message\")");
    const cond = this.condition(c);
    const n = this.g.insert("prim::If", [cond], 0);
    n.addBlock();
    const fail = n.addBlock();
    this.g.withInsertPoint(fail, () => {
      let text: Value;
      if (!msg) text = this.constant({ type: "str", value: "AssertionError: " });
      else if (ts.isStringLiteral(msg) || ts.isNoSubstitutionTemplateLiteral(msg)) text = this.constant({ type: "str", value: `AssertionError: ${msg.text}` });
      else text = this.builtin(msg, "aten::add", { positional: [this.constant({ type: "str", value: "AssertionError: " }), this.value(msg)], keywords: new Map() });
      this.g.insert("prim::RaiseException", [text], 0);
    });
  }

  /**
   * `x.set(index, v)`, the eager API's `x[index] = v`: as PyTorch lowers a subscript
   * assignment, `copy_(select(x, 0, i), v)` for an int index (`fill_` for a number) and
   * `index_put_(x, [mask], v)` for a tensor index.
   */
  private emitTensorSet(e: TS.CallExpression, x: Value): void {
    const [idx, rhs] = e.arguments;
    if (!idx || !rhs || e.arguments.length !== 2) this.fail(e, "x.set(index, value) takes an index and a value");
    const i = this.value(idx);
    const v = this.value(rhs);
    const none = new Map<string, Value>();
    if (i.type.kind === "int") {
      const row = this.builtin(e, "aten::select", { positional: [x, this.constant({ type: "int", value: 0 }), i], keywords: none });
      this.builtin(e, v.type.kind === "Tensor" ? "aten::copy_" : "aten::fill_", { positional: [row, v], keywords: none });
      return;
    }
    if (i.type.kind !== "Tensor") this.fail(idx, `x.set compiles an int or a tensor index; found ${typeLabel(i.type)}`);
    let value = v;
    if (v.type.kind !== "Tensor") {
      const dtype = this.builtin(e, "prim::dtype", { positional: [x], keywords: none });
      const device = this.builtin(e, "prim::device", { positional: [x], keywords: none });
      value = this.builtin(e, "aten::tensor", { positional: [v], keywords: new Map([["dtype", dtype], ["device", device]]) });
    }
    // the index list right before the call, as PyTorch builds it while matching the schema
    const list = this.g.insert("prim::ListConstruct", [i], [listType(optionalType(Types.tensor))]).output();
    this.builtin(e, "aten::index_put_", { positional: [x, list, value], keywords: none });
  }

  private expressionStatement(e: TS.Expression): void {
    if (ts.isCallExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === "assert" && !this.env.typeOf("assert")) return this.emitAssert(e);
    if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === "set") {
      const base = this.sugared(e.expression.expression);
      if (base.kind === "value" && base.value.type.kind === "Tensor") return this.emitTensorSet(e, base.value);
      if (base.kind === "value" && base.value.type.kind === "Dict" && e.arguments.length === 2) {
        // `m.set(k, v)` is Python's `m[k] = v`, which evaluates the value first (as assignment below)
        const v = this.value(e.arguments[1]!, base.value.type.value);
        const k = this.value(e.arguments[0]!, base.value.type.key);
        this.builtin(e, "aten::_set_item", { positional: [base.value, k, v], keywords: new Map() });
        return;
      }
    }
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken) return this.assignment(e.left, e.right);
    if (ts.isBinaryExpression(e) && COMPOUND()[e.operatorToken.kind]) return this.compound(e.left, COMPOUND()[e.operatorToken.kind]!, () => this.value(e.right), e);
    if ((ts.isPostfixUnaryExpression(e) || ts.isPrefixUnaryExpression(e)) &&
      (e.operator === ts.SyntaxKind.PlusPlusToken || e.operator === ts.SyntaxKind.MinusMinusToken)) {
      return this.compound(e.operand, e.operator === ts.SyntaxKind.PlusPlusToken ? "add" : "sub", () => this.constant({ type: "int", value: 1 }), e);
    }
    this.value(e);
  }

  private assignment(target: TS.Expression, rhs: TS.Expression): void {
    if (ts.isIdentifier(target)) {
      const hint = this.env.typeOf(target.text);
      this.assignName(target, target.text, this.value(rhs, hint));
      return;
    }
    if (ts.isArrayLiteralExpression(target)) {
      const ids = target.elements.map((el) => (ts.isIdentifier(el) ? el : ts.isOmittedExpression(el) ? null : this.fail(el, "Only names can be assigned by destructuring in TorchScript")));
      this.unpack(target, ids, this.destructuringSource(rhs, null));
      return;
    }
    if (ts.isPropertyAccessExpression(target) && target.expression.kind === ts.SyntaxKind.ThisKeyword && this.self) {
      const name = target.name.text;
      const type = this.self.info.attributeType(name);
      if (!type || this.self.info.submodule(name)) this.fail(target, `Assignment to attribute '${name}' is not supported: it must be a scriptable attribute of the module`);
      const v = this.value(rhs, type);
      if (!isSubtypeOf(v.type, type)) this.fail(rhs, `Wrong type for attribute assignment. Expected ${printType(type)} but got ${printType(v.type)}`);
      const n = this.g.insert("prim::SetAttr", [this.self.value, v], 0);
      n.setAttr("name", Attr.s(name));
      return;
    }
    if (ts.isElementAccessExpression(target)) {
      // Python evaluates the value first, then the container and the index (`_0 = v * 2` before `_set_item`)
      const baseType = this.valueTypeOf(target.expression);
      const v = this.value(rhs, baseType?.kind === "List" ? baseType.element : baseType?.kind === "Dict" ? baseType.value : null);
      const base = this.value(target.expression);
      if (base.type.kind === "Tensor") this.fail(target, "Assign into a tensor with x.set(index, value) (PyTorch's x[index] = value): a JS index assignment does not write tensor elements");
      const index = this.value(target.argumentExpression);
      this.builtin(target, "aten::_set_item", { positional: [base, index, v], keywords: new Map() });
      return;
    }
    this.fail(target, "This assignment target is not supported in TorchScript");
  }

  /** `x op= e`: in place for tensors (aten::add_), a new value for numbers, as TorchScript's emitAugAssignment. */
  private compound(target: TS.Expression, op: string, rhs: () => Value, node: TS.Node): void {
    if (ts.isIdentifier(target)) {
      const cur = this.value(target);
      const r = rhs();
      if (cur.type.kind === "Tensor") {
        this.builtin(node, `aten::${op}_`, { positional: [cur, r], keywords: new Map() });
        return;
      }
      this.assignName(target, target.text, this.binaryOp(node, `aten::${op}`, cur, r));
      return;
    }
    if (ts.isPropertyAccessExpression(target) && target.expression.kind === ts.SyntaxKind.ThisKeyword && this.self) {
      const cur = this.value(target);
      const r = rhs();
      // a tensor attribute is updated in place and assigned the result (`self.count = torch.add_(count, 1)`)
      const v = cur.type.kind === "Tensor"
        ? this.builtin(node, `aten::${op}_`, { positional: [cur, r], keywords: new Map() })
        : this.binaryOp(node, `aten::${op}`, cur, r);
      const n = this.g.insert("prim::SetAttr", [this.self.value, v], 0);
      n.setAttr("name", Attr.s(target.name.text));
      return;
    }
    this.fail(target, "Augmented assignment is only supported on variables and module attributes in TorchScript");
  }

  // ---- control flow ----

  private emitIf(s: TS.IfStatement): void {
    const c = this.condValue(s.expression);
    if (c.static !== null) {
      // Note [static conditions]: only the branch taken is compiled, in the enclosing block
      this.insertRefinements(c.static ? c.whenTrue : c.whenFalse);
      const taken = c.static ? s.thenStatement : s.elseStatement;
      if (taken) this.statements(asList(taken));
      return;
    }
    const n = this.g.insert("prim::If", [c.value], 0);
    const thenB = n.addBlock();
    const elseB = n.addBlock();
    const thenFrame = this.inBlock(thenB, () => (this.insertRefinements(c.whenTrue), this.statements(asList(s.thenStatement)), this.env.top));
    const elseFrame = this.inBlock(elseB, () => (this.insertRefinements(c.whenFalse), s.elseStatement && this.statements(asList(s.elseStatement)), this.env.top));
    const thenExits = this.exitBlocks.has(thenB);
    const elseExits = this.exitBlocks.has(elseB);
    if (thenExits && elseExits) {
      this.exitBlocks.add(this.env.top.block);
      if (this.loopExitBlocks.has(thenB) && this.loopExitBlocks.has(elseB)) this.loopExitBlocks.add(this.env.top.block);
      return;
    }
    // a refinement on the branch that falls through holds after the if too: the exiting branch
    // gets a placeholder (escape below), as the code after the if ends up in the other branch (exits.ts)
    // variables visible after the if: assigned on every path that falls through
    const names = new Set([...thenFrame.vars.keys(), ...elseFrame.vars.keys()]);
    for (const name of [...names].sort()) {
      const before = this.env.typeOf(name);
      const tt = thenFrame.vars.get(name) ?? before;
      const et = elseFrame.vars.get(name) ?? before;
      // a branch left by break/continue still returns its own value of a variable it can see
      // (PyTorch's output for `acc = acc + 1; break`); one left by return or raise returns a placeholder
      const thenEscapes = thenExits && !(this.loopExitBlocks.has(thenB) && tt);
      const elseEscapes = elseExits && !(this.loopExitBlocks.has(elseB) && et);
      if (thenEscapes) {
        if (et && elseFrame.vars.has(name)) this.escape(name, et, thenB);
      } else if (elseEscapes) {
        if (tt && thenFrame.vars.has(name)) this.escape(name, tt, elseB);
      }
      else if (tt && et) {
        const u = unifyTypes(tt, et);
        if (u) this.env.top.vars.set(name, u);
      }
    }
  }

  /** A variable set only on the branch that falls through: the exiting branch gets a placeholder. */
  private escape(name: string, type: JitType, exiting: Block): void {
    this.g.withInsertPoint(exiting, () => {
      const u = this.g.insert("prim::Uninitialized", [], [type]).output();
      const st = this.g.insert("prim::Store", [u], 0);
      st.setAttr("name", Attr.s(name));
    });
    this.env.top.vars.set(name, type);
  }

  private emitReturn(node: TS.Node, e: TS.Expression | undefined): void {
    let v: Value;
    if (!e) v = this.constant({ type: "None" });
    else {
      let inner = e;
      while (ts.isParenthesizedExpression(inner)) inner = inner.expression;
      // Note [array literals]: a returned literal is a tuple unless a list is declared
      v = ts.isArrayLiteralExpression(inner) && this.declaredReturn?.kind !== "List"
        ? this.arrayLiteral(inner, this.declaredReturn, true)
        : this.value(e, this.declaredReturn);
    }
    const declared = this.declaredReturn;
    if (declared && !isSubtypeOf(v.type, declared)) {
      this.fail(e ?? node, `Return value was annotated as having type ${printType(declared)} but is actually of type ${printType(v.type)}`);
    }
    if (!declared && this.mergedReturn) {
      const u = unifyTypes(this.mergedReturn, v.type);
      if (!u) this.fail(e ?? node, `Previous return statement returned a value of type ${printType(this.mergedReturn)} but this return statement returns a value of type ${printType(v.type)}`);
      this.mergedReturn = u;
    } else this.mergedReturn = declared ?? v.type;
    this.returnValue(v);
  }

  private returnValue(v: Value): void {
    this.g.insert("prim::ReturnStmt", [v], 0);
    this.exitBlocks.add(this.env.top.block);
  }

  private emitThrow(s: TS.ThrowStatement): void {
    const e = s.expression;
    if (!ts.isNewExpression(e) || !ts.isIdentifier(e.expression) || !/Error$/.test(e.expression.text)) {
      this.fail(e, "Only `throw new Error(message)` (or another Error class) is supported in TorchScript");
    }
    const cls = e.expression.text;
    const msg = e.arguments?.[0] ? this.value(e.arguments[0]) : this.constant({ type: "str", value: "" });
    const name = EXCEPTIONS.has(cls) ? `builtins.${cls}` : "builtins.Exception";
    this.g.insert("prim::RaiseException", [msg, this.constant({ type: "str", value: name })], 0);
    this.exitBlocks.add(this.env.top.block);
  }

  private emitLoopExit(s: TS.BreakStatement | TS.ContinueStatement): void {
    const loop = this.loops[this.loops.length - 1];
    if (!loop) this.fail(s, `'${ts.isBreakStatement(s) ? "break" : "continue"}' outside a loop`);
    if (s.label) this.fail(s, "Labelled break/continue is not supported in TorchScript");
    if (loop.unrolled) this.fail(s, `'${ts.isBreakStatement(s) ? "break" : "continue"}' is not supported in a loop over modules (TorchScript unrolls it)`);
    if (ts.isBreakStatement(s)) this.g.insert("prim::BreakStmt", [], 0);
    else {
      // continue re-evaluates the loop condition (LoopContinuations inlines the condition block)
      const cond = loop.cond ? this.condition(loop.cond) : null;
      const n = this.g.insert("prim::ContinueStmt", cond ? [cond] : [], 0);
      void n;
    }
    this.exitBlocks.add(this.env.top.block);
    this.loopExitBlocks.add(this.env.top.block);
  }

  /**
   * The loop skeleton (emitLoopCommon): max trip count and start condition as inputs, a body
   * block whose first parameter is the trip count and whose first output is the next condition.
   */
  private loop(node: TS.Node, maxTrip: Value, cond: TS.Expression | null, bindTargets: (trip: Value) => void, body: TS.Statement): void {
    const start = cond ? this.condition(cond) : this.constant({ type: "bool", value: true });
    const n = this.g.insert("prim::Loop", [maxTrip, start], 0);
    const b = n.addBlock();
    const trip = b.addInput(undefined, Types.int);
    this.inBlock(b, () => {
      this.loops.push({ cond });
      try {
        bindTargets(trip);
        this.statements(asList(body));
        // a for loop's condition is the constant true emitted before it
        b.registerOutput(cond ? this.condition(cond) : start);
      } finally {
        this.loops.pop();
      }
      // variables first assigned in the loop stay local to it (TorchScript's loop scoping)
    });
    void node;
  }

  private emitWhile(s: TS.WhileStatement): void {
    const max = this.constant({ type: "int", value: INT_MAX });
    this.loop(s, max, s.expression, () => {}, s.statement);
  }

  /** `for (let i = a; i < b; i++)` (or `i += k`): `for i in range(a, b, k)`. */
  private emitCountingFor(s: TS.ForStatement): void {
    const bad = () => this.fail(s, "Only counting for loops are supported: `for (let i = start; i < end; i++)` (or `i += step`)");
    const init = s.initializer;
    if (!init || !ts.isVariableDeclarationList(init) || init.declarations.length !== 1) return bad();
    const decl = init.declarations[0]!;
    if (!ts.isIdentifier(decl.name) || !decl.initializer) return bad();
    const name = decl.name.text;
    const cond = s.condition;
    if (!cond || !ts.isBinaryExpression(cond) || cond.operatorToken.kind !== ts.SyntaxKind.LessThanToken ||
      !ts.isIdentifier(cond.left) || cond.left.text !== name) return bad();
    const step = this.stepOf(s.incrementor, name);
    if (step === null) return bad();
    const startIsZero = ts.isNumericLiteral(decl.initializer) && decl.initializer.text === "0";
    const startV = startIsZero ? null : this.value(decl.initializer);
    const endV = this.value(cond.right);
    if (startV === null && step === 1) {
      this.loop(s, endV, null, (trip) => this.assignName(decl.name, name, trip), s.statement);
      return;
    }
    const startVal = startV ?? this.constant({ type: "int", value: 0 });
    const stepVal = this.constant({ type: "int", value: step });
    const len = this.builtin(s, "aten::__range_length", { positional: [startVal, endV, stepVal], keywords: new Map() });
    this.loop(s, len, null, (trip) => {
      const i = this.builtin(s, "aten::__derive_index", { positional: [trip, startVal, stepVal], keywords: new Map() });
      this.assignName(decl.name, name, i);
    }, s.statement);
  }

  /** `range(...)` where `range` is tsjit's (no local of that name): a counting loop. */
  private isRangeCall(e: TS.Expression): e is TS.CallExpression {
    return ts.isCallExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === "range" && !this.env.typeOf("range");
  }

  /** `for (const i of range(a, b, k))`: `for i in range(a, b, k)`, as the counting for loop. */
  private rangeLoop(s: TS.ForOfStatement, decl: TS.VariableDeclaration, call: TS.CallExpression): void {
    if (!ts.isIdentifier(decl.name)) this.fail(decl.name, "for...of over range(...) needs one loop variable");
    const name = decl.name;
    const args = call.arguments;
    if (args.length < 1 || args.length > 3) this.fail(call, `range expected 1 to 3 arguments, got ${args.length}`);
    const ints = args.map((a) => {
      const v = this.value(a, Types.int);
      if (v.type.kind !== "int") this.fail(a, `range() takes ints; found ${typeLabel(v.type)}`);
      return v;
    });
    if (ints.length === 1) {
      this.loop(s, ints[0]!, null, (trip) => this.assignName(name, name.text, trip), s.statement);
      return;
    }
    const [startVal, endVal, stepVal = this.constant({ type: "int", value: 1 })] = ints as [Value, Value, Value?];
    const len = this.builtin(s, "aten::__range_length", { positional: [startVal, endVal, stepVal], keywords: new Map() });
    this.loop(s, len, null, (trip) => {
      const i = this.builtin(s, "aten::__derive_index", { positional: [trip, startVal, stepVal], keywords: new Map() });
      this.assignName(name, name.text, i);
    }, s.statement);
  }

  private stepOf(inc: TS.Expression | undefined, name: string): number | null {
    if (!inc) return null;
    const isName = (e: TS.Expression) => ts.isIdentifier(e) && e.text === name;
    if ((ts.isPostfixUnaryExpression(inc) || ts.isPrefixUnaryExpression(inc)) && inc.operator === ts.SyntaxKind.PlusPlusToken && isName(inc.operand)) return 1;
    if (ts.isBinaryExpression(inc) && inc.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken && isName(inc.left) && ts.isNumericLiteral(inc.right)) return Number(inc.right.text);
    return null;
  }

  /**
   * Note [unrolled module loops]: `for (const m of this.layers)` over a ModuleList or Sequential
   * is unrolled, as TorchScript does: first a GetAttr of every child, then the body once per
   * child with `m` bound to it (in the enclosing block, so assignments carry on as straight-line
   * code: `x0 = (_0).forward(x, )`, `x1 = ...`).
   */
  private unrolledModuleLoop(s: TS.ForOfStatement, decl: TS.VariableDeclaration, self: Value, info: ModuleInfo): void {
    const order = info.iterationOrder();
    if (!order) this.fail(s.expression, `Only a ModuleList or a Sequential can be iterated over in TorchScript ('${info.script.original_name}' cannot)`);
    if (!ts.isIdentifier(decl.name)) this.fail(decl.name, "The loop variable over modules must be a plain name");
    const children = order.map((name) => {
      const child = info.submodule(name)!;
      return { value: this.getAttr(self, name, info.attributeType(name)!), info: child };
    });
    this.loops.push({ cond: null, unrolled: true });
    try {
      for (const c of children) {
        this.env.bindSugared(decl.name.text, { kind: "module", value: c.value, info: c.info });
        this.statements(asList(s.statement));
        if (this.exitBlocks.has(this.env.top.block)) return;
      }
    } finally {
      this.loops.pop();
    }
  }

  /** `for (const x of xs)`: over a list (`aten::__getitem__`) or a tensor's first dimension (`aten::select`). */
  private emitForOf(s: TS.ForOfStatement): void {
    const init = s.initializer;
    if (!ts.isVariableDeclarationList(init) || init.declarations.length !== 1) this.fail(init, "for...of needs one declared loop variable");
    const decl = init.declarations[0]!;
    if (this.isRangeCall(s.expression)) return this.rangeLoop(s, decl, s.expression);
    const sugared = this.sugared(s.expression);
    if (sugared.kind === "module") return this.unrolledModuleLoop(s, decl, sugared.value, sugared.info);
    let iter = this.asValue(s.expression, sugared);
    // a Map iterates over its entries in JS: PyTorch's `for k, v in d.items()`
    if (iter.type.kind === "Dict") iter = this.builtin(s.expression, "aten::items", { positional: [iter], keywords: new Map() });
    const kind = iter.type.kind;
    if (kind !== "List" && kind !== "Tensor") this.fail(s.expression, `for...of over a value of type ${typeLabel(iter.type)} is not supported (lists and tensors are)`);
    const len = this.builtin(s.expression, "aten::len", { positional: [iter], keywords: new Map() });
    this.loop(s, len, null, (trip) => {
      const item = kind === "List"
        ? this.builtin(s.expression, "aten::__getitem__", { positional: [iter, trip], keywords: new Map() })
        : this.builtin(s.expression, "aten::select", { positional: [iter, this.constant({ type: "int", value: 0 }), trip], keywords: new Map() });
      if (ts.isIdentifier(decl.name)) this.assignName(decl.name, decl.name.text, item);
      else if (ts.isArrayBindingPattern(decl.name)) {
        this.unpack(decl.name, decl.name.elements.map((el) => (ts.isBindingElement(el) && ts.isIdentifier(el.name) ? el.name : null)), item);
      } else this.fail(decl.name, "Unsupported loop variable");
    }, s.statement);
  }
}

function asList(s: TS.Statement): readonly TS.Statement[] {
  return ts.isBlock(s) ? s.statements : [s];
}

export { optionalType };
