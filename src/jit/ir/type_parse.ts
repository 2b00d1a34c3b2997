/**
 * Parses types in every form PyTorch writes them (see type_print.ts), with one grammar:
 *
 *   graph form       int[]  Tensor?  (Tensor, int)  Dict(str, Tensor)  Union(int, str)
 *                    Float(3, 4, strides=[4, 1], requires_grad=0, device=cpu)  FloatTensor
 *                    NamedTuple(a : int, b : Tensor)  Future[int]  __torch__.MyCell  Function
 *                    Enum<__torch__.Color>
 *   annotation form  List[int]  Optional[Tensor]  Tuple[Tensor, int]  Tuple[()]  Dict[str, Tensor]
 *                    Union[int, str]  number  None
 *   schema form      (`schema: true`) adds  int[2]  Tensor(a!)  t  and reads ScalarType,
 *                    Layout and MemoryFormat as `int`, as TorchScript's schema parser does.
 *
 * The forms never clash (`List[` vs `[]`, `(` vs `Tuple[`), so one parser reads them all.
 * `TypeCursor` parses a type in the middle of a larger text, which is how the IR parser uses it.
 */
import { optionalType, unionType } from "./subtype.js";
import {
  Types, classType, dictType, enumType, functionType, futureType, isScalarTypeName, isSimpleKind,
  listType, simpleType, tensorType, tupleType, varType, type JitType, type ScalarTypeName, type TensorDetail,
} from "./types.js";

export class TypeParseError extends Error {
  constructor(
    /** What went wrong, without the position. */
    readonly reason: string,
    readonly text: string,
    readonly pos: number,
  ) {
    super(`${reason} at column ${pos + 1} of '${text}'`);
    this.name = "TypeParseError";
  }
}

export interface TypeParseOptions {
  /** Operator-schema spelling: `int[2]`, alias annotations, type variables, ScalarType as int. */
  schema?: boolean;
}

/** Annotation-form spellings that differ from the graph form. */
const ANNOTATION_ALIASES: Readonly<Record<string, JitType>> = {
  number: Types.scalar,
  None: Types.none,
};

/** Schema types that TorchScript represents as int (schema_type_parser.cpp). */
const SCHEMA_AS_INT = new Set(["ScalarType", "Layout", "MemoryFormat", "SymInt"]);

/** A position in `text`; `parse()` reads one type and leaves `pos` just after it. */
export class TypeCursor {
  constructor(
    readonly text: string,
    public pos = 0,
    readonly options: TypeParseOptions = {},
  ) {}

  parse(): JitType {
    let t = this.parseBase();
    for (;;) {
      if (this.eat("[]")) t = listType(t);
      else if (this.peek("?")) {
        this.pos++;
        t = optionalType(t);
      } else if (this.options.schema && /^\[\d+\]/.test(this.rest())) {
        this.pos = this.text.indexOf("]", this.pos) + 1; // int[2]: a fixed-size list is a list
        t = listType(t);
      } else if (this.options.schema && this.skipAliasAnnotation()) {
        continue;
      } else return t;
    }
  }

  private parseBase(): JitType {
    this.skipSpaces();
    if (this.peek("(")) return tupleType(this.parseList("(", ")", () => this.parse()));
    const name = this.ident();
    if (name === "Tensor") return this.parseTensor(null, true);
    if (isScalarTypeName(name)) return this.parseTensor(name, true);
    const sized = /^(\w+)Tensor$/.exec(name);
    if (sized && isScalarTypeName(sized[1]!)) return this.parseTensor(sized[1]! as ScalarTypeName, false);
    if (name === "Enum" && this.eat("<")) {
      const enumName = this.ident();
      if (!this.eat(">")) throw this.error("expected '>' after the Enum's name");
      return enumType(enumName);
    }
    const container = this.parseContainer(name);
    if (container) return container;
    return this.leaf(name);
  }

  private parseContainer(name: string): JitType | null {
    const open = this.peek("[") ? "[" : this.peek("(") ? "(" : null;
    if (open === null) return null;
    const close = open === "[" ? "]" : ")";
    const one = (): JitType => {
      const [t, ...extra] = this.parseList(open, close, () => this.parse());
      if (!t || extra.length > 0) throw this.error(`${name} takes exactly one type`);
      return t;
    };
    switch (name) {
      case "List":
        return open === "[" ? listType(one()) : null;
      case "Optional":
        return open === "[" ? optionalType(one()) : null;
      case "Future":
        return futureType(one());
      case "Tuple":
        if (open !== "[") return null;
        if (this.eat("[()]")) return tupleType([]);
        return tupleType(this.parseList("[", "]", () => this.parse()));
      case "Dict": {
        const kv = this.parseList(open, close, () => this.parse());
        if (kv.length !== 2) throw this.error("Dict takes a key type and a value type");
        return dictType(kv[0]!, kv[1]!);
      }
      case "Union": {
        // c10 prints a union holding int, float and complex with a leading ", " when a number
        // type came first: `Union(, str, Scalar)`; read that back too.
        return unionType(this.parseList(open, close, () => this.parse(), true));
      }
      case "NamedTuple":
        return open === "(" ? this.parseNamedTuple() : null;
      default:
        return null;
    }
  }

