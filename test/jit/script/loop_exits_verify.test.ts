/**
 * Loops with break / continue / return inside ifs (tsjit issue #5): every graph the script
 * compiler produces must pass verifyGraph (TorchScript's Graph::lint), print the `.code`
 * PyTorch 1.13 prints for the same Python (when PyTorch is installed), and compute what the
 * eager TypeScript computes. Before the fix, firstNegative's loop body returned a value of an
 * if from inside that if's own else-branch.
 */
import { describe, expect, it } from "vitest";
import { torch } from "../../../src/index.js";
import { script } from "../../../src/jit/script.js";
import { IRVerifyError, parseGraph, resolveOverload, verifyGraph } from "../../../src/jit/ir/index.js";
import { checkCompiledGraph } from "../../../src/jit/frontend/check_graph.js";
import { printMethod } from "../../../src/jit/printer/index.js";
import { argumentSpecs } from "../../../src/jit/frontend/signature.js";
import { hasTorch, runTorch } from "../../support/pytorch.js";
import { defineCell } from "./support.js";

type Tensor = torch.Tensor;

const cell = defineCell(`
function firstNegative(xs: float[]): int {
  let found = -1;
  for (let i = 0; i < xs.length; i++) {
    if (xs[i] < 0) {
      found = i;
      break;
    }
  }
  return found;
}
function firstNegativeTensor(x: Tensor): int {
  let found = -1;
  for (let i = 0; i < x.size(0); i++) {
    if (x.select(0, i).item() < 0) {
      found = i;
      break;
    }
  }
  return found;
}
function sumSkippingNegatives(xs: float[]): float {
  let total = 0.0;
  for (let i = 0; i < xs.length; i++) {
    if (xs[i] < 0) {
      continue;
    }
    total = total + xs[i];
  }
  return total;
}
function whileNestedBreak(n: int, limit: int): int {
  let i = 0;
  let acc = 0;
  while (i < n) {
    if (i > 1) {
      if (acc > limit) {
        break;
      }
    }
    acc = acc + i;
    i = i + 1;
  }
  return acc;
}
function returnInLoop(xs: int[], t: int): int {
  for (let i = 0; i < xs.length; i++) {
    if (xs[i] === t) {
      return i * 10;
    }
  }
  return -1;
}
function breakInElse(xs: int[]): int {
  let acc = 0;
  for (let i = 0; i < xs.length; i++) {
    if (xs[i] >= 0) {
      acc = acc + xs[i];
    } else {
      break;
    }
  }
  return acc;
}
function nestedBreak(rows: int, cols: int): int {
  let count = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      if (j > i) {
        break;
      }
      count = count + 1;
    }
  }
  return count;
}
function forOfBreak(xs: int[]): int {
  let last = 0;
  for (const x of xs) {
    if (x < 0) {
      break;
    }
    last = x;
  }
  return last;
}
function continueThenBreak(n: int): int {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      continue;
    }
    if (acc > 10) {
      break;
    }
    acc = acc + i;
  }
  return acc;
}
function returnInNestedLoop(rows: int, cols: int, t: int): int {
  let seen = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      seen = seen + 1;
      if (i * j === t) {
        return seen * 100 + i * 10 + j;
      }
    }
  }
  return seen;
}
function breakOrContinue(xs: int[]): int {
  let acc = 0;
  let k = 0;
  for (const x of xs) {
    k = k + 1;
    if (x > 5) {
      acc = acc + 100;
      break;
    } else if (x < 0) {
      acc = acc - 1;
      continue;
    } else {
      acc = acc + x;
    }
    acc = acc * 2;
  }
  return acc * 1000 + k;
}
function whileBreakThenUse(n: int): int {
  let i = 0;
  let last = -1;
  while (i < n) {
    const sq = i * i;
    if (sq > 10) {
      last = sq;
      if (sq % 2 === 0) {
        break;
      }
    }
    i = i + 1;
  }
  return last * 100 + i;
}
function breakInBothBranches(xs: int[]): int {
  let acc = 0;
  for (const x of xs) {
    if (x > 0) {
      acc = acc + x;
      break;
    } else {
      acc = acc - 1;
      break;
    }
  }
  return acc;
}
function whileContinueCond(n: int): int {
  let i = 0;
  let acc = 0;
  while (i < n) {
    i = i + 1;
    if (i % 3 === 0) {
      continue;
    }
    acc = acc + i;
  }
  return acc;
}
function returnInWhileInIf(n: int, flag: bool): int {
  let i = 0;
  if (flag) {
    while (i < n) {
      if (i * i > n) {
        return i;
      }
      i = i + 1;
    }
  }
  return 0 - i;
}
function throwInLoop(xs: int[]): int {
  let acc = 0;
  for (const x of xs) {
    if (x < 0) {
      throw new Error("negative");
    }
    acc = acc + x;
  }
  return acc;
}
function returnBothInLoop(xs: int[]): int {
  for (const x of xs) {
    if (x > 0) {
      return x;
    } else {
      return -x;
    }
  }
  return 0;
}
function breakInOuterElse(rows: int, cols: int): int {
  let total = 0;
  for (let i = 0; i < rows; i++) {
    if (i % 2 === 0) {
      for (let j = 0; j < cols; j++) {
        if (j === i) {
          continue;
        }
        total = total + j;
      }
    } else {
      if (total > 20) {
        break;
      }
      total = total + 100;
    }
  }
  return total;
}
function tensorLoopBreak(x: Tensor, n: int): Tensor {
  let y = x;
  for (let i = 0; i < n; i++) {
    y = y.mul(2);
    if (y.sum().item() > 100) {
      break;
    }
  }
  return y;
}
`, { file: "<loop exits>" });

