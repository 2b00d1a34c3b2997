/**
 * The printer of TorchScript's Python subset (python_print.cpp PythonPrintImpl): turns method
 * and function graphs into the text of `.code` and of an archive's code/ files.
 *
 * One PythonPrinter is one output text. `.code` uses a fresh printer per method; an archive
 * uses one per code file, so the `_N` counters run on across the methods and functions of a
 * file (Note [printer names] in names.ts). Statements are written at the current indentation
 * level; the long-line rule depends on that level, which is why the same method prints
 * differently in `.code` (body at level 1) and in an archive (body at level 2).
 */
import {
  Types, annotationStr, constantValue, typeEquals,
  type Block, type Graph, type JitType, type Node, type TypePrinter, type Value,
} from "../ir/index.js";
import { printExpression, type ExpressionContext } from "./expressions.js";
import { InlineScan } from "./inline_scan.js";
import { NameGenerator, makeValidIdentifier } from "./names.js";
import { ConstantTable, printRuntimeValue } from "./values.js";

/** What the schema says about one argument; anything left out is taken from the graph input. */
export interface ArgumentSpec {
  readonly name?: string;
  readonly type?: JitType;
  /** The default value (runtime representation, see src/jit/runtime/objects.ts). */
  readonly default?: { readonly value: unknown };
  /** N of a broadcasting list argument (`int[2]`): a scalar default prints as a list of N. */
  readonly fixedLength?: number;
}

/** The schema of the function being printed, beyond what its graph holds. */
export interface FunctionSignature {
  readonly name: string;
  /** Per graph input, in order (index 0 is `self` for methods). */
  readonly args?: readonly (ArgumentSpec | undefined)[];
  /** Defaults to the type of the graph's return value. */
  readonly returnType?: JitType;
}

export interface PrinterOptions {
  /** Where `CONSTANTS.c<N>` entries go (a table, or an array to append to); a fresh table when omitted. */
  readonly constants?: ConstantTable | unknown[];
  /** Renames types in annotations (the archive writer's mangled names). */
  readonly typePrinter?: TypePrinter;
  /**
   * The qualified name a Function constant (`prim::Constant[name="relu"]`) prints as. Defaults
   * to the FunctionType's qualified name, else the node's `name` attribute.
   */
  readonly functionName?: (node: Node) => string;
}

/** Lines of 40 columns or more, counting indentation, are split (python_print.cpp isLongLine). */
const LONG_LINE = 40;

export class PythonPrinter {
  readonly constants: ConstantTable;
  private out = "";
  private level = 0;
  private readonly names = new NameGenerator();
  private readonly scan = new InlineScan();
  /** Values written as a variable; takes precedence over `exprs`. */
  private readonly idents = new Map<Value, string>();
  /** Values written as an inlined expression. */
  private readonly exprs = new Map<Value, string>();
  /** Note [reordering of inlines]: per user node, the highest input offset already scanned. */
  private readonly visitedSplits = new Map<Node, number>();
  private readonly ctx: ExpressionContext;

  constructor(private readonly options: PrinterOptions = {}) {
    const c = options.constants;
    this.constants = c instanceof ConstantTable ? c : new ConstantTable(c);
    this.ctx = {
      constants: this.constants,
      typePrinter: options.typePrinter,
      useOf: (v) => this.useOf(v),
      functionName: options.functionName ?? defaultFunctionName,
    };
  }

  /** The text printed so far. */
  text(): string {
    return this.out;
  }

  annotation(t: JitType): string {
    return annotationStr(t, this.options.typePrinter);
  }

  /** A runtime value as a literal of type `t` (class constants, defaults). */
  literal(value: unknown, t: JitType): string {
    return printRuntimeValue(value, t, this.ctx);
  }

  /** Appends `text` at the start of a line at the current indentation. */
  line(text: string): void {
    this.out += "  ".repeat(this.level) + text + "\n";
  }

  /** Appends raw text (no indentation). */
  raw(text: string): void {
    this.out += text;
  }

  indented<T>(fn: () => T): T {
    this.level++;
    try {
      return fn();
    } finally {
      this.level--;
    }
  }