  private parseNamedTuple(): JitType {
    const fields: string[] = [];
    const types = this.parseList("(", ")", () => {
      fields.push(this.ident());
      this.expect(":");
      return this.parse();
    });
    return tupleType(types, { name: null, fields });
  }

  private leaf(name: string): JitType {
    if (this.options.schema && SCHEMA_AS_INT.has(name)) return Types.int;
    if (isSimpleKind(name)) return simpleType(name);
    const alias = ANNOTATION_ALIASES[name];
    if (alias) return alias;
    if (name === "Function") return functionType(null);
    if (name.includes(".")) return classType(name);
    if (this.options.schema && /^[a-z]\w*$/.test(name)) return varType(name);
    this.pos -= name.length;
    throw this.error(`unknown type '${name}'`);
  }

  /** `Float(3, 4, strides=[4, 1], requires_grad=0, device=cpu)`, `Long(requires_grad=0, ...)`. */
  private parseTensor(scalarType: ScalarTypeName | null, sizesAllowed: boolean): JitType {
    const detail: { -readonly [K in keyof TensorDetail]: TensorDetail[K] } = { scalarType };
    // A scalar type name alone (`Float`) is a tensor of unknown rank only in the ...Tensor form;
    // c10 prints `Float(...)` whenever the rank is known, so `Float()` is rank 0.
    if (scalarType !== null && sizesAllowed && !this.peek("(")) throw this.error(`expected '(' after ${scalarType}`);
    if (this.peek("(") && !(this.options.schema && this.isAliasAnnotation())) {
      const sizes: (number | null)[] = [];
      this.parseList("(", ")", () => {
        const key = /^(strides|requires_grad|device)=/.exec(this.rest());
        if (!key) {
          if (!sizesAllowed) throw this.error("a tensor type without sizes has no dimensions");
          sizes.push(this.eat("*") ? null : this.integer());
          return null;
        }
        this.pos += key[0].length;
        if (key[1] === "strides") detail.strides = this.parseList("[", "]", () => (this.eat("*") ? null : this.integer()));
        else if (key[1] === "requires_grad") detail.requiresGrad = this.integer() !== 0;
        else detail.device = this.deviceName();
        return null;
      });
      if (sizesAllowed) detail.sizes = sizes;
    }
    if (this.eat("[Undefined]")) detail.undefined = true;
    return scalarType === null && detail.sizes === undefined && Object.keys(detail).length === 1
      ? Types.tensor
      : tensorType(detail);
  }

  private isAliasAnnotation(): boolean {
    return /^\((?:[a-z](?:\|[a-z])*!?|\*)(?:\s*->\s*\*)?\)/.test(this.rest());
  }

  private skipAliasAnnotation(): boolean {
    const m = /^\((?:[a-z](?:\|[a-z])*!?|\*)(?:\s*->\s*\*)?\)/.exec(this.rest());
    if (!m) return false;
    this.pos += m[0].length;
    return true;
  }

  private deviceName(): string {
    const m = /^[A-Za-z_]+(?::\d+)?/.exec(this.rest());
    if (!m) throw this.error("expected a device name");
    this.pos += m[0].length;
    return m[0];
  }

  private parseList<T>(open: string, close: string, item: () => T, leadingComma = false): T[] {
    this.expect(open);
    const out: T[] = [];
    this.skipSpaces();
    if (leadingComma && this.eat(",")) this.skipSpaces();
    if (this.eat(close)) return out;
    for (;;) {
      out.push(item());
      this.skipSpaces();
      if (this.eat(close)) return out;
      if (!this.eat(",")) throw this.error(`expected ',' or '${close}'`);
      this.skipSpaces();
    }
  }

  private ident(): string {
    this.skipSpaces();
    const m = /^[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*/.exec(this.rest());
    if (!m) throw this.error("expected a type");
    this.pos += m[0].length;
    return m[0];
  }

  private integer(): number {
    this.skipSpaces();
    const m = /^-?\d+/.exec(this.rest());
    if (!m) throw this.error("expected an integer");
    this.pos += m[0].length;
    return Number(m[0]);
  }

  private rest(): string {
    return this.text.slice(this.pos, this.pos + 1024);
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
    this.skipSpaces();
  }

  private skipSpaces(): void {
    while (this.text[this.pos] === " ") this.pos++;
  }

  private error(message: string): TypeParseError {
    return new TypeParseError(message, this.text, this.pos);
  }
}

/**
 * Parses a whole string as one type, in graph, annotation or (with `schema`) schema form.
 *
 * @example parseType("Dict(str, Tensor)") // same as parseType("Dict[str, Tensor]")
 */
export function parseType(text: string, options: TypeParseOptions = {}): JitType {
  const cur = new TypeCursor(text, 0, options);
  const t = cur.parse();
  if (text.slice(cur.pos).trim() !== "") throw new TypeParseError("unexpected text after the type", text, cur.pos);
  return t;
}

/** Parses an operator-schema argument type (`int[1]?`, `Tensor(a!)`, `ScalarType?`). */
export function parseSchemaType(text: string): JitType {
  return parseType(text, { schema: true });
}
