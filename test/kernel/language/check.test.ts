// Type checking of cells against earlier cells, tsjit's typings, npm packages and Node.

import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CellLanguageService } from "../../../src/kernel/language/index.js";
import { brief, notebookDir as cwd } from "./support.js";

describe("CellLanguageService.check", () => {
  let cells: CellLanguageService;
  beforeAll(() => {
    cells = new CellLanguageService({ cwd });
    cells.warmUp();
  }, 120_000);

  it("reports a type error at the cell's line and column", () => {
    const ds = cells.check("const ok = 1;\nconst bad: number = 'x';");
    expect(ds).toEqual([{ line: 2, column: 7, message: "Type 'string' is not assignable to type 'number'.", category: "error", code: 2322 }]);
  });

  it("reports syntax errors alone, in cell coordinates", () => {
    const ds = cells.check("const a: number = 'x';\nfoo(1,");
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ line: 2, column: 7, code: 1005, category: "error" });
  });

  it("flattens a message chain into one message", () => {
    const ds = cells.check("const p: { a: { b: number } } = { a: { b: 'x' } };");
    expect(ds.map((d) => d.code)).toEqual([2322]);
    expect(ds[0]?.message).toContain("Type 'string' is not assignable to type 'number'.");
  });

  it("is strict by default", () => {
    expect(brief(cells.check("function f(x) { return x; }"))).toEqual(["1:12 7006 Parameter 'x' implicitly has an 'any' type."]);
  });

  it("reads a ScriptModule's submodules by name, as Python does (traced.dg.code)", () => {
    const cell = "const t = torch.jit.trace(new nn.Linear(4, 4), [torch.rand(2, 4)]);\nconst text: string = t.code;\nt.weight;\nconst m = torch.jit.load('model.pt');\nm.cell.dg.code;";
    expect(cells.check(cell)).toEqual([]);
  });

  it("does not report anything for a correct cell", () => {
    expect(cells.check("class Foo { alpha = 1; beta(): string { return 's'; } }\nconst f = new Foo();\nf.beta();")).toEqual([]);
  });
});

describe("cells see the cells committed before them", () => {
  let cells: CellLanguageService;
  beforeAll(() => {
    cells = new CellLanguageService({ cwd });
    cells.commit("class Point { constructor(public x: number, public y: number) {} norm(): number { return Math.hypot(this.x, this.y); } }");
    cells.commit("const origin = new Point(0, 0);\nlet count = 1;\nconst limit = 10;\nfunction twice(n: number) { return 2 * n; }\ninterface Shape { w: number }\ntype Pair = [number, number];\nenum Color { Red, Green }");
  }, 120_000);

  it("sees classes, functions, variables, interfaces, types and enums", () => {
    const cell = "const n: number = origin.norm() + twice(count);\nconst s: Shape = { w: 1 };\nconst p: Pair = [1, 2];\nconst c: Color = Color.Green;\nclass P3 extends Point { z = 0 }";
    expect(cells.check(cell)).toEqual([]);
    expect(brief(cells.check("const s: string = origin.x;"))).toEqual(["1:7 2322 Type 'number' is not assignable to type 'string'."]);
  });

  it("keeps generics, enum member types and namespaces of earlier cells", () => {
    cells.commit("class Box<T> { constructor(public value: T) {} }\nnamespace Units { export const cm = 0.01; export type Metre = number; }");
    expect(cells.check("const b: Box<string> = new Box('s');\nconst r: Color.Red = Color.Red;\nconst m: Units.Metre = Units.cm;")).toEqual([]);
    expect(cells.check("const b: Box<number> = new Box('s');").map((d) => d.code)).toEqual([2322]);
  });

  it("checks assignments to an earlier let against its type, and rejects assignments to a const", () => {
    expect(cells.check("count = 5;\ncount += 1;")).toEqual([]);
    expect(brief(cells.check("count = 'five';"))).toEqual(["1:1 2322 Type 'string' is not assignable to type 'number'."]);
    expect(brief(cells.check("limit = 3;"))).toEqual(["1:1 2588 Cannot assign to 'limit' because it is a constant."]);
  });

  it("narrows an earlier variable as in one file", () => {
    cells.commit("let maybe: string | undefined = undefined;");
    expect(cells.check("maybe = 'now';\nmaybe.toUpperCase();")).toEqual([]);
    expect(cells.check("maybe.toUpperCase();").map((d) => d.code)).toEqual([18048]);
  });

  it("reports positions on line 1 in the cell's own columns (the header is invisible)", () => {
    expect(brief(cells.check("const z: string = count;"))).toEqual(["1:7 2322 Type 'number' is not assignable to type 'string'."]);
  });
});

