/**
 * Parameters with defaults in the source: `.code` prints them as PyTorch does
 * (`s: Optional[int]=None`) and calls that leave them out get them, in the interpreter as in JS.
 */
import { describe, expect, it } from "vitest";
import { torch } from "../../../src/index.js";
import { script } from "../../../src/jit/script.js";
import { defineCell } from "./support.js";

const { scaled, Scaler } = defineCell(`
function scaled(x: Tensor, k: int = 2, shift: number | null = null): Tensor {
  if (shift !== null) {
    return x.mul(k).add(shift);
  }
  return x.mul(k);
}

class Scaler extends nn.Module {
  forward(x: Tensor, k: int = 3): Tensor {
    return x.mul(k);
  }
}
`, { file: "<defaults cell>" });

describe("default arguments of scripted code", () => {
  it("are printed in .code", () => {
    const f = script(scaled);
    expect(f.code).toContain("k: int=2");
    expect(f.code).toContain("shift: Optional[float]=None");
    expect(script(new Scaler()).code).toContain("k: int=3");
  });

  it("fill in arguments a call leaves out, as eager JS does", () => {
    const x = torch.tensor([1.5, -2], { dtype: torch.float32 });
    const f = script(scaled) as unknown as (...a: unknown[]) => torch.Tensor;
    expect(f(x).tolist()).toEqual(scaled(x).tolist());
    expect(f(x, 5).tolist()).toEqual(scaled(x, 5).tolist());
    expect(f(x, 5, 0.5).tolist()).toEqual(scaled(x, 5, 0.5).tolist());
    const m = script(new Scaler()) as unknown as (...a: unknown[]) => torch.Tensor;
    expect(m(x).tolist()).toEqual([4.5, -6]);
  });
});
