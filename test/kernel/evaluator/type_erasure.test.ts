// Type erasure (Note [erasing instead of emitting] in src/kernel/evaluator/type_erasure.ts):
// each typed cell is run twice, erased and through TypeScript's emit, in fresh contexts, and
// must give the same result; cells that erasure cannot handle must go to the emit.

import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { compileCell, transformCell } from "../../../src/kernel/evaluator/index.js";
import { emitTypeScript } from "../../../src/kernel/evaluator/ts_emit.js";

/** Runs the script text of a cell in a fresh context; its result, as JSON, or the error's name and message. */
function runIn(js: string): string {
  const context = vm.createContext({ __tsjit_name: (v: unknown) => v, __tsjit_source: () => undefined, JSON, Object, Math });
  context["globalThis"] = context;
  try {
    return JSON.stringify(vm.runInContext(js, context));
  } catch (e) {
    return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
}

function transformed(code: string) {
  const result = transformCell(code, 1);
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join("; "));
  return result.cell;
}

/** Cells erasure handles: the erased text runs as JavaScript and means what the emit means. */
const ERASABLE: Record<string, string> = {
  "annotations and return types": "function area(w: number, h: number = 2): number { return w * h }\narea(3)",
  "parameter properties with fields and a method": `class Point { z = 7; static origin: string = "o"; constructor(public x: number, private readonly y?: number) {} norm(): number { return Math.hypot(this.x, this.y ?? 0) } }
const p = new Point(3, 4); [Object.keys(p), p.norm(), Point.origin]`,
  "parameter properties after super()": `class Base { tag: string; constructor(t: string) { this.tag = t } }
class Derived extends Base implements Iterable<number> { extra = 1; constructor(protected n: number, t: string) { const u = t + "!"; super(u); this.extra = n * 2 } *[Symbol.iterator](): Iterator<number> { yield this.n } }
const d = new Derived(5, "t"); [Object.keys(d), [...d]]`,
  "directive before parameter properties": `class D { constructor(readonly a: number) { "use strict"; } }\nObject.keys(new D(1))`,
  "generics, type arguments, as, satisfies, non-null": `function first<T extends unknown[]>(xs: T): T[0] { return xs[0]! }
const pair = <A, B,>(a: A, b: B): [A, B] => [a, b]
const m = new Map<string, number>([["a", 1]])
const n = (m.get("a") as number) + (m.get("a")! satisfies number)
;[first<number[]>([4, 5]), pair<string, number>("x", n), n as const]`,
  "optional and definite members, overloads, index signatures, declare and abstract": `abstract class Shape<T = number> {
  [key: string]: unknown
  declare kind: string
  abstract area(): number
  abstract sides: number
  label?: string
  size!: T
  describe(): string
  describe(prefix?: string): string { return (prefix ?? "") + this.area() }
}
class Square extends Shape { sides = 4; constructor(public s: number) { super() } override area(): number { return this.s ** 2 } }
const s = new Square(3); [Object.keys(s), s.describe("a=")]`,
  "types inside functions: interfaces, aliases, annotated locals, catch": `function run(): string {
  interface Local { v: number }
  type Pair = [number, number]
  let total!: number
  const l: Local = { v: 1 }
  const pr: Pair = [2, 3]
  total = l.v + pr[0] + pr[1]
  try { throw new Error("e") } catch (e: unknown) { return String(total) + (e as Error).message }
}
run()`,
  "multi-line annotations keep lines": `function opts(o: {
  a: number
  b: string
}): string { return o.b + o.a }
opts({ a: 1, b: "x" })`,
  "a type operator whose next line continues with a binary operator": `const k = 2 as number
  + 3
k`,
};

/** Cells that must go through the emit. */
const EMITTED: Record<string, string> = {
  "an enum": "enum Color { Red, Green }\nColor.Green",
  "a namespace": "namespace NS { export const v = 1 }\nNS.v",
  "an angle-bracket assertion": "const x = <number>(1 + 1)\nx",
  "a this parameter": "function f(this: { v: number }) { return this.v }\nf.call({ v: 3 })",
  "`as` followed by a line that starts with a parenthesis": "const a = 1 as number\n(a + 1)",
  "a typed field named `get` before a method": "class G { get: number\n  foo() { return 1 } }\nObject.keys(new G())",
  "an arrow whose return type spans lines": "const g = (x: number): {\n  y: number\n} => ({ y: x })\ng(1).y",
};

describe("type erasure", () => {
  for (const [name, code] of Object.entries(ERASABLE)) {
    it(`erases ${name}, with the emit's result`, () => {
      const cell = transformed(code);
      expect(cell.needsEmit).toBe(false);
      expect(cell.edited.text).not.toBe(cell.typed.text);
      expect(cell.edited.text.split("\n").length).toBe(cell.typed.text.split("\n").length); // Note [edits keep lines]
      const erased = runIn(cell.edited.text);
      expect(erased).not.toMatch(/Error/);
      expect(erased).toBe(runIn(emitTypeScript(cell.typed.text).js));
    });
  }

  for (const [name, code] of Object.entries(EMITTED)) {
    it(`leaves ${name} to the emit`, () => {
      const cell = transformed(code);
      expect(cell.needsEmit).toBe(true);
      expect(runIn(emitTypeScript(cell.edited.text).js)).not.toMatch(/Error/);
    });
  }

  it("a cell without types is not touched", () => {
    const cell = transformed("const a = 1\na + 1");
    expect(cell.needsEmit).toBe(false);
    expect(cell.edited).toBe(cell.typed);
  });

  it("errors in an erased cell point at the cell's line and column", () => {
    const code = "class P { constructor(public x: number) {} }\nconst q: P = new P(1)\n  ; (q as any).missing.call()";
    const compiled = compileCell(code, 7);
    if (!compiled.ok) throw new Error("does not compile");
    const context = vm.createContext({ __tsjit_name: (v: unknown) => v, __tsjit_source: () => undefined });
    context["globalThis"] = context;
    let stack = "";
    try {
      compiled.cell.script.runInContext(context);
    } catch (e) {
      stack = (e as Error).stack ?? "";
    }
    const at = /tsjit-cell-7\.js:(\d+):(\d+)/.exec(stack);
    expect(at).not.toBeNull();
    expect(compiled.cell.toCell(Number(at![1]), Number(at![2]))).toEqual({ line: 3, column: code.split("\n")[2]!.indexOf("call") + 1 });
  });
});
