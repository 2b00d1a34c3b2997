// The cell transform's contract with the rest of tsjit: trace-name calls (`__tsjit_name`) and
// the source registry torch.jit.script reads.

import { afterAll, describe, expect, it } from "vitest";
import { transformCell } from "../../../src/kernel/evaluator/index.js";
import { sourceOf } from "../../../src/jit/source_registry.js";
import { newSession } from "./support.js";

const session = newSession();
afterAll(() => session.evaluator.shutdown(false));

function body(code: string): string {
  const result = transformCell(code, 1);
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join("; "));
  return result.cell.edited.text;
}

describe("trace names", () => {
  it("wrap initializers and assignments, at top level and inside functions and methods", () => {
    const out = body("const y = f(x)\nfunction g(a: Tensor) {\n  let h = a.tanh()\n  h = h.relu()\n  return h\n}\nclass M { forward(x: Tensor) { const out = this.fc(x); return out } }");
    expect(out).toContain('globalThis.y = __tsjit_name(f(x), "y")');
    expect(out).toContain('let h = __tsjit_name(a.tanh(), "h")');
    expect(out).toContain('h = __tsjit_name(h.relu(), "h")');
    expect(out).toContain('const out = __tsjit_name(this.fc(x), "out")');
  });

  it("skip values that can never be tensors", () => {
    const out = body("let n = 1\nlet s = `t`\nlet o = { a: 1 }\nlet m = new Map()\nlet fn = () => 1\nfor (let i = 0; i < 3; i++) { n = n + i }");
    expect(out).not.toContain("__tsjit_name");
  });

  it("are called with the running value and the variable's name", async () => {
    const calls: string[] = [];
    const globals = globalThis as Record<string, unknown>;
    const original = globals["__tsjit_name"];
    globals["__tsjit_name"] = (value: unknown, name: string) => (calls.push(name), value);
    try {
      await session.run("function step(v: number[]) {\n  let state = v.map((x) => x + 1)\n  state = state.concat([0])\n  return state\n}\nconst result = step([1])");
    } finally {
      globals["__tsjit_name"] = original;
    }
    expect(calls).toEqual(["state", "state", "result"]);
    expect(await session.value("result")).toBe("[ 2, 0 ]");
  });
});

describe("source registry", () => {
  it("holds the exact TypeScript of each top-level class and function, with its cell position", async () => {
    const gate = "class Gate extends nn.Module {\n  forward(x: Tensor, h: Tensor): Tensor {\n    return torch.tanh(x.add(h))\n  }\n}";
    const helper = "async function helper(n: int): Promise<int> { return n }";
    const count = session.nextCount;
    const { outcome } = await session.run(`// a comment line\nexport ${gate}\n  ${helper}\nconst notRegistered = () => 1`);
    expect(outcome.status).toBe("ok");
    const globals = globalThis as Record<string, unknown>;
    expect(sourceOf(globals["Gate"] as Function)).toEqual({ file: `<cell ${count}>`, text: gate, line: 2, column: 8 });
    expect(sourceOf(globals["helper"] as Function)).toEqual({ file: `<cell ${count}>`, text: helper, line: 7, column: 3 });
    expect(sourceOf(globals["notRegistered"] as Function)).toBeUndefined();
  });

  it("a redefinition registers the new class", async () => {
    await session.run("class Again { a = 1 }");
    const count = session.nextCount;
    await session.run("\nclass Again { b = 2 }");
    const again = (globalThis as Record<string, unknown>)["Again"] as Function;
    expect(sourceOf(again)).toEqual({ file: `<cell ${count}>`, text: "class Again { b = 2 }", line: 2, column: 1 });
  });
});

describe("edits keep lines", () => {
  it("the rewritten body has the cell's line structure", () => {
    const code = "interface A {\n  x: number\n}\nimport { y } from 'm'\nconst z = 1\nz";
    const out = body(code);
    expect(out.split("\n").length).toBe(code.split("\n").length + 1); // + the wrapper's closing line
    expect(out.split("\n")[4]).toBe("globalThis.z = 1;");
  });
});
