/**
 * Constructs of the subset beyond the first slice, each compiled from TypeScript and checked
 * against PyTorch 1.13's `.code` for the same Python (torch.jit.CompilationUnit), when
 * PyTorch is installed, and against the eager TypeScript's results.
 */
import { describe, expect, it } from "vitest";
import { range, torch } from "../../../src/index.js";
import { script } from "../../../src/jit/script.js";
import { printMethod } from "../../../src/jit/printer/index.js";
import { argumentSpecs } from "../../../src/jit/frontend/signature.js";
import { hasTorch, runTorch } from "../../support/pytorch.js";
import { defineCell } from "./support.js";

type Tensor = torch.Tensor;
const assert = (c: boolean, msg?: string): void => {
  if (!c) throw new Error(msg ?? "assertion failed");
};

const cell = defineCell(`
function refine(x: Tensor, y: Tensor | null): Tensor {
  if (y !== null) {
    x = x.add(y);
  }
  return x;
}
function earlyNull(x: Tensor, y: Tensor | null): Tensor {
  if (y === null) {
    return x;
  }
  return x.add(y);
}
function mightExit(x: Tensor, n: int): Tensor {
  if (n > 0) {
    if (n > 5) {
      return x;
    }
    x = x.add(1);
  }
  const y = x.mul(2);
  return y;
}
function setItems(x: Tensor, i: int, v: Tensor, m: Tensor): Tensor {
  x.set(i, v);
  x.set(m, 0.0);
  return x;
}
function checks(i: int): int {
  assert(i > 0, "i must be positive");
  assert(i < 10);
  return i;
}
function maths(a: float, b: int): float {
  return Math.sqrt(a) + Math.floor(a) + Math.abs(b) + Math.max(a, 2.0) + Math.PI;
}
function lists(xs: int[]): int {
  const ys: int[] = [];
  for (const x of xs) {
    ys.push(x * 2);
  }
  return ys[0] + ys.length;
}
function pair(x: Tensor): [Tensor, Tensor] {
  return [x.add(1), x.sub(1)];
}
function unpack(x: Tensor): Tensor {
  const [a, b] = pair(x);
  return a.mul(b);
}
function comprehension(xs: Tensor[]): Tensor[] {
  const ys = xs.map((x) => x.add(1));
  ys.push(torch.zeros([1]));
  return ys;
}
function findIndex(xs: int[], t: int): int {
  for (let i = 0; i < xs.length; i++) {
    if (xs[i] === t) {
      return i;
    }
  }
  return -1;
}
function ranges(n: int): int {
  let total = 0;
  for (const i of range(n)) {
    total += i;
  }
  for (const j of range(2, n, 3)) {
    total += j * 10;
  }
  return total;
}
`, { file: "<cell 11>", scope: { assert, range } });

/** The Python twin of each function above. */
const PYTHON: Record<string, string> = {
  refine: "def refine(x: Tensor, y: Optional[Tensor]) -> Tensor:\n    if y is not None:\n        x = x + y\n    return x\n",
  earlyNull: "def earlyNull(x: Tensor, y: Optional[Tensor]) -> Tensor:\n    if y is None:\n        return x\n    return x + y\n",
  mightExit: "def mightExit(x: Tensor, n: int) -> Tensor:\n    if n > 0:\n        if n > 5:\n            return x\n        x = x + 1\n    y = x * 2\n    return y\n",
  setItems: "def setItems(x: Tensor, i: int, v: Tensor, m: Tensor) -> Tensor:\n    x[i] = v\n    x[m] = 0.0\n    return x\n",
  checks: "def checks(i: int) -> int:\n    assert i > 0, 'i must be positive'\n    assert i < 10\n    return i\n",
  maths: "def maths(a: float, b: int) -> float:\n    return math.sqrt(a) + math.floor(a) + abs(b) + max(a, 2.0) + math.pi\n",
  comprehension: "def comprehension(xs: List[Tensor]) -> List[Tensor]:\n    ys = [x + 1 for x in xs]\n    ys.append(torch.zeros([1]))\n    return ys\n",
  lists: "def lists(xs: List[int]) -> int:\n    ys: List[int] = []\n    for x in xs:\n        ys.append(x * 2)\n    return ys[0] + len(ys)\n",
  findIndex: "def findIndex(xs: List[int], t: int) -> int:\n    for i in range(len(xs)):\n        if xs[i] == t:\n            return i\n    return -1\n",
  ranges: "def ranges(n: int) -> int:\n    total = 0\n    for i in range(n):\n        total += i\n    for j in range(2, n, 3):\n        total += j * 10\n    return total\n",
};