describe("redeclaring a name in a later cell replaces it", () => {
  let cells: CellLanguageService;
  beforeAll(() => {
    cells = new CellLanguageService({ cwd });
  }, 120_000);

  it("has no 'Cannot redeclare' and the new type wins", () => {
    cells.commit("let value = 1;\nconst answer = 42;");
    expect(cells.check("const value = 'text';")).toEqual([]);
    cells.commit("const value = 'text';");
    expect(cells.check("const n: number = value.length + answer;")).toEqual([]);
    expect(brief(cells.check("const n: number = value;"))).toEqual(["1:7 2322 Type 'string' is not assignable to type 'number'."]);
  });

  it("replaces a class, while values made from the old class keep its type", () => {
    cells.commit("class Net { a = 1 }\nconst old = new Net();");
    cells.commit("class Net { b = 'x' }");
    expect(cells.check("const b: string = new Net().b;")).toEqual([]);
    expect(cells.check("new Net().a;").map((d) => d.code)).toEqual([2339]);
    expect(cells.check("const a: number = old.a;")).toEqual([]);
  });

  it("lets a cell redeclare a name it also uses from before (a re-run cell)", () => {
    cells.commit("function step(n: number) { return n + 1; }");
    expect(cells.check("function step(n: number, by = 1) { return n + by; }\nstep(1, 2);")).toEqual([]);
    cells.commit("function step(n: number, by = 1) { return n + by; }");
    expect(cells.check("step(1, 2);")).toEqual([]);
  });
});

describe("imports and top-level await", () => {
  let cells: CellLanguageService;
  beforeAll(() => {
    cells = new CellLanguageService({ cwd });
  }, 120_000);

  it("imports torch from tsjit, named and default", () => {
    const cell = 'import { torch as T, Tensor as Tn } from "tsjit";\nimport torch2 from "tsjit";\nconst a: Tn = T.zeros(2, 3);\nconst b: Tensor = torch2.ones(2);';
    expect(cells.check(cell)).toEqual([]);
    expect(cells.check('import { torch as T } from "tsjit";\nconst n: string = T.zeros(2);').map((d) => d.code)).toEqual([2322]);
  });

  it("imports an npm package and a node: builtin, and their names reach later cells", () => {
    const cell = 'import { tableFromArrays } from "apache-arrow";\nimport * as fs from "node:fs";\nconst t = tableFromArrays({ a: new Float32Array([1, 2]) });\nconst rows: number = t.numRows;\nconst text: string = fs.readFileSync("x", "utf8");';
    expect(cells.check(cell)).toEqual([]);
    cells.commit(cell);
    expect(cells.check("const n: number = t.numRows + rows;\nfs.existsSync('y');\ntableFromArrays({ b: [1] });")).toEqual([]);
    expect(cells.check('import { nope } from "apache-arrow";').map((d) => d.code)).toEqual([2305]);
  });

  it("imports a module beside the notebook", () => {
    expect(cells.check('import { toMetres, INCH } from "./units.ts";\nconst m: number = toMetres(2) + INCH;')).toEqual([]);
    expect(cells.check('import { toMetres } from "./units.ts";\ntoMetres("2");').map((d) => d.code)).toEqual([2345]);
  });

  it("reports a module that does not exist", () => {
    expect(cells.check('import { x } from "no-such-package-anywhere";').map((d) => d.code)).toEqual([2307]);
  });

  it("accepts top-level await, with the awaited type", () => {
    expect(cells.check("const v = await Promise.resolve(3);\nconst w: number = v;")).toEqual([]);
    expect(cells.check("const v = await Promise.resolve(3);\nconst w: string = v;").map((d) => d.code)).toEqual([2322]);
    cells.commit("const later = await Promise.resolve('s');");
    expect(cells.check("const len: number = later.length;")).toEqual([]);
  });
});