/** The Python twin of each function above, for PyTorch 1.13's `.code`. */
const PYTHON: Record<string, string> = {
  firstNegative: "def firstNegative(xs: List[float]) -> int:\n    found = -1\n    for i in range(len(xs)):\n        if xs[i] < 0:\n            found = i\n            break\n    return found\n",
  sumSkippingNegatives: "def sumSkippingNegatives(xs: List[float]) -> float:\n    total = 0.0\n    for i in range(len(xs)):\n        if xs[i] < 0:\n            continue\n        total = total + xs[i]\n    return total\n",
  whileNestedBreak: "def whileNestedBreak(n: int, limit: int) -> int:\n    i = 0\n    acc = 0\n    while i < n:\n        if i > 1:\n            if acc > limit:\n                break\n        acc = acc + i\n        i = i + 1\n    return acc\n",
  returnInLoop: "def returnInLoop(xs: List[int], t: int) -> int:\n    for i in range(len(xs)):\n        if xs[i] == t:\n            return i * 10\n    return -1\n",
  breakInElse: "def breakInElse(xs: List[int]) -> int:\n    acc = 0\n    for i in range(len(xs)):\n        if xs[i] >= 0:\n            acc = acc + xs[i]\n        else:\n            break\n    return acc\n",
  nestedBreak: "def nestedBreak(rows: int, cols: int) -> int:\n    count = 0\n    for i in range(rows):\n        for j in range(cols):\n            if j > i:\n                break\n            count = count + 1\n    return count\n",
  forOfBreak: "def forOfBreak(xs: List[int]) -> int:\n    last = 0\n    for x in xs:\n        if x < 0:\n            break\n        last = x\n    return last\n",
  continueThenBreak: "def continueThenBreak(n: int) -> int:\n    acc = 0\n    for i in range(n):\n        if i % 2 == 0:\n            continue\n        if acc > 10:\n            break\n        acc = acc + i\n    return acc\n",
  returnInNestedLoop: "def returnInNestedLoop(rows: int, cols: int, t: int) -> int:\n    seen = 0\n    for i in range(rows):\n        for j in range(cols):\n            seen = seen + 1\n            if i * j == t:\n                return seen * 100 + i * 10 + j\n    return seen\n",
  breakOrContinue: "def breakOrContinue(xs: List[int]) -> int:\n    acc = 0\n    k = 0\n    for x in xs:\n        k = k + 1\n        if x > 5:\n            acc = acc + 100\n            break\n        elif x < 0:\n            acc = acc - 1\n            continue\n        else:\n            acc = acc + x\n        acc = acc * 2\n    return acc * 1000 + k\n",
  whileBreakThenUse: "def whileBreakThenUse(n: int) -> int:\n    i = 0\n    last = -1\n    while i < n:\n        sq = i * i\n        if sq > 10:\n            last = sq\n            if sq % 2 == 0:\n                break\n        i = i + 1\n    return last * 100 + i\n",
  breakInBothBranches: "def breakInBothBranches(xs: List[int]) -> int:\n    acc = 0\n    for x in xs:\n        if x > 0:\n            acc = acc + x\n            break\n        else:\n            acc = acc - 1\n            break\n    return acc\n",
  whileContinueCond: "def whileContinueCond(n: int) -> int:\n    i = 0\n    acc = 0\n    while i < n:\n        i = i + 1\n        if i % 3 == 0:\n            continue\n        acc = acc + i\n    return acc\n",
  returnInWhileInIf: "def returnInWhileInIf(n: int, flag: bool) -> int:\n    i = 0\n    if flag:\n        while i < n:\n            if i * i > n:\n                return i\n            i = i + 1\n    return 0 - i\n",
  throwInLoop: "def throwInLoop(xs: List[int]) -> int:\n    acc = 0\n    for x in xs:\n        if x < 0:\n            raise Exception(\"negative\")\n        acc = acc + x\n    return acc\n",
  returnBothInLoop: "def returnBothInLoop(xs: List[int]) -> int:\n    for x in xs:\n        if x > 0:\n            return x\n        else:\n            return -x\n    return 0\n",
  breakInOuterElse: "def breakInOuterElse(rows: int, cols: int) -> int:\n    total = 0\n    for i in range(rows):\n        if i % 2 == 0:\n            for j in range(cols):\n                if j == i:\n                    continue\n                total = total + j\n        else:\n            if total > 20:\n                break\n            total = total + 100\n    return total\n",
};

