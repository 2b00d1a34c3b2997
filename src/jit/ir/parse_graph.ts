/**
 * Reads graph text (as print_graph.ts writes it and PyTorch prints it) back into a Graph, so
 * passes and tests can be written as IR text in, IR text out (TorchScript's `parseIR`).
 *
 * Beyond PyTorch's own IR parser it keeps everything the printer shows, so that printing a
 * parsed graph gives the same text: value numbers (`%20` stays 20), source-range comments,
 * `scope:` annotations, tensor constant texts, and class types (`__torch__.MyCell`).
 * A value without a type annotation is a Tensor, as in PyTorch.
 *
 * @example
 * const g = parseGraph(`graph(%x : Tensor):
 *   %1 : Tensor = aten::neg(%x)
 *   return (%1)
 * `);
 */
import { Attr, type AttributeValue } from "./attributes.js";
import type { Block } from "./block.js";
import { decodeQuotedString } from "./cformat.js";
import { Graph } from "./graph.js";
import type { Node } from "./node.js";
import { parseSourceRange } from "./source_range.js";
import { readTensorText } from "./tensor_text_read.js";
import { TypeCursor, TypeParseError } from "./type_parse.js";
import { Types, type JitType } from "./types.js";
import type { Value } from "./value.js";

export class IRParseError extends Error {
  constructor(message: string, readonly line: number, readonly col: number, lineText: string) {
    super(`${message}\n  at line ${line}, column ${col}:\n  ${lineText}\n  ${" ".repeat(Math.max(0, col - 1))}^`);
    this.name = "IRParseError";
  }
}

export function parseGraph(text: string): Graph {
  return parseGraphWithValues(text).graph;
}

/** Parses and also returns the values by the names the text gave them (`x.1`, `20`). */
export function parseGraphWithValues(text: string): { graph: Graph; values: ReadonlyMap<string, Value> } {
  const p = new IRParser(text.replace(/\r\n/g, "\n"));
  return { graph: p.parse(), values: p.vmap };
}

