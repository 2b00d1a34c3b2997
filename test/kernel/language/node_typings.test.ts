// Node's typings on demand (Note [node typings on demand] in src/kernel/language/node_typings.ts):
// a session starts without @types/node and turns it on when a cell needs it, and every cell's
// diagnostics are those of a session that always had it.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CellLanguageService } from "../../../src/kernel/language/index.js";
import { NODE_NAMES } from "../../../src/kernel/language/node_typings.js";
import { typescript } from "../../../src/util/typescript.js";
import { brief, notebookDir as cwd } from "./support.js";

/** A session as the kernel had before on-demand typings: Node's typings from the start. */
const withNodeAlways = (): CellLanguageService => new CellLanguageService({ cwd, compilerOptions: { types: ["node"] } });

/** Cells that need Node's typings, each for a different reason, with and without type errors. */
const NODE_CELLS = [
  "const home: string = process.env.HOME ?? '';",
  "const h: number = process.env.HOME;",
  "console.log('x'.padStart(3));",
  "const t = setTimeout(() => 1, 10);\nt.unref();\nconst q: string = t;",
  "const e = new Error('x');\nError.captureStackTrace(e);",
  "import { readFileSync } from 'node:fs';\nconst text: number = readFileSync('x', 'utf8');",
  "const u = new URL('http://x');\nu.hostname.toFixed();",
  "const b = torch.save(torch.zeros(1));\nconst n: string = b.readUInt8(0);", // tsjit's typings return a Buffer
  "const d: string = import.meta.dirname;",
  "const m = await import('node:path');\nm.join(1, 2);",
  "consle.log(1);", // with Node's typings: "Did you mean 'console'?"
  "const e = new Error('x');\nError.captureStackTrac(e);", // "Did you mean 'captureStackTrace'?"
];

/** Cells that do not. */
const PLAIN_CELLS = [
  "class Point { constructor(public x: number, public y: number) {} norm(): number { return Math.hypot(this.x, this.y); } }\nnew Point(3, 4).norm()",
  "const z: string = torch.zeros(2).sum().item();",
  "const xs = [1, 2, 3].map((x) => x * 2);\nconst s: string = xs;",
  "import { torch as T } from 'tsjit';\nconst a = T.ones(2);",
  "const n: number = lenght;", // no name of Node's is near enough to be suggested
];

describe("Node's typings on demand", () => {
  it("are not loaded for cells that name nothing of Node's, warm-up included", () => {
    const cells = new CellLanguageService({ cwd });
    cells.warmUp();
    for (const code of PLAIN_CELLS) {
      cells.check(code);
      cells.commit(code);
    }
    cells.complete("Math.", 5);
    expect(cells.nodeTypingsLoaded).toBe(false);
  }, 120_000);

  it("give every cell, Node's or not, the diagnostics it has with Node's typings always there", () => {
    for (const code of [...PLAIN_CELLS, ...NODE_CELLS]) {
      const lazy = new CellLanguageService({ cwd });
      expect({ code, ds: brief(lazy.check(code)) }).toEqual({ code, ds: brief(withNodeAlways().check(code)) });
      expect({ code, loaded: lazy.nodeTypingsLoaded }).toEqual({ code, loaded: NODE_CELLS.includes(code) });
    }
  }, 240_000);

  it("turn on mid-session: later cells still see earlier ones, and keep them on", () => {
    const lazy = new CellLanguageService({ cwd });
    const always = withNodeAlways();
    const history = ["let count = 1;", "class Net extends nn.Module { fc = new nn.Linear(2, 2); }", "const env = process.env;", "count = 'x';", "const n: Net = new Net(); const k: number = env.HOME;"];
    for (const code of history) {
      expect({ code, ds: brief(lazy.check(code)) }).toEqual({ code, ds: brief(always.check(code)) });
      lazy.commit(code);
      always.commit(code);
    }
    expect(lazy.nodeTypingsLoaded).toBe(true);
  }, 120_000);

  it("turn on for a cell committed unchecked (type-check mode off)", () => {
    const cells = new CellLanguageService({ cwd });
    cells.commit("const started = process.hrtime.bigint();");
    expect(cells.nodeTypingsLoaded).toBe(true);
    expect(brief(cells.check("const s: string = started;"))).toEqual(["1:7 2322 Type 'bigint' is not assignable to type 'string'."]);
  }, 120_000);

  it("turn on when completing a bare name that one of Node's may complete, and only then", () => {
    const cells = new CellLanguageService({ cwd });
    const always = withNodeAlways();
    expect(cells.complete("Mat", 3)).toEqual(always.complete("Mat", 3));
    expect(cells.nodeTypingsLoaded).toBe(false);
    expect(cells.complete("proc", 4).matches).toContain("process");
    expect(cells.nodeTypingsLoaded).toBe(true);
    expect(cells.complete("", 0)).toEqual(always.complete("", 0));
  }, 120_000);

  describe("with tsconfig.json's own `types`", () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "tsjit-types-"));
      writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { types: [] } }));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("do as it says: no Node unless it lists node", () => {
      const cells = new CellLanguageService({ cwd: dir });
      expect(cells.check("process.env.HOME;").map((d) => d.code)).toEqual([2591]);
      expect(cells.nodeTypingsLoaded).toBe(false);
    }, 120_000);
  });
});