const CASES: Record<string, unknown[][]> = {
  firstNegative: [[[1, 2, -3, 4, -5]], [[1, 2]], [[]], [[-1]]],
  sumSkippingNegatives: [[[1, -2, 3.5, -4]], [[]]],
  whileNestedBreak: [[10, 3], [10, 100], [0, 0], [3, 0]],
  returnInLoop: [[[4, 5, 6], 5], [[4, 5, 6], 7], [[], 1]],
  breakInElse: [[[1, 2, -1, 5]], [[1, 2, 3]], [[]]],
  nestedBreak: [[3, 5], [0, 2], [4, 1]],
  forOfBreak: [[[3, 4, -1, 7]], [[]], [[2]]],
  continueThenBreak: [[20], [0], [5]],
  returnInNestedLoop: [[3, 4, 2], [3, 4, 99], [0, 4, 0]],
  breakOrContinue: [[[1, -2, 3, 7, 4]], [[1, 2]], [[]], [[-1, -1]]],
  whileBreakThenUse: [[10], [3], [0]],
  breakInBothBranches: [[[3, 4]], [[-3, 4]], [[]]],
  whileContinueCond: [[10], [0]],
  returnInWhileInIf: [[10, true], [10, false], [0, true]],
  throwInLoop: [[[1, 2]], [[]]],
  returnBothInLoop: [[[3]], [[-3]], [[]]],
  breakInOuterElse: [[6, 4], [0, 3], [10, 5]],
};

describe("loops with exits compile to graphs that verify", () => {
  for (const name of [...Object.keys(CASES), "firstNegativeTensor", "tensorLoopBreak"]) {
    it(`${name} verifies`, () => {
      const f = script(cell[name]);
      expect(() => verifyGraph(f.graph)).not.toThrow();
    });
  }
});

const pytorchCode: Record<string, string> = hasTorch
  ? runTorch(`
from typing import List
src = ${JSON.stringify(Object.values(PYTHON).join("\n"))}
cu = torch.jit.CompilationUnit(src)
print(json.dumps({k: getattr(cu, k).code for k in ${JSON.stringify(Object.keys(PYTHON))}}))
`)
  : {};

describe.skipIf(!hasTorch)("loops with exits print PyTorch 1.13's code", () => {
  for (const name of Object.keys(PYTHON)) {
    it(name, () => {
      const f = script(cell[name]);
      expect(printMethod(f.graph, { name, isFunction: true, args: argumentSpecs(f.graph, false) })).toBe(pytorchCode[name]);
    });
  }
});