const VALUE_NAME = /^%([^\s,()[\]:=%]+)/;
const KIND = /^[A-Za-z_]\w*::[\w.]+/;
/** A tensor as ATen's C++ printer writes it, newlines turned to spaces (see tensor_text.ts). */
const PRINTED_TENSOR = /^[^[\]\n]*?\[ [A-Za-z0-9]+\{[\d,]*\} \]/;
const NUMBER = /^-?(?:inf|nan|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/;

class IRParser {
  readonly graph = new Graph();
  readonly vmap = new Map<string, Value>();
  private readonly named: Value[] = [];
  private pos = 0;

  constructor(private readonly text: string) {}

  parse(): Graph {
    this.skipBlankLines();
    this.skipSpaces();
    this.word(/^[A-Za-z_]\w*/, "the graph name");
    this.declarations(this.graph.block);
    this.expect(":");
    this.newline();
    this.statements(this.graph.block, "return");
    this.expect("return");
    this.skipSpaces();
    for (const v of this.valueRefs()) this.graph.registerOutput(v);
    this.newline();
    this.skipBlankLines();
    if (this.pos < this.text.length) throw this.error("unexpected text after the graph's return");
    // A named value's number is not printed, but must still differ from every other value's
    // (it shows if the name is cleared): renumber those that a `%N` of the text took since.
    const taken = new Set<number>();
    for (const [name, v] of this.vmap) if (/^\d+$/.test(name)) taken.add(v.unique);
    for (const v of this.named) if (taken.has(v.unique)) this.graph.adoptUnique(v, this.graph.freshUnique());
    return this.graph;
  }

  /** Nodes until the line that starts with `end` ("return" or "->"). */
  private statements(block: Block, end: string): void {
    for (;;) {
      this.skipBlankLines();
      this.skipSpaces();
      if (this.peek(end)) return;
      if (this.pos >= this.text.length) throw this.error(`expected '${end}' before the end of the text`);
      this.node(block);
    }
  }

  private node(block: Block): void {
    const outs: { name: string; type: JitType }[] = [];
    if (this.peek("%")) {
      for (;;) {
        outs.push(this.declaration());
        if (!this.eat(",")) break;
        this.skipSpaces();
      }
    }
    this.skipSpaces();
    this.expect("=");
    this.skipSpaces();
    const kind = this.word(KIND, "a node kind (ns::name)");
    const n = this.graph.create(kind, [], 0, { scope: null });
    for (const o of outs) this.define(n.addOutput(o.type), o.name);
    if (this.peek("[")) this.attributes(n);
    this.skipSpaces();
    for (const v of this.valueRefs()) n.addInput(v);
    this.trailer(n);
    block.appendNode(n);
    this.newline();
    this.blocks(n);
  }

  /** `, scope: NAME` and ` # file:line:col` after a node. */
  private trailer(n: Node): void {
    this.skipSpaces();
    if (this.eat(", scope:")) {
      this.skipSpaces();
      n.scope = this.word(/^\S+/, "a scope name");
      this.skipSpaces();
    }
    if (this.eat("#")) {
      this.skipSpaces();
      const end = this.lineEnd();
      const r = parseSourceRange(this.text.slice(this.pos, end));
      if (!r) throw this.error("expected a source location file:line:col");
      n.sourceRange = r;
      this.pos = end;
    }
  }

  private blocks(n: Node): void {
    for (;;) {
      const save = this.pos;
      this.skipBlankLines();
      this.skipSpaces();
      if (!/^block\d+\(/.test(this.text.slice(this.pos, this.pos + 16))) {
        this.pos = save;
        return;
      }
      const b = n.addBlock();
      this.word(/^block\d+/, "a block name");
      this.declarations(b);
      this.expect(":");
      this.newline();
      this.statements(b, "->");
      this.expect("->");
      this.skipSpaces();
      for (const v of this.valueRefs()) b.registerOutput(v);
      this.newline();
    }
  }

  /** `(%a : T, %b : U)` parameters of a graph or block; newlines may separate them. */
  private declarations(b: Block): void {
    this.expect("(");
    this.skipWhitespace();
    if (this.eat(")")) return;
    for (;;) {
      const d = this.declaration();
      this.define(b.addInput(undefined, d.type), d.name);
      this.skipWhitespace();
      if (this.eat(")")) return;
      this.expect(",");
      this.skipWhitespace();
    }
  }

  private declaration(): { name: string; type: JitType } {
    const name = this.valueName();
    this.skipSpaces();
    if (!this.eat(":")) return { name, type: Types.tensor };
    this.skipSpaces();
    const cur = new TypeCursor(this.text, this.pos);
    try {
      const type = cur.parse();
      this.pos = cur.pos;
      return { name, type };
    } catch (e) {
      if (!(e instanceof TypeParseError)) throw e;
      this.pos = e.pos;
      throw this.error(e.reason);
    }
  }

  private define(v: Value, name: string): void {
    if (this.vmap.has(name)) throw this.error(`value %${name} is defined twice`);
    if (/^\d+$/.test(name)) this.graph.adoptUnique(v, Number(name));
    else {
      v.setDebugName(name);
      this.named.push(v);
    }
    this.vmap.set(name, v);
  }

  private valueRefs(): Value[] {
    this.expect("(");
    const out: Value[] = [];
    this.skipSpaces();
    if (this.eat(")")) return out;
    for (;;) {
      const at = this.pos;
      const name = this.valueName();
      const v = this.vmap.get(name);
      if (v === undefined) {
        this.pos = at;
        throw this.error(`Cannot find a variable with name '${name}'`);
      }
      out.push(v);
      this.skipSpaces();
      if (this.eat(")")) return out;
      this.expect(",");
      this.skipSpaces();
    }
  }

  private valueName(): string {
    const m = VALUE_NAME.exec(this.text.slice(this.pos, this.pos + 256));
    if (!m) throw this.error("expected a value (%name)");
    this.pos += m[0].length;
    return m[1]!;
  }

  // ---- attributes ----

  private attributes(n: Node): void {
    this.expect("[");
    for (;;) {
      const name = this.word(/^\w+/, "an attribute name");
      this.expect("=");
      n.setAttr(name, this.attributeValue(n));
      if (this.eat("]")) return;
      this.expect(",");
      this.skipSpaces();
    }
  }

  private attributeValue(n: Node): AttributeValue {
    const rest = this.text.slice(this.pos, this.lineEnd());
    const printed = rest.startsWith('"') ? null : PRINTED_TENSOR.exec(rest);
    // A printed tensor has no `, name=` inside; such a match ran on into the next attribute.
    const tensor = /^(\{[^}]*\}|<Tensor>)/.exec(rest) ?? (printed && !/, \w+=/.test(printed[0]) ? printed : null);
    if (tensor) {
      this.pos += tensor[0].length;
      const text = tensor[0];
      const type = n.outputs[0]?.type ?? Types.tensor;
      return { kind: "t", value: readTensorText(text, type), text };
    }
    if (this.peek("[")) return this.listValue();
    const out = n.outputs[0]?.type;
    if (n.kind === "prim::Constant" && out?.kind === "Enum") return this.enumMember(out.name);
    const lit = this.scalar();
    // A float that prints without '.' (1e10 prints "10000000000") reads as an int literal;
    // the constant's declared type tells which it is.
    if (lit.kind === "i" && n.kind === "prim::Constant" && n.outputs[0]?.type.kind === "float") {
      return Attr.f(Number(lit.value));
    }
    return lit;
  }

  /** `__torch__.Color.RED` of an `Enum<__torch__.Color>` constant; graph text has no member values. */
  private enumMember(enumName: string): AttributeValue {
    const start = this.pos;
    const dotted = this.word(/^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+/, "an enum member (__torch__.Color.RED)");
    const cut = dotted.lastIndexOf(".");
    if (dotted.slice(0, cut) !== enumName) {
      this.pos = start;
      throw this.error(`enum member '${dotted}' is not a member of ${enumName}`);
    }
    return Attr.enum({ enumName, name: dotted.slice(cut + 1), value: null });
  }

  private listValue(): AttributeValue {
    this.expect("[");
    const items: AttributeValue[] = [];
    this.skipSpaces();
    if (!this.eat("]")) {
      for (;;) {
        items.push(this.scalar());
        this.skipSpaces();
        if (this.eat("]")) break;
        this.expect(",");
        this.skipSpaces();
      }
    }
    const kinds = new Set(items.map((i) => i.kind));
    const values = <T>(): T[] => items.map((i) => (i as unknown as { value: T }).value);
    if (kinds.size === 0 || (kinds.size === 1 && kinds.has("i"))) return Attr.is(values<bigint>());
    if ([...kinds].every((k) => k === "i" || k === "f")) return Attr.fs(values<number | bigint>().map(Number));
    if (kinds.size === 1 && kinds.has("s")) return Attr.ss(values<string>());
    if (kinds.size === 1 && kinds.has("ty")) return Attr.tys(values<JitType>());
    throw this.error("a list attribute must hold ints, floats, strings or types");
  }

  private scalar(): AttributeValue {
    if (this.peek('"') || this.peek("'")) {
      try {
        const { value, end } = decodeQuotedString(this.text, this.pos);
        this.pos = end;
        return Attr.s(value);
      } catch (e) {
        throw this.error((e as Error).message);
      }
    }
    const num = NUMBER.exec(this.text.slice(this.pos, this.pos + 64));
    if (num && !/^[\w.]/.test(this.text.slice(this.pos + num[0].length, this.pos + num[0].length + 1))) {
      this.pos += num[0].length;
      const s = num[0];
      if (/inf|nan/.test(s)) return Attr.f(s.startsWith("-") ? -Infinity : s.endsWith("inf") ? Infinity : NaN);
      return /[.eE]/.test(s) ? Attr.f(Number(s)) : Attr.i(BigInt(s));
    }
    const cur = new TypeCursor(this.text, this.pos);
    try {
      const t = cur.parse();
      this.pos = cur.pos;
      return Attr.ty(t);
    } catch {
      throw this.error("expected an attribute value (number, string, list, tensor or type)");
    }
  }

  // ---- lexical helpers ----

  private word(re: RegExp, what: string): string {
    const m = re.exec(this.text.slice(this.pos, this.lineEnd()));
    if (!m) throw this.error(`expected ${what}`);
    this.pos += m[0].length;
    return m[0];
  }

  private peek(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }

  private eat(s: string): boolean {
    if (!this.peek(s)) return false;
    this.pos += s.length;
    return true;
  }

  private expect(s: string): void {
    this.skipSpaces();
    if (!this.eat(s)) throw this.error(`expected '${s}'`);
  }

  private skipSpaces(): void {
    while (this.text[this.pos] === " " || this.text[this.pos] === "\t") this.pos++;
  }

  private skipWhitespace(): void {
    while (/\s/.test(this.text[this.pos] ?? "")) this.pos++;
  }

  private skipBlankLines(): void {
    for (;;) {
      let p = this.pos;
      while (this.text[p] === " " || this.text[p] === "\t") p++;
      if (this.text[p] !== "\n") return;
      this.pos = p + 1;
    }
  }

  private newline(): void {
    this.skipSpaces();
    if (this.pos >= this.text.length) return;
    if (!this.eat("\n")) throw this.error("expected the end of the line");
  }

  private lineEnd(): number {
    const i = this.text.indexOf("\n", this.pos);
    return i < 0 ? this.text.length : i;
  }

  private error(message: string): IRParseError {
    const before = this.text.slice(0, this.pos);
    const line = before.split("\n").length;
    const lineStart = before.lastIndexOf("\n") + 1;
    const lineEnd = this.text.indexOf("\n", this.pos);
    const lineText = this.text.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
    return new IRParseError(message, line, this.pos - lineStart + 1, lineText);
  }
}
