// Imports in cells, resolved from the notebook's directory: packages (ESM-only and CommonJS),
// Node's builtins, .ts/.js files beside the notebook, dynamic import(), and tsjit itself.

import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { newSession, tempDir } from "./support.js";

/** A notebook folder with two packages in node_modules and local modules beside it. */
function notebookDir(): string {
  const dir = tempDir("tsjit-imports-");
  const esm = join(dir, "node_modules", "esm-only-pkg");
  mkdirSync(esm, { recursive: true });
  // only an "import" condition: require() cannot load it, import() must
  writeFileSync(join(esm, "package.json"), JSON.stringify({ name: "esm-only-pkg", type: "module", exports: { ".": { import: "./main.js" } } }));
  writeFileSync(join(esm, "main.js"), "export const kind = 'esm';\nexport default function greet(name) { return `hi ${name}`; }\n");
  const cjs = join(dir, "node_modules", "cjs-pkg");
  mkdirSync(cjs, { recursive: true });
  writeFileSync(join(cjs, "package.json"), JSON.stringify({ name: "cjs-pkg", main: "lib.js" }));
  writeFileSync(join(cjs, "lib.js"), "exports.kind = 'cjs';\nexports.add = (a, b) => a + b;\n");
  writeFileSync(join(dir, "helpers.ts"), "import { scale } from './scale.js';\nexport interface Point { x: number }\nexport function double(p: Point): number { return scale(p.x, 2) }\n");
  writeFileSync(join(dir, "scale.ts"), "export const scale = (v: number, by: number): number => v * by;\n");
  writeFileSync(join(dir, "plain.mjs"), "export const plain = 'js beside the notebook';\n");
  writeFileSync(join(dir, "data.json"), JSON.stringify({ answer: 42 }));
  return dir;
}

const dir = notebookDir();
const session = newSession({ cwd: dir });
afterAll(() => session.evaluator.shutdown(false));

describe("static imports", () => {
  it("load an ESM-only package and a CommonJS one from the notebook's node_modules", async () => {
    await session.run("import greet, { kind as esmKind } from 'esm-only-pkg'\nimport cjs, { add } from 'cjs-pkg'");
    expect(await session.value("[greet('you'), esmKind, cjs.kind, add(2, 3)]")).toBe("[ 'hi you', 'esm', 'cjs', 5 ]");
  });

  it("load Node's builtins, with or without node:", async () => {
    await session.run("import * as nodePath from 'node:path'\nimport { EventEmitter } from 'events'");
    expect(await session.value("[nodePath.join('a', 'b'), typeof EventEmitter]")).toBe("[ 'a/b', 'function' ]");
  });

  it("load a .ts file beside the notebook, which imports another by its .js name", async () => {
    await session.run("import { double, type Point } from './helpers.ts'\nimport { plain } from './plain.mjs'");
    expect(await session.value("[double({ x: 21 }), plain]")).toBe("[ 42, 'js beside the notebook' ]");
  });

  it("load a file again after it changed", async () => {
    const file = join(dir, "version.ts");
    writeFileSync(file, "export const version: number = 1;\n");
    expect(await session.value("import { version } from './version'\nversion")).toBe("1");
    writeFileSync(file, "export const version: number = 2;\n");
    utimesSync(file, new Date(), new Date(Date.now() + 5000)); // a newer mtime even on coarse clocks
    expect(await session.value("import { version as v2 } from './version'\nv2")).toBe("2");
  });

  it("JSON with an import attribute", async () => {
    expect(await session.value("import data from './data.json' with { type: 'json' }\ndata.answer")).toBe("42");
  });

  it("an unknown module is a clear error, and the kernel goes on", async () => {
    const { outcome } = await session.run("import { nothing } from './does-not-exist'");
    expect(outcome.status).toBe("error");
    if (outcome.status === "error") expect(outcome.evalue).toContain("does-not-exist");
    expect(await session.value("1")).toBe("1");
  });
});

describe("dynamic import()", () => {
  it("resolves like a static import, from inside functions too", async () => {
    await session.run("async function load(name: string) { return (await import(name)).kind }");
    expect(await session.value("[await load('esm-only-pkg'), await load('cjs-pkg')]")).toBe("[ 'esm', 'cjs' ]");
    expect(await session.value("(await import('./helpers.ts')).double({ x: 1 })")).toBe("2");
  });
});

describe("tsjit", () => {
  it("`import { torch } from 'tsjit'` is the kernel's own torch", async () => {
    expect(await session.value("import { torch as t } from 'tsjit'\nimport tsjitDefault from 'tsjit'\n[t === torch, tsjitDefault === torch]")).toBe(
      "[ true, true ]",
    );
  });

  it("import.meta describes a file in the notebook's directory", async () => {
    expect(await session.value("import.meta.dirname")).toBe(`'${dir}'`);
  });
});
