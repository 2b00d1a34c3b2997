/**
 * Conformance archives for the importer tests: each case's code/ files (read with the printer
 * tests' test-only zip reader), its root class (the first GLOBAL of data.pkl), and a constant
 * table of placeholders (constants.pkl is archive-io's to unpickle; for printing and compiling,
 * `CONSTANTS.cN` only needs N distinct tensors).
 */
import "../../../src/index.js";
import { torch, type Tensor } from "../../../src/index.js";
import { SourceImporter, type ImportedClass } from "../../../src/jit/import/index.js";
import { casesDir } from "../printer/support.js";
import { readArchiveText } from "../printer/zip_entries.js";

export interface CaseArchive {
  readonly name: string;
  /** Entry name without the archive prefix -> text. */
  readonly entries: ReadonlyMap<string, string>;
  /** code/ files: path relative to code/ -> text. */
  readonly code: ReadonlyMap<string, string>;
  readonly constants: readonly Tensor[];
  /** Qualified name of the saved module's class. */
  readonly rootClass: string;
}

export function readCaseArchive(name: string): CaseArchive {
  const entries = readArchiveText(new URL(`${name}/model.pt`, casesDir));
  const code = new Map<string, string>();
  for (const [k, v] of entries) if (k.startsWith("code/") && k.endsWith(".py")) code.set(k.slice(5), v);
  let count = 0;
  for (const text of code.values()) for (const m of text.matchAll(/CONSTANTS\.c(\d+)/g)) count = Math.max(count, Number(m[1]) + 1);
  const constants = Array.from({ length: count }, (_, i) => torch.full([1], i + 0.25));
  // data.pkl starts with PROTO 2 (two bytes, not text), then GLOBAL 'c<module>\n<name>\n' for the root
  const pkl = (entries.get("data.pkl") ?? "").slice(2);
  const m = /^c([^\n]*)\n([^\n]*)\n/.exec(pkl);
  if (!m) throw new Error(`${name}: data.pkl does not start with the root GLOBAL`);
  return { name, entries, code, constants, rootClass: `${m[1]}.${m[2]}` };
}

export function importerFor(a: CaseArchive): SourceImporter {
  return new SourceImporter((path) => a.code.get(path), a.constants);
}

/** The qualified names a code file defines, in file order (`class X` / `def f` at column 0). */
export function definedNames(path: string, text: string): string[] {
  const qualifier = path.slice(0, -3).split("/").join(".");
  return [...text.matchAll(/^(?:class|def) ([A-Za-z_]\w*)/gm)].map((m) => `${qualifier}.${m[1]}`);
}

/** The class reached from `root` through attribute path `path` (`blocks.0.first`). */
export function classAt(importer: SourceImporter, root: string, path: readonly string[]): ImportedClass {
  let cls = importer.loadType(root);
  for (const part of path) {
    if (cls?.kind !== "class") break;
    const t = cls.attributes.find((a) => a.name === part)?.type;
    cls = t?.kind === "Class" ? importer.loadType(t.name) : undefined;
  }
  if (cls?.kind !== "class") throw new Error(`no class at ${[root, ...path].join(".")}`);
  return cls;
}
