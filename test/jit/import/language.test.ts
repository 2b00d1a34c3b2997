/**
 * The serialized language, one feature at a time, on small hand-written code/ files: what
 * PythonPrint emits (literals as it formats them, class forms, special forms) and the plain
 * Python that torch.jit.load also accepts (infix operators, elif, unannotated arguments).
 * Each file is compiled, printed back, and run where it computes something.
 */
import { describe, expect, it } from "vitest";
import { torch, Tensor } from "../../../src/index.js";
import { ScriptError } from "../../../src/jit/frontend/errors.js";
import { SourceFile, SourceImporter, describeImportedClass, describeImportedFunction, parseCodeFile, type ImportedFunction } from "../../../src/jit/import/index.js";
import { printCodeFile, type CodeFileItem } from "../../../src/jit/printer/index.js";
import { runGraph } from "../../../src/jit/runtime/index.js";
import { TestObject } from "../runtime/support.js";

function importer(files: Record<string, string>, constants: unknown[] = []): SourceImporter {
  return new SourceImporter((p) => files[p], constants);
}

function fn(files: Record<string, string>, name: string, constants: unknown[] = []): { f: ImportedFunction; imp: SourceImporter } {
  const imp = importer(files, constants);
  const f = imp.loadType(name);
  if (f?.kind !== "function") throw new Error(`${name} is not a function`);
  return { f, imp };
}

function call(files: Record<string, string>, name: string, args: unknown[], constants: unknown[] = []): unknown {
  const { f, imp } = fn(files, name, constants);
  // instances of TorchScript classes: an object with the class's compiled methods
  const createObject = (qualifiedName: string) => {
    const cls = imp.loadType(qualifiedName);
    const obj = new TestObject(qualifiedName);
    if (cls?.kind === "class") for (const [k, m] of cls.methods) obj.methods.set(k, { name: k, graph: m.graph });
    return obj;
  };
  return runGraph(f.function.graph, args, { name, functions: imp.functionTable(), createObject })[0];
}

/** Prints every item of `__torch__.py` back (the round trip). */
function reprint(text: string, constants: unknown[] = []): string {
  const imp = importer({ "__torch__.py": text }, constants);
  const items: CodeFileItem[] = [...text.matchAll(/^(?:class|def) (\w+)/gm)].map((m) => {
    const t = imp.loadType(`__torch__.${m[1]}`)!;
    return t.kind === "class" ? describeImportedClass(t) : describeImportedFunction(t);
  });
  return printCodeFile(items, { constants });
}

describe("literals as PythonPrint writes them", () => {
  it("floats, ints and strings print back unchanged and carry their values", () => {
    const text = [
      "def f(x: float) -> Tuple[float, float, float, int, str]:",
      "  _0 = (0.10000000000000001, 1.0000000000000001e-05, torch.add(x, 2.), 9223372036854775807, \"a\\n\\t\\\"q\\\\\\001\")",
      "  return _0",
      "",
    ].join("\n");
    expect(reprint(text)).toBe(text);
    const out = call({ "__torch__.py": text }, "__torch__.f", [0.5]) as unknown[];
    expect(out.slice(0, 3)).toEqual([0.1, 1e-5, 2.5]);
    expect(out[4]).toBe("a\n\t\"q\\\x01");
  });

  it("int literals in every base, and exponents with or without a dot", () => {
    const text = "def f() -> Tuple[int, int, int, int, int, float, float, float]:\n  return (12, 0x1F, 0O17, 0b101, 9007199254740991, 1e3, 2.5E-1, .5)\n";
    expect(call({ "__torch__.py": text }, "__torch__.f", [])).toEqual([12, 31, 15, 5, 9007199254740991, 1000, 0.25, 0.5]);
  });

  it("a file with CRLF line ends compiles as its LF form does", () => {
    const lf = "def f(x: int) -> int:\n  if torch.gt(x, 2):\n    y = torch.add(x, 10)\n  else:\n    y = x\n  return y\n";
    const crlf = lf.replace(/\n/g, "\r\n");
    expect([call({ "__torch__.py": crlf }, "__torch__.f", [3]), call({ "__torch__.py": crlf }, "__torch__.f", [1])]).toEqual([13, 1]);
    expect(reprint(crlf)).toBe(reprint(lf));
  });

  it("inf and nan are names of float constants", () => {
    const text = "def f() -> Tuple[float, float]:\n  return (inf, nan)\n";
    const [a, b] = call({ "__torch__.py": text }, "__torch__.f", []) as number[];
    expect(a).toBe(Infinity);
    expect(Number.isNaN(b)).toBe(true);
  });
});