  /**
   * `def name(self: T,\n    x: Tensor) -> R:` and the body. Methods in `.code` leave the first
   * argument's type out (`printFirstArgType` false); archives and functions write it.
   */
  printFunction(graph: Graph, sig: FunctionSignature, printFirstArgType = true): void {
    this.names.newScope();
    let head = `def ${sig.name}(`;
    graph.inputs.forEach((input, i) => {
      const spec = sig.args?.[i];
      const name = this.names.generate(spec?.name ?? defaultArgName(input, i));
      const type = spec?.type ?? input.type;
      if (i === 0) head += printFirstArgType ? `${name}: ${this.annotation(type)}` : name;
      else head += `,\n    ${name}: ${this.annotation(type)}`;
      if (spec?.default) head += `=${this.defaultLiteral(spec.default.value, type, spec.fixedLength)}`;
      this.idents.set(input, name);
    });
    const ret = sig.returnType ?? graph.outputs[0]?.type ?? Types.none;
    this.line(`${head}) -> ${this.annotation(ret)}:`);
    this.printBody(graph.block);
  }

  /** printDefaultValue: a scalar default of a broadcasting list prints as the list. */
  private defaultLiteral(value: unknown, type: JitType, n: number | undefined): string {
    const base = type.kind === "Optional" ? type.element : type;
    if (base.kind === "List" && !Array.isArray(value) && value !== null && value !== undefined) {
      if (n === undefined) throw new Error(`printer: default ${String(value)} of a ${this.annotation(type)} argument needs its fixedLength`);
      return this.literal(Array.from({ length: n }, () => value), base);
    }
    return this.literal(value, type);
  }

  private printBody(body: Block): void {
    const constants = constantsInUseOrder(body);
    this.scan.scanBlock(body);
    this.indented(() => {
      // Constants are hoisted: most just become the text inlined at their uses, but long
      // ones (a long string) get a variable at the top.
      for (const c of constants) this.printNode(c, true);
      this.printBlock(body, body.returnNode.inputs.length > 0);
      this.printNode(body.returnNode, false);
    });
  }

  /** A block's statements; `pass` for an empty block with nothing else following. */
  private printBlock(b: Block, hasOtherStatements: boolean): void {
    if (!hasOtherStatements && b.isEmpty) this.line("pass");
    for (const n of b.nodes()) this.printNode(n, false);
  }

  private useOf(v: Value): string {
    const s = this.idents.get(v) ?? this.exprs.get(v);
    if (s === undefined) throw new Error(`printer: value %${v.debugName} used before it was printed`);
    return s;
  }

  private nameValues(values: readonly Value[]): void {
    for (const v of values) {
      this.idents.set(v, this.names.generate(v.hasDebugName() ? makeValidIdentifier(v.debugNameBase()) : "_"));
    }
  }

  private useList(values: readonly Value[]): string {
    return values.map((v) => this.useOf(v)).join(", ");
  }

  private isLongLine(s: string): boolean {
    return s.length + this.level * 2 >= LONG_LINE;
  }

  private printNode(node: Node, printConstants: boolean): void {
    if (!printConstants && node.kind === "prim::Constant") return;
    const statement = STATEMENTS[node.kind];
    if (statement) {
      statement(this, node);
      return;
    }
    const expr = printExpression(node, this.ctx);
    // Long constants are not inlined; doing the same for other nodes would reorder
    // evaluation (Note [reordering of inlines]), so those are split at their use instead.
    if (!this.scan.inlined.has(node) || (node.kind === "prim::Constant" && this.isLongLine(expr))) {
      this.printOutputDefinition(node, expr);
    } else {
      this.exprs.set(node.output(), expr);
      if (this.isLongLine(expr)) this.splitLongInlines(node.output());
    }
  }

  /** `a, b = expr`, or `expr` alone for a node without outputs. */
  private printOutputDefinition(node: Node, expr: string): void {
    this.nameValues(node.outputs);
    this.line(node.outputs.length > 0 ? `${this.useList(node.outputs)} = ${expr}` : expr);
  }

  /**
   * Note [reordering of inlines]: when an inlined expression makes a line too long it gets a
   * variable, and so must every inlined input evaluated before it in the statement, or the
   * variable would move its evaluation ahead of theirs:
   *   r = foo(x.add_(b), some_long + expression)
   * becomes
   *   _0 = x.add_(b)
   *   _1 = some_long + expression
   *   r = foo(_0, _1)
   */
  private splitLongInlines(v: Value): void {
    const toSplit: Value[] = [];
    const use = v.uses[0]!;
    this.scanLongInlines(use.user, use.offset, toSplit);
    for (let i = toSplit.length - 1; i >= 0; i--) {
      const w = toSplit[i]!;
      this.printOutputDefinition(w.node, this.useOf(w));
    }
  }