describe("NODE_NAMES", () => {
  /** Names in scope of an empty module, and members of lib's interfaces, with the given `types`. */
  function scope(types: string[]): { names: Set<string>; members: Map<string, Set<string>> } {
    const ts = typescript();
    const options = { strict: true, target: ts.ScriptTarget.ES2022, lib: ["lib.es2022.d.ts"], noEmit: true, types, typeRoots: [join(cwd, "..", "..", "..", "..", "node_modules", "@types")] };
    const file = join(cwd, "__empty.ts");
    const host = ts.createCompilerHost(options);
    const readFile = host.readFile.bind(host);
    host.readFile = (f) => (f === file ? "export {};" : readFile(f));
    host.fileExists = ((exists) => (f: string) => f === file || exists(f))(host.fileExists.bind(host));
    const program = ts.createProgram([file], options, host);
    const checker = program.getTypeChecker();
    const symbols = checker.getSymbolsInScope(program.getSourceFile(file)!, ts.SymbolFlags.Value | ts.SymbolFlags.Type | ts.SymbolFlags.Namespace);
    const members = new Map<string, Set<string>>();
    for (const s of symbols) {
      const type = s.flags & ts.SymbolFlags.Interface ? checker.getDeclaredTypeOfSymbol(s) : checker.getTypeOfSymbol(s);
      // Well-known symbols (`__@iterator@12`) are numbered per program: not comparable.
      members.set(s.name, new Set(checker.getPropertiesOfType(type).map((p) => p.name).filter((n) => !n.startsWith("__@"))));
    }
    return { names: new Set(symbols.map((s) => s.name)), members };
  }

  it("holds every global and lib-interface member @types/node adds to lib.es2022", () => {
    const without = scope([]);
    const withNode = scope(["node"]);
    const added = new Set<string>();
    for (const name of withNode.names) if (!without.names.has(name) && !name.startsWith('"')) added.add(name); // '"fs"': modules come by import
    for (const [name, members] of withNode.members) {
      const before = without.members.get(name);
      if (before === undefined || name === "globalThis") continue; // globalThis's members are the globals above
      if (name === "ImportMeta") continue; // `import.meta` turns them on by itself
      for (const m of members) if (!before.has(m)) added.add(m);
    }
    expect(added.size).toBeGreaterThan(50); // the comparison really saw @types/node
    expect([...added].filter((n) => !NODE_NAMES.has(n))).toEqual([]);
  }, 120_000);
});