describe("loops with exits compute what eager computes", () => {
  for (const [name, argLists] of Object.entries(CASES)) {
    it(name, () => {
      const f = script(cell[name]) as unknown as (...a: unknown[]) => unknown;
      for (const args of argLists) expect(f(...args), `${name}(${JSON.stringify(args)})`).toEqual(cell[name](...args));
    });
  }
  it("throwInLoop raises on a negative element", () => {
    const f = script(cell.throwInLoop) as unknown as (xs: number[]) => number;
    expect(() => f([1, -2])).toThrow(/negative/);
  });
  it("firstNegativeTensor", () => {
    const f = script(cell.firstNegativeTensor) as unknown as (x: Tensor) => number;
    for (const data of [[1, -2, 3], [1, 2], [-1]]) expect(f(torch.tensor(data))).toBe(cell.firstNegativeTensor(torch.tensor(data)));
  });
  it("tensorLoopBreak", () => {
    const f = script(cell.tensorLoopBreak) as unknown as (x: Tensor, n: number) => Tensor;
    for (const n of [0, 3, 20]) expect(f(torch.ones(3), n).tolist()).toEqual((cell.tensorLoopBreak(torch.ones(3), n) as Tensor).tolist());
  });
});

const modules = defineCell(`
class Scanner extends nn.Module {
  threshold: float = 0.5;
  forward(x: Tensor): Tensor {
    let y = x;
    for (let i = 0; i < x.size(0); i++) {
      if (x.select(0, i).sum().item() > this.threshold) {
        y = y.mul(2);
        break;
      }
      y = y.add(1);
    }
    return y;
  }
  @torch.jit.export
  firstAbove(xs: float[]): int {
    for (let i = 0; i < xs.length; i++) {
      if (xs[i] > this.threshold) {
        return i;
      }
    }
    return -1;
  }
}
`, { file: "<loop exits module>", scope: { torch: { ...torch, jit: { ...torch.jit, script } } } });

describe("a module's methods with loop exits", () => {
  it("verify, method by method, and compute what eager computes", () => {
    const eager = new modules.Scanner();
    const scripted = script(eager);
    for (const name of ["forward", "firstAbove"]) {
      const m = scripted.getMethod(name);
      expect(m, name).toBeDefined();
      expect(() => verifyGraph(m!.graph)).not.toThrow();
    }
    for (const rows of [[[0.1, 0.1], [0.4, 0.3]], [[0.1, 0.1], [0.0, 0.2]], [[1.0, 0.0]]]) {
      const x = torch.tensor(rows);
      expect((scripted as unknown as (x: Tensor) => Tensor)(x).tolist()).toEqual((eager.forward(x) as Tensor).tolist());
    }
    const firstAbove = (scripted as unknown as { firstAbove(xs: number[]): number }).firstAbove;
    for (const xs of [[0.1, 0.7, 0.9], [0.1], []]) expect(firstAbove(xs)).toBe(eager.firstAbove(xs));
  });
});

describe("the compiler checks the graphs it finishes", () => {
  it("an invalid graph is an internal error naming the function and the problem", () => {
    // a value used after the block that defines it: what the firstNegative bug produced
    const g = parseGraph(`graph(%c : bool, %x : Tensor):
  %1 : Tensor = prim::If(%c)
    block0():
      %y : Tensor = aten::neg(%x)
      -> (%y)
    block1():
      -> (%x)
  %2 : Tensor = aten::relu(%y)
  return (%2)
`);
    expect(() => checkCompiledGraph(g, "'broken' (<cell>, line 1)")).toThrow(IRVerifyError);
    expect(() => checkCompiledGraph(g, "'broken' (<cell>, line 1)")).toThrow(
      /^torch\.jit\.script internal error: the graph compiled for 'broken' \(<cell>, line 1\) is invalid\. graph verification failed: input 0 uses %y, which is defined inside a block of/,
    );
  });

  it("a valid graph passes", () => {
    expect(() => checkCompiledGraph(script(cell.firstNegative).graph, "'firstNegative'")).not.toThrow();
  });

  it("numbers where the registry's Tensor overload stands for a Scalar one verify; other mismatches do not", () => {
    // Note [numbers as tensors]: `x.mul(2)` is recorded as aten::mul.Tensor with an int
    const f = script(cell.tensorLoopBreak);
    expect(() => verifyGraph(f.graph)).not.toThrow();
    const bad = parseGraph(`graph(%x : Tensor, %s : str):
  %1 : Tensor = aten::mul(%x, %s)
  return (%1)
`);
    bad.block.firstNode!.op = resolveOverload(parseGraph(`graph(%x : Tensor, %y : Tensor):
  %1 : Tensor = aten::mul(%x, %y)
  return (%1)
`).block.firstNode!);
    expect(() => verifyGraph(bad)).toThrow(/aten::mul does not match its schema .*expects Tensor but got str/);
  });
});
