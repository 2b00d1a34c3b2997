import { describe, expect, it } from "vitest";
import { torch } from "../../../src/index.js";
import { gradcheck, leaf } from "../../support/gradcheck.js";
import { hasTorch, runTorch } from "../../support/pytorch.js";

describe("constant_pad_nd", () => {
  it("pads from the last dimension and crops with negative amounts", () => {
    const x = torch.arange(6).reshape(2, 3);
    expect(torch.constant_pad_nd(x, [1, 0]).tolist()).toEqual([[0, 0, 1, 2], [0, 3, 4, 5]]);
    expect(torch.constant_pad_nd(x, [0, 0, 1, 1], 9).tolist()).toEqual([[9, 9, 9], [0, 1, 2], [3, 4, 5], [9, 9, 9]]);
    expect(torch.constant_pad_nd(x, [-1, 1]).tolist()).toEqual([[1, 2, 0], [4, 5, 0]]);
    expect(() => torch.constant_pad_nd(x, [1])).toThrow("Length of pad must be even");
    expect(() => torch.constant_pad_nd(x, [0, 0, 0, 0, 1, 1])).toThrow("Length of pad should be no more than twice");
  });

  it("has PyTorch's gradient and grad_fn", () => {
    const x = leaf([2, 3]);
    expect(torch.constant_pad_nd(x, [1, 2, -1, 0]).grad_fn!.name()).toBe("ConstantPadNdBackward0");
    gradcheck((t) => torch.constant_pad_nd(t, [1, 2, -1, 1], 0.5), [x]);
  });

  it.skipIf(!hasTorch)("matches PyTorch", () => {
    const ref = runTorch<number[][][]>(
      "x = torch.arange(24.).reshape(2, 3, 4)\nprint(json.dumps(torch.constant_pad_nd(x, [2, -1, 1, 1], -1.5).tolist()))",
    );
    const x = torch.arange(24, { dtype: torch.float32 }).reshape(2, 3, 4);
    expect(torch.constant_pad_nd(x, [2, -1, 1, 1], -1.5).tolist()).toEqual(ref);
  });
});
