/**
 * The TypeScript subset: constructs compile and run like eager code; constructs outside it
 * raise a ScriptError naming the file, line and column with a caret under the code.
 */
import { describe, expect, it } from "vitest";
import { torch } from "../../../src/index.js";
import { script, ScriptError } from "../../../src/jit/script.js";
import { defineCell } from "./support.js";

describe("constructs of the subset", () => {
  const fns = defineCell(`
function countdown(x: Tensor, n: int): [Tensor, int] {
  let steps = 0;
  while (n > 0) {
    x = x.add(1);
    n -= 1;
    steps += 1;
  }
  return [x, steps];
}
function pick(x: Tensor, flag: boolean): Tensor {
  return flag ? x.mul(2) : x;
}
function total(xs: Tensor[]): Tensor {
  let acc = torch.zeros([2]);
  for (const t of xs) {
    acc = acc.add(t);
  }
  return acc;
}
function describeN(n: int, f: float): string {
  return \`n=\${n} f=\${f}\`;
}
function checked(x: Tensor): Tensor {
  if (x.sum().lt(0).item()) {
    throw new ValueError("negative");
  }
  return x;
}
function withHelper(x: Tensor): Tensor {
  return helper(x).add(1);
}
function helper(x: Tensor): Tensor {
  return x.relu();
}
`, { file: "<cell 5>" });

  it("while loops with int arithmetic", () => {
    const f = script(fns.countdown);
    const [x, steps] = f(torch.zeros([2]), 3) as [torch.Tensor, number];
    expect(steps).toBe(3);
    expect(x.tolist()).toEqual([3, 3]);
    expect(f.code).toContain("while");
  });

  it("?: compiles to an if with one output", () => {
    const f = script(fns.pick);
    expect((f(torch.ones([2]), true) as torch.Tensor).tolist()).toEqual([2, 2]);
    expect((f(torch.ones([2]), false) as torch.Tensor).tolist()).toEqual([1, 1]);
  });

  it("for...of over a list", () => {
    const f = script(fns.total);
    expect((f([torch.ones([2]), torch.ones([2])]) as torch.Tensor).tolist()).toEqual([2, 2]);
  });

  it("template literals become torch.format with TorchScript's str of floats", () => {
    const f = script(fns.describeN);
    expect(f.code).toContain('torch.format("n={} f={}", n, f)');
    expect(f(7, 2)).toBe("n=7 f=2.");
  });

  it("throw new ValueError(...) is prim::RaiseException", () => {
    const f = script(fns.checked);
    expect(f.code).toContain('ops.prim.RaiseException("negative", "builtins.ValueError")');
    expect(() => f(torch.ones([2]).neg())).toThrow(/negative/);
  });

  it("free functions called by scripted code are compiled recursively", () => {
    const f = script(fns.withHelper, { globals: { helper: fns.helper } });
    expect(f.code).toContain("__torch__.helper(x, )");
    expect((f(torch.tensor([-1, 2])) as torch.Tensor).tolist()).toEqual([1, 3]);
  });

  it("without registered source, toString() is used and unannotated parameters are Tensors", () => {
    const { addTwo } = defineCell(`function addTwo(a, b) { return a.add(b); }`, { register: false });
    const f = script(addTwo);
    expect(f.code).toBe("def addTwo(a: Tensor,\n    b: Tensor) -> Tensor:\n  return torch.add(a, b)\n");
  });
});

describe("constructs outside the subset raise a ScriptError with file:line:col and a caret", () => {
  function errorOf(code: string): ScriptError {
    const { f } = defineCell(code, { file: "<cell 9>" });
    try {
      script(f);
    } catch (e) {
      if (e instanceof ScriptError) return e;
      throw e;
    }
    throw new Error("expected a ScriptError");
  }

  it("closures", () => {
    const e = errorOf(`function f(x: Tensor): Tensor {\n  const g = (y: Tensor) => y;\n  return g(x);\n}`);
    expect(e.message).toBe(
      "Closures are not supported in TorchScript: define a top-level function or a method instead:\n" +
        '  File "<cell 9>", line 2, column 13\n' +
        "      const g = (y: Tensor) => y;\n" +
        "                ~~~~~~~~~~~~~~~~ <--- HERE",
    );
    expect([e.file, e.line, e.column]).toEqual(["<cell 9>", 2, 13]);
  });

  it("generators", () => {
    expect(errorOf(`function* f(x: Tensor) {\n  yield x;\n}`).message).toMatch(/^Generators are not supported in TorchScript:\n {2}File "<cell 9>", line 1, column 1/);
  });

  it("arbitrary objects", () => {
    expect(errorOf(`function f(x: Tensor): Tensor {\n  const o = {a: x};\n  return x;\n}`).message).toMatch(/Arbitrary JavaScript objects are not supported[^]*line 2, column 13[^]*~~~~~~ <--- HERE/);
  });

  it("try/catch", () => {
    expect(errorOf(`function f(x: Tensor): Tensor {\n  try { return x; } catch (e) { return x; }\n}`).message).toMatch(/try\/catch is not supported in TorchScript:\n {2}File "<cell 9>", line 2, column 3/);
  });

  it("type errors name the expected and found types", () => {
    expect(errorOf(`function f(x: Tensor): int {\n  return x;\n}`).message).toMatch(/Return value was annotated as having type int but is actually of type Tensor[^]*line 2, column 10/);
  });

  it("unknown names", () => {
    expect(errorOf(`function f(x: Tensor): Tensor {\n  return nope(x);\n}`).message).toMatch(/undefined value nope[^]*line 2, column 10/);
  });
});

