// A Tensor where JavaScript tests truthiness is always true: flagged, pointing to .item().

import { beforeAll, describe, expect, it } from "vitest";
import { CellLanguageService, TENSOR_TRUTHINESS_CODE, TENSOR_TRUTHINESS_MESSAGE } from "../../../src/kernel/language/index.js";
import { notebookDir } from "./support.js";

describe("tensor truthiness", () => {
  let cells: CellLanguageService;
  const flagged = (cell: string) =>
    cells
      .check(cell)
      .filter((d) => d.code === TENSOR_TRUTHINESS_CODE)
      .map((d) => `${d.line}:${d.column}`);

  beforeAll(() => {
    cells = new CellLanguageService({ cwd: notebookDir });
    cells.commit("const x = torch.rand(3);\nconst p = new nn.Linear(2, 2).weight;\nlet maybe: Tensor | undefined;");
  }, 120_000);

  it("flags a tensor condition in if, while, do-while and for", () => {
    expect(flagged("if (x.sum().gt(0)) {}")).toEqual(["1:5"]);
    expect(flagged("while (x.any()) { break; }")).toEqual(["1:8"]);
    expect(flagged("do { break; } while (x.lt(1));")).toEqual(["1:22"]);
    expect(flagged("for (let i = 0; x.gt(i); i++) { break; }")).toEqual(["1:17"]);
  });

  it("flags !, &&, || and the ternary's condition", () => {
    expect(flagged("const a = !x;")).toEqual(["1:12"]);
    expect(flagged("const b = x && 1;")).toEqual(["1:11"]);
    expect(flagged("const c = x.eq(0) || 2;")).toEqual(["1:11"]);
    expect(flagged("const d = x.gt(0) ? 1 : 2;")).toEqual(["1:11"]);
    expect(flagged("if (true && (x.gt(0))) {}")).toEqual(["1:14"]);
  });

  it("flags a Tensor subclass (Parameter) too", () => {
    expect(flagged("if (p) {}")).toEqual(["1:5"]);
  });

  it("says what to do instead", () => {
    const d = cells.check("if (x.sum().gt(0)) {}").find((e) => e.code === TENSOR_TRUTHINESS_CODE);
    expect(d).toEqual({ line: 1, column: 5, message: TENSOR_TRUTHINESS_MESSAGE, category: "error", code: TENSOR_TRUTHINESS_CODE });
    expect(TENSOR_TRUTHINESS_MESSAGE).toContain(".item()");
  });

  it("does not flag .item(), comparisons of numbers, or a possibly-undefined tensor", () => {
    expect(flagged("if (x.sum().gt(0).item()) {}\nwhile (x.any().item()) { break; }\nconst a = !x.all().item();")).toEqual([]);
    expect(flagged("if (x.numel() > 0) {}\nconst b = x.shape.length ? 1 : 2;")).toEqual([]);
    expect(flagged("if (maybe) { maybe.sum(); }\nconst c = maybe && maybe.sum();")).toEqual([]);
  });

  it("does not flag the right side of && outside a condition (it is a value, not a test)", () => {
    expect(flagged("const y = true && x;")).toEqual([]);
  });

  it("flags inside functions and methods of the cell", () => {
    expect(flagged("function f(t: Tensor) {\n  return t.gt(0) ? t : t.neg();\n}")).toEqual(["2:10"]);
  });
});