describe("the kernel's globals", () => {
  let cells: CellLanguageService;
  beforeAll(() => {
    cells = new CellLanguageService({ cwd });
  }, 120_000);

  it("has torch, nn, F, Tensor, int, float and Node's globals in scope", () => {
    const cell = [
      "class Gate extends nn.Module {",
      "  fc = new nn.Linear(4, 4);",
      "  forward(x: Tensor, k: int, s: float): Tensor { return F.relu(this.fc(x)).mul(k * s); }",
      "}",
      "const t: torch.Tensor = torch.rand(2, 4);",
      "const isT: boolean = t instanceof Tensor;",
      "console.log(process.pid, Buffer.from('a'), __tsjit_name(t, 't'));",
      "display(t); display.html('<b>'); tslab.display.html('<b>'); clear_output(true); __tsjit_magics.timeit('', () => 1);",
      "const answer: string | null = prompt('name?');",
    ].join("\n");
    expect(cells.check(cell)).toEqual([]);
  });

  it("types the display API as src/kernel/display does", () => {
    expect(cells.check("display.html(42);").map((d) => d.code)).toEqual([2345]);
    expect(cells.check("tslab.newDisplay().nope();").map((d) => d.code)).toEqual([2339]);
  });

  it("types int and float as numbers", () => {
    expect(cells.check("const i: int = 'x';").map((d) => d.code)).toEqual([2322]);
  });
});

describe("tsconfig.json beside the notebook", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "tsjit-language-"));
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: false, noImplicitAny: false } }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("honours its compilerOptions (and still has Node's typings from tsjit)", () => {
    const cells = new CellLanguageService({ cwd: dir });
    expect(cells.check("function f(x) { return x; }\nconsole.log(process.pid);")).toEqual([]);
  }, 120_000);

  it("reports problems in it without failing", () => {
    const bad = mkdtempSync(join(tmpdir(), "tsjit-language-"));
    try {
      writeFileSync(join(bad, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: false, notAnOption: true } }));
      const cells = new CellLanguageService({ cwd: bad });
      expect(cells.configurationProblems()).toEqual([`${join(bad, "tsconfig.json")}: Unknown compiler option 'notAnOption'.`]);
      expect(cells.check("function f(x) { return x; }")).toEqual([]);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  }, 120_000);

  it("is replaced by explicit compilerOptions", () => {
    const cells = new CellLanguageService({ cwd: dir, compilerOptions: { strict: true } });
    expect(cells.check("function f(x) { return x; }").map((d) => d.code)).toEqual([7006]);
  }, 120_000);
});

// Note [reusing a check]: a re-check of the same text may give the kept result, but never one
// that a commit since then, or a file it imports, has made wrong.
describe("re-checking a cell", () => {
  let dir: string;
  let cells: CellLanguageService;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "tsjit-recheck-"));
    writeFileSync(join(dir, "changing.ts"), "export const v: number = 1;\n");
    cells = new CellLanguageService({ cwd: dir });
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("gives the same diagnostics after a commit that declares nothing", () => {
    const first = brief(cells.check("const s: string = 1 + 1;"));
    expect(first).toEqual(["1:7 2322 Type 'number' is not assignable to type 'string'."]);
    cells.commit("1 + 1");
    cells.commit("console.log(2)");
    expect(brief(cells.check("const s: string = 1 + 1;"))).toEqual(first);
  });

  it("sees a name that a cell committed since declared", () => {
    expect(brief(cells.check("later * 2"))).toEqual(["1:1 2304 Cannot find name 'later'."]);
    cells.commit("const later = 3;");
    expect(cells.check("later * 2")).toEqual([]);
    cells.commit("const later = 'text';");
    expect(brief(cells.check("later * 2"))).toEqual([
      "1:1 2362 The left-hand side of an arithmetic operation must be of type 'any', 'number', 'bigint' or an enum type.",
    ]);
  });

  it("sees a global that a cell committed since declared, though the cell declares no name", () => {
    expect(brief(cells.check("augmented.x + 1"))).toEqual(["1:1 2304 Cannot find name 'augmented'."]);
    cells.commit("declare global { var augmented: { x: number } }");
    expect(cells.check("augmented.x + 1")).toEqual([]);
  });

  it("reads again a file the cell imports, which may have changed on disk", () => {
    const cell = 'import { v } from "./changing";\nconst s: string = v;';
    expect(brief(cells.check(cell))).toEqual(["2:7 2322 Type 'number' is not assignable to type 'string'."]);
    writeFileSync(join(dir, "changing.ts"), "export const v: string = 'now a string';\n");
    const later = new Date(Date.now() + 5000);
    utimesSync(join(dir, "changing.ts"), later, later); // a new mtime even on a coarse clock
    expect(cells.check(cell)).toEqual([]);
  });
});
