/**
 * Parser for code/ files (TorchScript's parser.cpp for the serialized subset): classes, defs,
 * statements and Python expressions with Python's precedence. `import ...` lines and the
 * `op_version_set = N` header older archives carry are skipped, as import_source.cpp does.
 */
import type { ClassDef, CodeFile, Expr, FuncDef, Keyword, Param, Stmt } from "./ast.js";
import { tokenize, type Position, type SourceFile, type Token } from "./lexer.js";

const COMPARISONS = new Set(["<", ">", "<=", ">=", "==", "!="]);
const AUGMENTED = new Set(["+=", "-=", "*=", "/=", "//=", "%=", "**=", "&=", "|=", "^=", "<<=", ">>="]);

/** Binary operator levels from loosest to tightest (after comparisons). */
const BINARY_LEVELS: readonly (readonly string[])[] = [["|"], ["^"], ["&"], ["<<", ">>"], ["+", "-"], ["*", "/", "//", "%", "@"]];
/** Each binary operator's index in BINARY_LEVELS. */
const BINARY_LEVEL_OF: ReadonlyMap<string, number> = new Map(BINARY_LEVELS.flatMap((ops, level) => ops.map((op) => [op, level] as const)));

export function parseCodeFile(file: SourceFile): CodeFile {
  return new Parser(file, tokenize(file)).file();
}

class Parser {
  private i = 0;

  constructor(private readonly src: SourceFile, private readonly tokens: readonly Token[]) {}

  // ---- token helpers ----

  private get tok(): Token {
    return this.tokens[this.i]!;
  }

  private peekAt(k: number): Token {
    return this.tokens[Math.min(this.i + k, this.tokens.length - 1)]!;
  }

  private is(kind: Token["kind"], text?: string): boolean {
    return this.tok.kind === kind && (text === undefined || this.tok.text === text);
  }

  private isOp(text: string): boolean {
    return this.is("op", text);
  }

  private isKeyword(text: string): boolean {
    return this.is("name", text);
  }

  private next(): Token {
    const t = this.tok;
    if (t.kind !== "eof") this.i++;
    return t;
  }

  private eat(kind: Token["kind"], text?: string): boolean {
    if (!this.is(kind, text)) return false;
    this.i++;
    return true;
  }

  private expect(kind: Token["kind"], text?: string): Token {
    if (!this.is(kind, text)) this.fail(`expected ${text ? `'${text}'` : kind} but found ${describe(this.tok)}`);
    return this.next();
  }

  private fail(what: string, at: Position = this.tok): never {
    throw this.src.error(at, what);
  }

  // ---- file and definitions ----

  file(): CodeFile {
    const items: (ClassDef | FuncDef)[] = [];
    while (!this.is("eof")) {
      if (this.eat("newline")) continue;
      if (this.isKeyword("import") || this.isKeyword("from")) {
        while (!this.is("newline") && !this.is("eof")) this.next();
        continue;
      }
      if (this.isKeyword("op_version_set")) {
        this.next();
        this.expect("op", "=");
        this.expect("number");
        continue;
      }
      if (this.isKeyword("class")) items.push(this.classDef());
      else if (this.isKeyword("def")) items.push(this.funcDef());
      else this.fail(`expected a class or def at the top level of a code file but found ${describe(this.tok)}`);
    }
    return { items };
  }

  private classDef(): ClassDef {
    const at = this.expect("name", "class");
    const name = this.expect("name").text;
    let base: string | null = null;
    if (this.eat("op", "(")) {
      if (!this.isOp(")")) base = this.dottedName();
      this.expect("op", ")");
    }
    this.expect("op", ":");
    return { kind: "class", at, name, base, body: this.block() };
  }

  private dottedName(): string {
    let name = this.expect("name").text;
    while (this.eat("op", ".")) name += `.${this.expect("name").text}`;
    return name;
  }

  private funcDef(): FuncDef {
    const at = this.expect("name", "def");
    const name = this.expect("name").text;
    this.expect("op", "(");
    const params: Param[] = [];
    while (!this.isOp(")")) {
      const p = this.expect("name");
      const annotation = this.eat("op", ":") ? this.expr() : null;
      const dflt = this.eat("op", "=") ? this.expr() : null;
      params.push({ at: p, name: p.text, annotation, default: dflt });
      if (!this.eat("op", ",")) break;
    }
    this.expect("op", ")");
    const returns = this.eat("op", "->") ? this.expr() : null;
    this.expect("op", ":");
    return { kind: "def", at, name, params, returns, body: this.block() };
  }