  private scanLongInlines(user: Node, offset: number, toSplit: Value[]): void {
    const seen = this.visitedSplits.get(user);
    const stop = seen === undefined ? 0 : seen + 1;
    for (let i = offset; i >= stop; i--) {
      const arg = user.inputs[i]!;
      if (arg.node.kind !== "prim::Constant" && this.scan.inlined.has(arg.node)) toSplit.push(arg);
    }
    this.visitedSplits.set(user, offset);
    if (seen === undefined && this.scan.inlined.has(user)) {
      // The user is itself inlined into a statement still being built: the inputs of its own
      // user that come before it are evaluated first too (-1: the user itself stays inline).
      const next = user.output().uses[0]!;
      this.scanLongInlines(next.user, next.offset - 1, toSplit);
    }
  }

  private printAssignment(lhs: readonly Value[], rhs: readonly Value[]): void {
    if (lhs.length > 0) this.line(`${this.useList(lhs)} = ${this.useList(rhs)}`);
  }

  /** Loop entry assignments; a type annotation where the variable's type differs from the value's. */
  private printAnnotatedAssignment(lhs: readonly Value[], rhs: readonly Value[]): void {
    lhs.forEach((l, i) => {
      const r = rhs[i]!;
      const note = typeDiffers(l.type, r.type) ? `: ${this.annotation(l.type)}` : "";
      this.line(`${this.useOf(l)}${note} = ${this.useOf(r)}`);
    });
  }

  /** @internal prim::If: outputs are variables assigned at the end of each branch. */
  printIf(node: Node): void {
    this.nameValues(node.outputs);
    this.line(`if ${this.useOf(node.input())}:`);
    node.blocks.forEach((b, i) => {
      if (i === 1) this.line("else:");
      this.indented(() => {
        this.printBlock(b, node.outputs.length > 0);
        this.printAssignment(node.outputs, b.outputs);
      });
    });
  }

  /**
   * @internal prim::Loop. Loop-carried values are the loop's outputs, assigned their initial
   * values before the loop and their next values at the end of each trip; the body's carried
   * parameters are aliases of the outputs.
   */
  printLoop(node: Node): void {
    const body = node.block();
    const isFor = loopKind(node) === "for";
    const carriedOutputs = node.outputs;
    this.nameValues(carriedOutputs);
    body.inputs.slice(1).forEach((p, i) => this.exprs.set(p, this.useOf(carriedOutputs[i]!)));
    this.printAnnotatedAssignment(carriedOutputs, node.inputs.slice(2));
    const trip = body.inputs[0]!;
    this.nameValues([trip]);
    if (isFor) {
      this.line(`for ${this.useOf(trip)} in range(${this.useOf(node.input(0))}):`);
    } else {
      // A while loop has no trip count to name, so its variable holds the condition.
      this.printAssignment([trip], [node.input(1)]);
      this.line(`while ${this.useOf(trip)}:`);
    }
    this.indented(() => {
      const skip = isFor ? 1 : 0; // a for loop's condition is always True: not re-assigned
      const carried = body.inputs.slice(skip);
      this.printBlock(body, carried.length > 0);
      this.printAssignment(carried, body.outputs.slice(skip));
    });
  }

  /** @internal `a, b, = expr`: the trailing comma forces an unpack when read back. */
  printUnpack(node: Node): void {
    this.nameValues(node.outputs);
    const lhs = node.outputs.length > 0 ? `${this.useList(node.outputs)}, = ` : "";
    this.line(lhs + this.useOf(node.input()));
  }

  /** @internal */
  printSetAttr(node: Node): void {
    this.line(`${this.useOf(node.input(0))}.${node.s("name")} = ${this.useOf(node.input(1))}`);
  }

  /** @internal `return a` (a single value; methods return tuples as one value). */
  printReturn(node: Node): void {
    if (node.inputs.length > 0) this.line(`return ${this.useList(node.inputs)}`);
  }

  /** @internal prim::fork: the subgraph becomes a local function closing over the inputs. */
  printFork(node: Node): void {
    const name = this.names.generate("__forked_function");
    const sub = node.attr("Subgraph");
    if (sub?.kind !== "g") throw new Error("printer: prim::fork without a Subgraph attribute");
    this.line(`def ${name}():`);
    sub.value.inputs.forEach((p, i) => this.exprs.set(p, this.useOf(node.input(i))));
    this.printBody(sub.value.block);
    this.printOutputDefinition(node, `fork(${name})`);
  }

