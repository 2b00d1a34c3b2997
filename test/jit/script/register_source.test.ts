/** torch.jit.register_source: the explicit way to give types to code whose toString() has none. */
import { describe, expect, it } from "vitest";
import { torch } from "../../../src/index.js";

// plain JavaScript (what toString() returns after TypeScript's emit has erased the types)
const repeat = new Function("x", "n", "let y = x; for (let i = 0; i < n; i++) y = y.add(x); return y;") as (x: torch.Tensor, n: number) => torch.Tensor;
Object.defineProperty(repeat, "name", { value: "repeat" });

describe("torch.jit.register_source", () => {
  it("scripts the registered TypeScript instead of toString(), with its types", () => {
    torch.jit.register_source(repeat, `function repeat(x: Tensor, n: int): Tensor {
  let y = x;
  for (let i = 0; i < n; i++) y = y.add(x);
  return y;
}`);
    const s = torch.jit.script(repeat) as ((x: torch.Tensor, n: number) => torch.Tensor) & { code: string };
    expect(s.code).toMatch(/^def repeat\(x: Tensor,\s+n: int\) -> Tensor:/);
    const x = torch.rand(2, 2);
    expect(torch.equal(s(x, 3), repeat(x, 3))).toBe(true);
  });

  it("names a script error's place in the registered text", () => {
    const broken = new Function("x", "return x;");
    torch.jit.register_source(broken, "function broken(x: Tensor): Tensor {\n  return x.no_such_method();\n}", { file: "model.ts", line: 10 });
    expect(() => torch.jit.script(broken as (x: torch.Tensor) => torch.Tensor)).toThrow(/model\.ts", line 11/);
  });

  it("rejects what is not a function or not a string", () => {
    expect(() => torch.jit.register_source(3 as unknown as Function, "")).toThrow("torch.jit.register_source: expected a class or function, got number");
    expect(() => torch.jit.register_source(repeat, 3 as unknown as string)).toThrow("expected the TypeScript source as a string, got number");
  });
});