  /** A suite: an indented block, or statements on the same line after the colon. */
  private block(): Stmt[] {
    if (!this.eat("newline")) return this.simpleStatements();
    this.expect("indent");
    const body: Stmt[] = [];
    while (!this.eat("dedent")) {
      if (this.is("eof")) break;
      body.push(...this.statement());
    }
    return body;
  }

  // ---- statements ----

  private statement(): Stmt[] {
    const t = this.tok;
    if (t.kind === "name") {
      switch (t.text) {
        case "if": return [this.ifStatement()];
        case "for": return [this.forStatement()];
        case "while": {
          this.next();
          const cond = this.expr();
          this.expect("op", ":");
          return [{ kind: "while", at: t, cond, body: this.block() }];
        }
        case "def": return [this.funcDef()];
        case "class": return [this.classDef()];
      }
    }
    return this.simpleStatements();
  }

  private simpleStatements(): Stmt[] {
    const out = [this.simpleStatement()];
    while (this.eat("op", ";")) {
      if (this.is("newline")) break;
      out.push(this.simpleStatement());
    }
    if (!this.eat("newline") && !this.is("eof") && !this.is("dedent")) this.fail(`expected the end of the line but found ${describe(this.tok)}`);
    return out;
  }

  private simpleStatement(): Stmt {
    const at = this.tok;
    if (at.kind === "name") {
      switch (at.text) {
        case "pass": case "break": case "continue":
          this.next();
          return { kind: at.text, at };
        case "return":
          this.next();
          return { kind: "return", at, value: this.atEndOfStatement() ? null : this.exprList() };
        case "raise":
          this.next();
          return { kind: "raise", at, value: this.atEndOfStatement() ? null : this.expr() };
        case "assert": {
          this.next();
          const test = this.expr();
          return { kind: "assert", at, test, msg: this.eat("op", ",") ? this.expr() : null };
        }
      }
    }
    const target = this.exprList();
    if (this.eat("op", ":")) {
      const annotation = this.expr();
      const value = this.eat("op", "=") ? this.exprList() : null;
      return { kind: "assign", at, target, annotation, value };
    }
    if (this.eat("op", "=")) {
      const value = this.exprList();
      if (this.isOp("=")) this.fail("chained assignment is not supported in TorchScript");
      return { kind: "assign", at, target, annotation: null, value };
    }
    if (this.tok.kind === "op" && AUGMENTED.has(this.tok.text)) {
      const op = this.next().text.slice(0, -1);
      return { kind: "augassign", at, target, op, value: this.exprList() };
    }
    return { kind: "expr", at, value: target };
  }

  private atEndOfStatement(): boolean {
    return this.is("newline") || this.isOp(";") || this.is("eof") || this.is("dedent");
  }

  private ifStatement(): Stmt {
    const at = this.next(); // if / elif
    const cond = this.expr();
    this.expect("op", ":");
    const body = this.block();
    let orelse: Stmt[] = [];
    if (this.isKeyword("elif")) orelse = [this.ifStatement()];
    else if (this.eat("name", "else")) {
      this.expect("op", ":");
      orelse = this.block();
    }
    return { kind: "if", at, cond, body, orelse };
  }

  private forStatement(): Stmt {
    const at = this.expect("name", "for");
    // targets stop before `in` (a comparison operator elsewhere)
    const targets: Expr[] = [this.binary(0)];
    let trailing = false;
    while (this.eat("op", ",")) {
      if (this.isKeyword("in")) {
        trailing = true;
        break;
      }
      targets.push(this.binary(0));
    }
    const target: Expr = targets.length === 1 && !trailing ? targets[0]! : { kind: "tuple", at, items: targets };
    this.expect("name", "in");
    const iter = this.exprList();
    this.expect("op", ":");
    return { kind: "for", at, target, iter, body: this.block() };
  }

  // ---- expressions ----

