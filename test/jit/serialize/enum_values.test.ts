/**
 * Enum values in TorchScript code (issue #6): an archive PyTorch writes at test time, whose
 * code uses enum constants (`__torch__.Color.RED`), `.value`, `.name`, `==` / `!=` on enums,
 * enums as method arguments, results and module attributes, loads in tsjit and gives
 * PyTorch's outputs for every member, through the interpreter and the optimizing executor;
 * `.code` and the enum lines of `.graph` print as PyTorch prints them; tsjit's re-saved
 * archive runs in PyTorch with the same outputs.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { torch } from "../../../src/index.js";
import { compiledSource, executeGraph, executorState, optimized_execution } from "../../../src/jit/executor/graph_executor.js";
import { ScriptEnumValue } from "../../../src/jit/runtime/enum_value.js";
import type { ScriptModule } from "../../../src/jit/script_module.js";
import { TorchScriptArchiveError } from "../../../src/jit/serialize/errors.js";
import { load } from "../../../src/jit/serialize/jit_load.js";
import type { LoadedScriptModule } from "../../../src/jit/serialize/loaded_objects.js";
import { save } from "../../../src/jit/serialize/jit_save.js";
import { ZipReader } from "../../../src/jit/serialize/zip_reader.js";
import { ZipWriter } from "../../../src/jit/serialize/zip_writer.js";
import { hasTorch } from "../../support/pytorch.js";
import { difference, runTorchFile, type Encoded } from "./values.js";

const dir = mkdtempSync(join(tmpdir(), "tsjit-enum-"));


/** The module under test; the Python side and the TS side both call it with every Color member. */
const MODULE = `
from typing import Tuple
from enum import Enum

class Color(Enum):
    RED = 1
    GREEN = 2

class Shade(Enum):
    LIGHT = "light"
    DARK = "dark"

class M(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c = Color.RED
        self.shade = Shade.DARK
        self.spare = Color.GREEN  # no method reads it: its type comes from the declaration

    def forward(self, x: torch.Tensor, c: Color) -> Tuple[torch.Tensor, str, str, bool]:
        if c == Color.RED:
            y = x + c.value
        else:
            y = x * Color.GREEN.value
        return y, c.name, self.shade.value, c != self.c

    @torch.jit.export
    def other(self, c: Color) -> Color:
        if c == Color.RED:
            return Color.GREEN
        return Color.RED
`;

const CALLS = "[(torch.ones(2), Color.RED), (torch.ones(2), Color.GREEN)]";
const MEMBERS = { RED: 1, GREEN: 2 } as const;

/**
 * Float and negative members, an enum default argument, an Optional enum refined by a check,
 * a list-of-enums attribute, a list literal of members, and a loop over the Enum class.
 */
const EDGE_MODULE = `
from typing import List, Optional
from enum import Enum

class Scale(Enum):
    HALF = 0.5
    NEG = -1.0

class Level(Enum):
    LOW = -3
    HIGH = 7

class E(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.levels = [Level.LOW, Level.HIGH]

    def forward(self, x: torch.Tensor, s: Scale = Scale.HALF, lv: Optional[Level] = None) -> torch.Tensor:
        y = x * s.value
        if lv is not None:
            y = y + lv.value
        total = 0
        for l in Level:
            total += l.value
        for l in self.levels:
            if l == Level.HIGH:
                total += 1
        names: List[str] = [l.name for l in self.levels]
        return y + total + len(names)
`;

/** A Python file under PyTorch with `module` (MODULE unless given) defined before `script`. */
function runTorchWith<T>(name: string, script: string, module = MODULE): T {
  return runTorchFile<T>(dir, name, `${module}\n${script}`);
}

interface Reference {
  outputs: Encoded[];
  others: string[];
  code: string;
  graph: string;
}