  /** @internal prim::Enter opens `with e as n:`; the matching prim::Exit closes it. */
  printEnter(node: Node): void {
    const out = node.outputs[0];
    let head = `with ${this.useOf(node.input())}`;
    if (out !== undefined && out.hasUses()) {
      this.nameValues([out]);
      head += ` as ${this.useOf(out)}`;
    }
    this.line(`${head}:`);
    this.level++;
  }

  /** @internal */
  printExit(node: Node): void {
    if (node.prev?.kind === "prim::Enter") this.line("pass");
    this.level--;
  }

  /** @internal `name : T = container[key]` */
  printModuleContainerIndex(node: Node): void {
    const out = node.output();
    this.nameValues([out]);
    this.line(`${this.useOf(out)} : ${annotationStr(out.type)} = ${this.useOf(node.input(0))}[${this.useOf(node.input(1))}]`);
  }
}

/** Node kinds printed as statements of their own rather than as `x = <expression>`. */
const STATEMENTS: Readonly<Record<string, (p: PythonPrinter, n: Node) => void>> = {
  "prim::Return": (p, n) => p.printReturn(n),
  "prim::Loop": (p, n) => p.printLoop(n),
  "prim::If": (p, n) => p.printIf(n),
  "prim::TupleUnpack": (p, n) => p.printUnpack(n),
  "prim::ListUnpack": (p, n) => p.printUnpack(n),
  "prim::SetAttr": (p, n) => p.printSetAttr(n),
  "prim::fork": (p, n) => p.printFork(n),
  "prim::Enter": (p, n) => p.printEnter(n),
  "prim::Exit": (p, n) => p.printExit(n),
  "prim::ModuleContainerIndex": (p, n) => p.printModuleContainerIndex(n),
};

function defaultFunctionName(node: Node): string {
  const t = node.output().type;
  if (t.kind === "Function" && t.name !== null) return t.name;
  const name = node.attr("name");
  if (name?.kind === "s") return name.value;
  throw new Error(`printer: Function constant ${node} has no name`);
}

/** The schema name of an argument the caller did not name: its debug name, or the tracer's. */
function defaultArgName(input: Value, i: number): string {
  return input.hasDebugName() ? makeValidIdentifier(input.debugNameBase()) : `argument_${i}`;
}

/** The constants a body uses, in order of first use (nested blocks included): they print first. */
function constantsInUseOrder(body: Block): Node[] {
  const seen = new Set<Node>();
  const found: Node[] = [];
  const visitInputs = (n: Node): void => {
    for (const v of n.inputs) {
      if (v.node.kind === "prim::Constant" && !seen.has(v.node)) {
        seen.add(v.node);
        found.push(v.node);
      }
    }
  };
  const visitBlock = (b: Block): void => {
    for (const n of b.nodes()) {
      visitInputs(n);
      for (const inner of n.blocks) visitBlock(inner);
    }
    visitInputs(b.returnNode);
  };
  visitBlock(body);
  return found;
}

/** c10 `*lhs->type() != *rhs->type()`. */
function typeDiffers(a: JitType, b: JitType): boolean {
  return !typeEquals(a, b);
}

/**
 * LoopView::loopType. A loop whose condition is constant True throughout is a `for` when its
 * trip count is given (not the max-int default, or used in the body), else a `while True`.
 * Any other condition with a given trip count is a loop optimizations produced, which has no
 * Python spelling.
 */
function loopKind(node: Node): "for" | "while" {
  const body = node.block();
  const isTrue = (v: Value | undefined): boolean => {
    const c = v ? constantValue(v.node) : null;
    return c?.type === "bool" && c.value;
  };
  const trip = constantValue(node.input(0).node);
  const tripGiven = trip?.type !== "int" || BigInt(trip.value) !== 9223372036854775807n || body.inputs[0]!.hasUses();
  if (isTrue(node.input(1)) && isTrue(body.outputs[0])) return tripGiven ? "for" : "while";
  if (tripGiven) {
    throw new Error("loop cannot be printed as python because it has gone through an optimization that combined while and for loops. File a bug");
  }
  return "while";
}