describe("each construct outside the subset names itself, with file:line:col and a caret", () => {
  function errorOf(code: string): ScriptError {
    const defs = defineCell(code, { file: "<cell 21>" });
    const target = defs["M"] ? new defs["M"]() : defs["f"];
    try {
      script(target);
    } catch (e) {
      if (e instanceof ScriptError) return e;
      throw e;
    }
    throw new Error("expected a ScriptError");
  }
  const CASES: [string, string, string][] = [
    ["getters",
      `class M extends nn.Module {\n  get scale(): float {\n    return 2.0;\n  }\n  forward(x: Tensor): Tensor {\n    return x.mul(this.scale);\n  }\n}`,
      "Getters and setters are not supported in TorchScript: 'scale' is an accessor of 'M' (make it a method or a plain attribute):\n" +
        '  File "<cell 21>", line 6, column 18\n        return x.mul(this.scale);\n                     ~~~~~~~~~~ <--- HERE'],
    ["this escaping",
      `class M extends nn.Module {\n  forward(x: Tensor): Tensor {\n    const both = [this, x];\n    return x;\n  }\n}`,
      "'this' cannot be used as a value in TorchScript: a module cannot escape (call it, or read its attributes):\n" +
        '  File "<cell 21>", line 3, column 19\n        const both = [this, x];\n                      ~~~~ <--- HERE'],
    ["new of a class",
      `function f(x: Tensor): Tensor {\n  const s = new Set();\n  return x;\n}`,
      "Constructing JavaScript objects with 'new' is not supported in TorchScript (only `new Map<K, V>()`, or `new Map()` where a Map type is declared):\n" +
        '  File "<cell 21>", line 2, column 13\n      const s = new Set();\n                ~~~~~~~~~ <--- HERE'],
    ["toSorted without the ascending comparator",
      `function f(xs: int[]): int[] {\n  return xs.toSorted();\n}`,
      "xs.toSorted(...) compiles to sorted(xs): pass the ascending comparator `(a, b) => a - b` (or nothing, for a list of strings):\n" +
        '  File "<cell 21>", line 2, column 10\n      return xs.toSorted();\n             ~~~~~~~~~~~~~ <--- HERE'],
    ["instanceof",
      `function f(x: Tensor): boolean {\n  return x instanceof Object;\n}`,
      "'instanceof' is not supported in TorchScript: use torch.jit.isinstance(x, T) with a TorchScript type:\n" +
        '  File "<cell 21>", line 2, column 12\n      return x instanceof Object;\n               ~~~~~~~~~~ <--- HERE'],
    ["??",
      `function f(x: Tensor | null, y: Tensor): Tensor {\n  return x ?? y;\n}`,
      "'??' is not supported in TorchScript: test `x !== null` instead:\n" +
        '  File "<cell 21>", line 2, column 12\n      return x ?? y;\n               ~~ <--- HERE'],
    ["spread",
      `function f(xs: Tensor[]): Tensor {\n  return torch.cat([...xs]);\n}`,
      "Spread elements are not supported in TorchScript:\n" +
        '  File "<cell 21>", line 2, column 20\n      return torch.cat([...xs]);\n                       ~~~~~~~ <--- HERE'],
    ["switch",
      `function f(x: Tensor, n: int): Tensor {\n  switch (n) {\n    case 0: return x;\n  }\n  return x;\n}`,
      "switch is not supported in TorchScript: use if / else if:\n" +
        '  File "<cell 21>", line 2, column 3\n      switch (n) {\n      ~~~~~~~~~~~~ <--- HERE'],
    ["do/while",
      `function f(x: Tensor): Tensor {\n  do {\n    x = x.mul(2);\n  } while (x.sum().lt(10).item());\n  return x;\n}`,
      "do/while is not supported in TorchScript: use while:\n" +
        '  File "<cell 21>", line 2, column 3\n      do {\n      ~~~~ <--- HERE'],
    ["for...in",
      `function f(x: Tensor, d: Record<string, Tensor>): Tensor {\n  for (const k in d) {\n    x = x.add(1);\n  }\n  return x;\n}`,
      "for...in is not supported in TorchScript: use for...of:\n" +
        '  File "<cell 21>", line 2, column 3\n      for (const k in d) {\n      ~~~~~~~~~~~~~~~~~~~~ <--- HERE'],
    ["closures capturing mutable locals",
      `function f(x: Tensor): Tensor {\n  let k = 1;\n  const g = (y: Tensor) => y.mul(k);\n  k = 2;\n  return g(x);\n}`,
      "Closures are not supported in TorchScript: define a top-level function or a method instead:\n" +
        '  File "<cell 21>", line 3, column 13\n      const g = (y: Tensor) => y.mul(k);\n                ~~~~~~~~~~~~~~~~~~~~~~~ <--- HERE'],
    ["generators",
      `function* f(x: Tensor) {\n  yield x;\n}`,
      "Generators are not supported in TorchScript:\n" +
        '  File "<cell 21>", line 1, column 1\n    function* f(x: Tensor) {\n    ~~~~~~~~~~~~~~~~~~~~~~~~ <--- HERE'],
    ["async",
      `async function f(x: Tensor): Promise<Tensor> {\n  return x;\n}`,
      "async functions are not supported in TorchScript:\n" +
        '  File "<cell 21>", line 1, column 1\n    async function f(x: Tensor): Promise<Tensor> {\n    ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~ <--- HERE'],
  ];
  for (const [what, code, message] of CASES) {
    it(what, () => {
      expect(errorOf(code).message).toBe(message);
    });
  }
});