  /** `a, b` (a tuple without parentheses, trailing comma allowed) or one expression. */
  private exprList(): Expr {
    const at = this.tok;
    const first = this.expr();
    if (!this.isOp(",")) return first;
    const items = [first];
    while (this.eat("op", ",")) {
      if (this.atEndOfStatement() || this.isOp("=") || this.isOp(":")) break;
      items.push(this.expr());
    }
    return { kind: "tuple", at, items };
  }

  expr(): Expr {
    const e = this.orExpr();
    if (this.isKeyword("if")) {
      const at = this.next();
      const cond = this.orExpr();
      this.expect("name", "else");
      return { kind: "ifexp", at, cond, then: e, orelse: this.expr() };
    }
    return e;
  }

  private orExpr(): Expr {
    let e = this.andExpr();
    while (this.isKeyword("or")) {
      const at = this.next();
      e = { kind: "boolop", at, op: "or", left: e, right: this.andExpr() };
    }
    return e;
  }

  private andExpr(): Expr {
    let e = this.notExpr();
    while (this.isKeyword("and")) {
      const at = this.next();
      e = { kind: "boolop", at, op: "and", left: e, right: this.notExpr() };
    }
    return e;
  }

  private notExpr(): Expr {
    if (this.isKeyword("not")) {
      const at = this.next();
      return { kind: "unary", at, op: "not", operand: this.notExpr() };
    }
    return this.comparison();
  }

  private comparison(): Expr {
    let e = this.binary(0);
    for (;;) {
      const t = this.tok;
      let op: string | null = null;
      if (t.kind === "op" && COMPARISONS.has(t.text)) op = t.text;
      else if (this.isKeyword("in")) op = "in";
      else if (this.isKeyword("is")) op = this.peekAt(1).kind === "name" && this.peekAt(1).text === "not" ? "is not" : "is";
      else if (this.isKeyword("not") && this.peekAt(1).text === "in") op = "not in";
      if (!op) return e;
      this.next();
      if (op === "is not" || op === "not in") this.next();
      e = { kind: "binary", at: t, op, left: e, right: this.binary(0) };
    }
  }

  /**
   * Binary operators of level `minLevel` or tighter, left-associative (precedence climbing: the
   * same trees as one function per level, without descending through every level per operand).
   */
  private binary(minLevel: number): Expr {
    let e = this.unary();
    for (;;) {
      const t = this.tok;
      const level = t.kind === "op" ? BINARY_LEVEL_OF.get(t.text) : undefined;
      if (level === undefined || level < minLevel) return e;
      this.next();
      e = { kind: "binary", at: t, op: t.text, left: e, right: this.binary(level + 1) };
    }
  }

  private unary(): Expr {
    if (this.isOp("-") || this.isOp("+") || this.isOp("~")) {
      const at = this.next();
      const operand = this.unary();
      // fold `-1` and `-0.5` into literals: defaults and constants are written that way
      if (at.text === "-" && operand.kind === "int") return { kind: "int", at, value: -operand.value as number | bigint };
      if (at.text === "-" && operand.kind === "float") return { kind: "float", at, value: -operand.value };
      return { kind: "unary", at, op: at.text, operand };
    }
    return this.power();
  }

  private power(): Expr {
    const base = this.primary();
    if (this.isOp("**")) {
      const at = this.next();
      return { kind: "binary", at, op: "**", left: base, right: this.unary() };
    }
    return base;
  }

  private primary(): Expr {
    let e = this.atom();
    // a call, attribute or subscript is located where its whole expression starts
    const at = e.at;
    for (;;) {
      if (this.eat("op", ".")) e = { kind: "attr", at, base: e, name: this.expect("name").text };
      else if (this.eat("op", "(")) e = this.callRest(e, at);
      else if (this.eat("op", "[")) {
        const index = this.subscriptList();
        this.expect("op", "]");
        e = { kind: "subscript", at, base: e, index };
      } else return e;
    }
  }

  private callRest(callee: Expr, at: Position): Expr {
    const args: Expr[] = [];
    const kwargs: Keyword[] = [];
    while (!this.isOp(")")) {
      if (this.tok.kind === "name" && this.peekAt(1).kind === "op" && this.peekAt(1).text === "=") {
        const name = this.next().text;
        this.next();
        kwargs.push({ name, value: this.expr() });
      } else {
        if (kwargs.length) this.fail("positional argument follows keyword argument");
        args.push(this.expr());
      }
      if (!this.eat("op", ",")) break;
    }
    this.expect("op", ")");
    return { kind: "call", at, callee, args, kwargs };
  }