const pytorchCode: Record<string, string> = hasTorch
  ? runTorch(`
from typing import List, Optional, Dict, Tuple
from torch import Tensor
src = ${JSON.stringify(Object.values(PYTHON).join("\n"))}
cu = torch.jit.CompilationUnit(src)
print(json.dumps({k: getattr(cu, k).code for k in ${JSON.stringify(Object.keys(PYTHON))}}))
`)
  : {};

function codeOf(name: string): string {
  const f = script(cell[name]);
  return printMethod(f.graph, { name, isFunction: true, args: argumentSpecs(f.graph, false) });
}

describe("language constructs print PyTorch's code", () => {
  for (const name of Object.keys(PYTHON)) {
    it(name, () => {
      const code = codeOf(name);
      if (hasTorch) expect(code).toBe(pytorchCode[name]);
    });
  }
});

describe("language constructs compute what the eager TypeScript computes", () => {
  const run = (name: string, ...args: unknown[]) => (script(cell[name]) as unknown as (...a: unknown[]) => unknown)(...args);

  it("narrowing `if (y !== null)` and an early return on null", () => {
    const x = torch.ones(2);
    for (const f of ["refine", "earlyNull"]) {
      expect((run(f, x, null) as Tensor).tolist()).toEqual([1, 1]);
      expect((run(f, x, torch.ones(2)) as Tensor).tolist()).toEqual([2, 2]);
    }
  });

  it("an if whose branch might return, followed by more code", () => {
    for (const n of [-1, 2, 9]) expect((run("mightExit", torch.ones(2), n) as Tensor).tolist()).toEqual((cell.mightExit(torch.ones(2), n) as Tensor).tolist());
  });

  it("for...of over range(...) is Python's range loop, eagerly and scripted", () => {
    expect(run("ranges", 9)).toBe(cell.ranges(9));
    expect(run("ranges", 0)).toBe(0);
  });

  it("return inside a loop (a while loop carrying hasExited, printed as PyTorch prints it)", () => {
    expect(run("findIndex", [4, 5, 6], 5)).toBe(1);
    expect(run("findIndex", [4, 5, 6], 7)).toBe(-1);
    expect(script(cell.findIndex).code).toContain("while");
  });

  it("x.set(i, v) writes in place like x[i] = v", () => {
    const a = torch.zeros(3, 2);
    const b = torch.zeros(3, 2);
    const v = torch.ones(2);
    const m = torch.tensor([false, false, true]);
    run("setItems", a, 1, v, m);
    cell.setItems(b, 1, v, m);
    expect(a.tolist()).toEqual(b.tolist());
  });

  it("assert raises PyTorch's AssertionError text", () => {
    expect(run("checks", 3)).toBe(3);
    expect(() => run("checks", 0)).toThrow(/AssertionError: i must be positive/);
  });

  it("Math.* as math builtins", () => {
    expect(run("maths", 2.25, -3) as number).toBeCloseTo(cell.maths(2.25, -3) as number, 12);
  });

  it("xs.map((x) => e) is a list comprehension", () => {
    const out = run("comprehension", [torch.ones(1), torch.zeros(1)]) as Tensor[];
    expect(out.map((t) => t.tolist())).toEqual([[2], [1], [0]]);
  });

  it("lists: push, indexing, length; destructuring a returned tuple", () => {
    expect(run("lists", [3, 4])).toBe(8);
    const x = torch.tensor([1.0, 2.0]);
    const unpack = script(cell.unpack, { globals: { pair: cell.pair } }) as unknown as (x: Tensor) => Tensor;
    expect(unpack(x).tolist()).toEqual((cell.unpack(x) as Tensor).tolist());
  });
});