/** PyTorch's archive, and what its torch.jit.load of it prints and returns. */
function torchArchive(): { path: string; ref: Reference } {
  const path = join(dir, "enum.pt");
  const ref = runTorchWith<Reference>("make", `
torch.jit.save(torch.jit.script(M()), ${JSON.stringify(path)})
loaded = torch.jit.load(${JSON.stringify(path)})
calls = ${CALLS}
print(json.dumps({
    "outputs": [enc(loaded(*args)) for args in calls],
    "others": [loaded.other(c).name for c in (Color.RED, Color.GREEN)],
    "code": loaded.code,
    "graph": str(loaded.graph),
}))
`);
  return { path, ref };
}

const member = (name: keyof typeof MEMBERS) => new ScriptEnumValue("__torch__.Color", name, MEMBERS[name]);
const method = (m: ScriptModule, name: string) => (m as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!;
const call = (m: ScriptModule, ...args: unknown[]) => (m as unknown as (...a: unknown[]) => unknown)(...args);
/** A graph's lines that mention enums, without source comments and value names (those are the importer's business). */
const enumLines = (graph: string) =>
  graph.split("\n").filter((l) => /Enum/.test(l)).map((l) => l.replace(/ #.*$/, "").replace(/%[\w.]+/g, "%_").trim());

/** Made once, at collection time, for both describe blocks that use it. */
const archive = hasTorch ? torchArchive() : null;

describe.skipIf(!hasTorch)("enum values in an archive PyTorch writes", () => {
  const { path, ref } = archive ?? { path: "", ref: null as unknown as Reference };

  it("loads and gives PyTorch's outputs for every member, in the interpreter", () => {
    const m = load(path);
    expect(String(m.getAttr("c"))).toBe("Color.RED");
    (["RED", "GREEN"] as const).forEach((name, i) => {
      expect(difference(call(m, torch.ones(2), member(name)), ref.outputs[i]!), name).toBeNull();
    });
    const others = (["RED", "GREEN"] as const).map((name) => (method(m, "other")(member(name)) as ScriptEnumValue).name);
    expect(others).toEqual(ref.others);
    // the attribute PyTorch pickled is the member the code's constant names
    expect(difference(call(m, torch.ones(2), m.getAttr("c")), ref.outputs[0]!)).toBeNull();
  });

  it("gives the same outputs through the optimizing executor (a compiled plan, no fallback)", () => {
    // a loaded module's calls run in the interpreter; the executor is asked directly here
    const m = load(path) as LoadedScriptModule;
    const env = { functions: m._functions };
    for (const [i, name] of (["RED", "GREEN"] as const).entries()) {
      const inputs = [m, torch.ones(2), member(name)];
      const fallbacks = executorState.fallbacks;
      expect(compiledSource(m.graph, inputs, env), name).not.toBeNull();
      const outs = optimized_execution(true, () => executeGraph(m.graph, inputs, env));
      expect(executorState.fallbacks).toBe(fallbacks);
      expect(difference(outs[0], ref.outputs[i]!), name).toBeNull();
    }
  });

  it("prints .code as PyTorch does, and the graph's enum constants and ops", () => {
    const m = load(path);
    expect(m.code).toBe(ref.code);
    expect(enumLines(String(m.graph))).toEqual(enumLines(ref.graph));
    expect(String(m.graph)).toContain("prim::Constant[value=__torch__.Color.RED]()");
  });

  it("re-saves an archive PyTorch loads and runs with the same outputs", () => {
    const m = load(path);
    const resaved = join(dir, "enum_resaved.pt");
    save(m, resaved);
    // the code file is PyTorch's, byte for byte: the Enum classes, the constants, .value and .name
    expect(codeFile(resaved)).toBe(codeFile(path));
    const again = runTorchWith<{ outputs: Encoded[]; others: string[] }>("resaved", `
torch.jit.script(M())  # registers the Python Color class, so that other() can return its members to Python
ours = torch.jit.load(${JSON.stringify(resaved)})
calls = ${CALLS}
print(json.dumps({
    "outputs": [enc(ours(*args)) for args in calls],
    "others": [ours.other(c).name for c in (Color.RED, Color.GREEN)],
}))
`);
    expect(again.outputs).toEqual(ref.outputs);
    expect(again.others).toEqual(ref.others);
    // and tsjit loads its own archive back to the same outputs
    const back = load(resaved);
    expect(difference(call(back, torch.ones(2), member("GREEN")), ref.outputs[1]!)).toBeNull();
  });
});

describe.skipIf(!hasTorch)("enum edge cases: float and negative members, defaults, Optional, lists, loops", () => {
  const path = join(dir, "edge.pt");
  const calls = "[(torch.ones(2),), (torch.ones(2), Scale.NEG, Level.HIGH)]";
  const ref = hasTorch ? runTorchWith<{ outputs: Encoded[]; code: string }>("edge", `
torch.jit.save(torch.jit.script(E()), ${JSON.stringify(path)})
loaded = torch.jit.load(${JSON.stringify(path)})
print(json.dumps({"outputs": [enc(loaded(*args)) for args in ${calls}], "code": loaded.code}))
`, EDGE_MODULE) : null;
  const args = () => [
    [torch.ones(2)],
    [torch.ones(2), new ScriptEnumValue("__torch__.Scale", "NEG", -1), new ScriptEnumValue("__torch__.Level", "HIGH", 7)],
  ];

  it("loads, runs, prints .code as PyTorch does, and re-saves an archive PyTorch runs", () => {
    const m = load(path);
    args().forEach((a, i) => expect(difference(call(m, ...a), ref!.outputs[i]!), `call ${i}`).toBeNull());
    expect(m.code).toBe(ref!.code);
    const resaved = join(dir, "edge_resaved.pt");
    save(m, resaved);
    expect(codeFile(resaved)).toBe(codeFile(path));
    const again = runTorchWith<{ outputs: Encoded[] }>("edge_resaved", `
ours = torch.jit.load(${JSON.stringify(resaved)})
print(json.dumps({"outputs": [enc(ours(*args)) for args in ${calls}]}))
`, EDGE_MODULE);
    expect(again.outputs).toEqual(ref!.outputs);
  });
});

/** An archive's code/__torch__.py. */
function codeFile(archive: string): string {
  const zip = new ZipReader(readFileSync(archive));
  const name = zip.names().find((n) => n.endsWith("code/__torch__.py"));
  if (name === undefined) throw new Error(`${archive} has no code/__torch__.py`);
  return Buffer.from(zip.read(name)).toString();
}

/** PyTorch's archive with its code file edited (data.pkl and everything else as they were). */
function withCode(path: string, edit: (code: string) => string): Uint8Array {
  const zip = new ZipReader(readFileSync(path));
  const w = new ZipWriter();
  for (const n of zip.names()) {
    let data = Buffer.from(zip.read(n));
    if (n.endsWith("code/__torch__.py")) {
      const edited = edit(data.toString());
      expect(edited, "the edit applies").not.toBe(data.toString());
      data = Buffer.from(edited);
    }
    w.add(n, data, { deflate: zip.entry(n)!.method === 8 });
  }
  return w.finish();
}

describe.skipIf(!hasTorch)("hostile enum references fail to load with a message that names them", () => {
  const path = archive?.path ?? "";
  const cases: [string, (code: string) => string, RegExp][] = [
    ["a member the Enum does not have", (c) => c.replace("torch.eq(c, __torch__.Color.RED)", "torch.eq(c, __torch__.Color.BLUE)"), /Enum '__torch__\.Color' has no member 'BLUE'/],
    ["an Enum class no code file defines", (c) => c.replace("torch.eq(c, __torch__.Color.RED)", "torch.eq(c, __torch__.Nope.RED)"), /'__torch__\.Nope\.RED' is not defined/],
    ["an attribute of a member other than .value and .name", (c) => c.replace("(c).name", "(c).label"), /values have no attribute 'label' \(only \.value and \.name\)/],
    ["a member whose value is not an int, float or str", (c) => c.replace("RED = 1", "RED = [1]"), /an Enum member's value must be an int, float or str literal/],
    ["members of different value types", (c) => c.replace("GREEN = 2", 'GREEN = "2"'), /Enum members must all have one value type/],
  ];
  it.each(cases)("%s", (_what, edit, message) => {
    const bytes = withCode(path, edit);
    let error: unknown = null;
    try {
      load(bytes);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TorchScriptArchiveError);
    expect((error as Error).message).toMatch(message);
  });
});