  private subscriptList(): Expr {
    const at = this.tok;
    const first = this.subscriptItem();
    if (!this.isOp(",")) return first;
    const items = [first];
    while (this.eat("op", ",")) {
      if (this.isOp("]")) break;
      items.push(this.subscriptItem());
    }
    return { kind: "tuple", at, items };
  }

  private subscriptItem(): Expr {
    const at = this.tok;
    const start = this.isOp(":") ? null : this.expr();
    if (!this.eat("op", ":")) return start!;
    const end = this.isOp(":") || this.isOp("]") || this.isOp(",") ? null : this.expr();
    const step = this.eat("op", ":") && !this.isOp("]") && !this.isOp(",") ? this.expr() : null;
    return { kind: "slice", at, start, end, step };
  }

  private atom(): Expr {
    const t = this.tok;
    switch (t.kind) {
      case "number":
        this.next();
        return numberLiteral(this.src, t);
      case "string": {
        this.next();
        let value = t.text;
        // adjacent literals concatenate
        while (this.is("string")) value += this.next().text;
        return { kind: "str", at: t, value };
      }
      case "name":
        this.next();
        if (t.text === "True" || t.text === "False") return { kind: "bool", at: t, value: t.text === "True" };
        if (t.text === "None") return { kind: "none", at: t };
        return { kind: "name", at: t, name: t.text };
      case "op":
        if (t.text === "(") return this.parenthesized();
        if (t.text === "[") return this.listLiteral();
        if (t.text === "{") return this.dictLiteral();
    }
    return this.fail(`expected an expression but found ${describe(t)}`);
  }

  private parenthesized(): Expr {
    const at = this.expect("op", "(");
    if (this.eat("op", ")")) return { kind: "tuple", at, items: [] };
    const first = this.expr();
    if (this.eat("op", ")")) return first;
    const items = [first];
    while (this.eat("op", ",")) {
      if (this.isOp(")")) break;
      items.push(this.expr());
    }
    this.expect("op", ")");
    return { kind: "tuple", at, items };
  }

  private listLiteral(): Expr {
    const at = this.expect("op", "[");
    const items: Expr[] = [];
    while (!this.isOp("]")) {
      items.push(this.expr());
      if (this.isKeyword("for")) this.fail("list comprehensions are not supported in serialized TorchScript");
      if (!this.eat("op", ",")) break;
    }
    this.expect("op", "]");
    return { kind: "list", at, items };
  }

  private dictLiteral(): Expr {
    const at = this.expect("op", "{");
    const entries: [Expr, Expr][] = [];
    while (!this.isOp("}")) {
      const k = this.expr();
      this.expect("op", ":");
      entries.push([k, this.expr()]);
      if (!this.eat("op", ",")) break;
    }
    this.expect("op", "}");
    return { kind: "dict", at, entries };
  }
}

/**
 * Numbers as PythonPrint writes them: ints in decimal (bigint beyond 2^53), floats with a dot or
 * an exponent (`2.`, `0.10000000000000001`, `1.0000000000000001e-05`).
 */
function numberLiteral(src: SourceFile, t: Token): Expr {
  const text = t.text;
  if (text.endsWith("j")) throw src.error(t, "complex literals are not supported yet");
  // by character codes, not regexes: most literals are small ints (see lexer.ts plainInteger)
  const second = text.charCodeAt(1) | 0x20;
  if (text.charCodeAt(0) === 48 && (second === 120 || second === 111 || second === 98)) { // 0x 0o 0b
    return { kind: "int", at: t, value: intValue(BigInt(text)) };
  }
  if (text.includes(".") || text.includes("e") || text.includes("E")) return { kind: "float", at: t, value: Number(text) };
  // up to 15 decimal digits is below 2^53: the number itself, without a BigInt round trip
  if (text.length <= 15) return { kind: "int", at: t, value: Number(text) };
  return { kind: "int", at: t, value: intValue(BigInt(text)) };
}

function intValue(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function describe(t: Token): string {
  switch (t.kind) {
    case "eof": return "the end of the file";
    case "newline": return "the end of the line";
    case "indent": return "an indented block";
    case "dedent": return "the end of the block";
    case "string": return "a string";
    default: return `'${t.text}'`;
  }
}