describe("class forms", () => {
  it("a module with parameters, buffers, __annotations__ and Final constants prints back", () => {
    const text = [
      "class M(Module):",
      "  __parameters__ = [\"weight\", ]",
      "  __buffers__ = [\"count\", ]",
      "  weight : Tensor",
      "  count : Tensor",
      "  training : bool",
      "  __annotations__[\"0\"] = __torch__.Leaf",
      "  eps : Final[float] = 1.0000000000000001e-05",
      "  shape : Final[Tuple[int]] = (6,)",
      "  def forward(self: __torch__.M,",
      "    x: Tensor) -> Tensor:",
      "    _0 = getattr(self, \"0\")",
      "    weight = self.weight",
      "    _1 = torch.add((_0).forward(x, ), weight)",
      "    return _1",
      "class Leaf(Module):",
      "  __parameters__ = []",
      "  __buffers__ = []",
      "  training : bool",
      "  def forward(self: __torch__.Leaf,",
      "    x: Tensor) -> Tensor:",
      "    return torch.neg(x)",
      "",
    ].join("\n");
    expect(reprint(text)).toBe(text);
    const m = importer({ "__torch__.py": text }).loadType("__torch__.M")!;
    expect(m.kind === "class" && m.attributes.map((a) => [a.name, a.isParameter, a.isBuffer])).toEqual([
      ["weight", true, false], ["count", false, true], ["training", false, false], ["0", false, false],
    ]);
  });

  it("NamedTuple, Enum and ModuleInterface bodies print back; a named tuple is built and read by field", () => {
    const text = [
      "class PairOut(NamedTuple):",
      "  total : Tensor",
      "  count : int",
      "class Color(Enum):",
      "  RED = 1",
      "  GREEN = 2",
      "class OneOp(ModuleInterface):",
      "  def forward(self, x: Tensor) -> Tensor:",
      "    pass",
      "def make(x: Tensor,",
      "    n: int) -> Tuple[__torch__.PairOut, int]:",
      "  p = __torch__.PairOut(x, n)",
      "  return (p, (p)[1])",
      "",
    ].join("\n");
    expect(reprint(text)).toBe(text);
    const [pair, count] = call({ "__torch__.py": text }, "__torch__.make", [torch.ones([2]), 3]) as [unknown[], number];
    expect(count).toBe(3);
    expect(pair[1]).toBe(3);
  });

  it("a TorchScript class: __new__, __init__ and methods", () => {
    const text = [
      "class Pair:",
      "  a : Tensor",
      "  b : Tensor",
      "  def __init__(self: __torch__.Pair,",
      "    a: Tensor,",
      "    b: Tensor) -> NoneType:",
      "    self.a = a",
      "    self.b = b",
      "    return None",
      "  def total(self: __torch__.Pair) -> Tensor:",
      "    a = self.a",
      "    b = self.b",
      "    return torch.add(a, b)",
      "def use(x: Tensor) -> Tensor:",
      "  p = __torch__.Pair.__new__(__torch__.Pair)",
      "  _0 = (p).__init__(x, x, )",
      "  return (p).total()",
      "",
    ].join("\n");
    const out = call({ "__torch__.py": text }, "__torch__.use", [torch.tensor([1, 2])]) as Tensor;
    expect(Array.from(out.contiguousData())).toEqual([2, 4]);
  });
});

describe("special forms and plain Python", () => {
  it("annotate, uninitialized, unchecked_cast, isinstance, CONSTANTS", () => {
    const text = [
      "def f(x: Optional[Tensor],",
      "    y: Any) -> Tuple[List[Tensor], Tensor, bool]:",
      "  _0 = uninitialized(Tensor)",
      "  xs = annotate(List[Tensor], [])",
      "  if torch.__isnot__(x, None):",
      "    x0 = unchecked_cast(Tensor, x)",
      "    _2 = torch.append(xs, x0)",
      "    _1 = x0",
      "  else:",
      "    _1 = _0",
      "  _3 = isinstance(y, int)",
      "  return (xs, torch.add(_1, CONSTANTS.c0), _3)",
      "",
    ].join("\n");
    expect(reprint(text, [torch.tensor([10])])).toBe(text);
    const [xs, sum, isInt] = call({ "__torch__.py": text }, "__torch__.f", [torch.tensor([1]), 4], [torch.tensor([10])]) as [Tensor[], Tensor, boolean];
    expect(xs.length).toBe(1);
    expect(Array.from(sum.contiguousData())).toEqual([11]);
    expect(isInt).toBe(true);
  });

  it("infix operators, elif, augmented assignment, unannotated arguments (what torch.jit.load also accepts)", () => {
    const text = [
      "def f(x, n: int):",
      "  acc = 0",
      "  for i in range(n):",
      "    if i % 3 == 0:",
      "      acc += i * 2",
      "    elif i > 4 and not i == 7:",
      "      acc -= 1",
      "    else:",
      "      continue",
      "  return x @ x + acc",
      "",
    ].join("\n");
    const x = torch.tensor([[1, 2], [3, 4]], { dtype: torch.float32 });
    const out = call({ "__torch__.py": text }, "__torch__.f", [x, 9]) as Tensor;
    // acc: i=0 +0, 3 +6, 5 -1, 6 +12, 8 -1 -> 16
    expect(Array.from(out.contiguousData())).toEqual([7 + 16, 10 + 16, 15 + 16, 22 + 16]);
  });

  it("qualifiers outside __torch__ (a class saved as mypkg.M lives in code/mypkg.py)", () => {
    const files = {
      "__torch__.py": "def f(x: Tensor) -> Tensor:\n  return mypkg.double(x, )\n",
      "mypkg.py": "def double(x: Tensor) -> Tensor:\n  return torch.mul(x, 2)\n",
    };
    const out = call(files, "__torch__.f", [torch.tensor([2])]) as Tensor;
    expect(Array.from(out.contiguousData())).toEqual([4]);
  });

  it("free functions call each other across files, by qualified name", () => {
    const files = {
      "__torch__.py": "def f(x: Tensor) -> Tensor:\n  _0 = __torch__.lib.ops.g(x, )\n  return _0\n",
      "__torch__/lib/ops.py": "def g(x: Tensor,\n    k: int=3) -> Tensor:\n  return torch.mul(x, k)\n",
    };
    const out = call(files, "__torch__.f", [torch.tensor([2])]) as Tensor;
    expect(Array.from(out.contiguousData())).toEqual([6]);
  });
});

describe("errors say where", () => {
  const expectError = (files: Record<string, string>, name: string, what: RegExp, line: number, column: number, constants: unknown[] = []) => {
    let err: unknown;
    try {
      importer(files, constants).loadType(name);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScriptError);
    const e = err as ScriptError;
    expect(e.message).toMatch(what);
    expect([e.file, e.line, e.column]).toEqual(["code/__torch__.py", line, column]);
    expect(e.message).toContain("<--- HERE");
  };

  it("a syntax error names the file, line and column", () => {
    expectError({ "__torch__.py": "def f(x: Tensor) -> Tensor:\n  return torch.add(x,, 1)\n" }, "__torch__.f", /expected an expression but found ','/, 2, 22);
  });

  it("an unknown variable, op, type and constant", () => {
    expectError({ "__torch__.py": "def f(x: Tensor) -> Tensor:\n  return torch.add(x, y)\n" }, "__torch__.f", /undefined value y/, 2, 23);
    expectError({ "__torch__.py": "def f(x: Tensor) -> Tensor:\n  return torch.no_such_op(x)\n" }, "__torch__.f", /Unknown builtin op: aten::no_such_op/, 2, 10);
    expectError({ "__torch__.py": "def f(x: __torch__.Nope) -> Tensor:\n  return x\n" }, "__torch__.f", /Unknown type name '__torch__.Nope'/, 1, 10);
    expectError({ "__torch__.py": "def f(x: Tensor) -> Tensor:\n  return CONSTANTS.c3\n" }, "__torch__.f", /constant index 3 is out of bounds/, 2, 10);
  });

  it("names that are Object.prototype members are read as names, not as built-in entries", () => {
    expectError({ "__torch__.py": "class A(constructor):\n  pass\n" }, "__torch__.A", /unknown base class 'constructor'/, 1, 1);
  });

  it("bad indentation", () => {
    expectError({ "__torch__.py": "def f(x: Tensor) -> Tensor:\n    y = x\n  return y\n" }, "__torch__.f", /unindent does not match/, 3, 3);
  });

  it("an error at run time quotes the code/ line of the failing node", () => {
    const files = { "__torch__.py": "def f(x: Tensor,\n    y: Tensor) -> Tensor:\n  z = torch.neg(x)\n  return torch.add(z, y)\n" };
    expect(() => call(files, "__torch__.f", [torch.ones([2]), torch.ones([3])])).toThrow(
      /File "code\/__torch__.py", line 4, in __torch__.f\n {4}  return torch.add\(z, y\)\n/,
    );
  });

  it("a name no file defines is undefined, not an error", () => {
    expect(importer({}).loadType("__torch__.Missing")).toBeUndefined();
    expect(importer({ "__torch__.py": "def f(x: Tensor) -> Tensor:\n  return x\n" }).loadType("__torch__.g")).toBeUndefined();
  });

});

describe("blank lines between indented blocks", () => {
  it("a blank line before a dedent ends the block (two functions apart)", () => {
    const file = new SourceFile("x.py", "def a(x: int) -> int:\n  if x > 0:\n    return x\n\n  return 0\n\n\ndef b(x: int) -> int:\n\n  return x\n");
    expect(parseCodeFile(file).items.map((d) => d.name)).toEqual(["a", "b"]);
  });
});
