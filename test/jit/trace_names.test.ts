/**
 * Value names in traces (Note [local names] in src/tensor/local_names.ts): the same small
 * functions traced by PyTorch 1.13 and by tsjit print the same `.code`. The TS functions call
 * `nameLocal` where the kernel's cell compiler puts `__tsjit_name` (every variable initializer
 * and identifier assignment), and `withNameFrame` where a helper's body is its own frame.
 */
import { describe, expect, it } from "vitest";
import { torch } from "../../src/index.js";
import {
  enterNameFrame, leaveNameFrame, localNameOf, nameLocal, recordingLocalNames, withNameFrame,
} from "../../src/tensor/local_names.js";
import type { ScriptModule } from "../../src/jit/script_module.js";
import { hasTorch, runTorch } from "../support/pytorch.js";

type Tensor = torch.Tensor;
const { nn } = torch;

/** Each case: the Python function PyTorch traces, and the same function in TypeScript. */
const CASES: Record<string, { python: string; ts: (x: Tensor) => Tensor }> = {
  // two locals hold the tensor: the first declared names it
  two_locals: {
    python: "def two_locals(x):\n    a = x.neg()\n    b = a\n    return b.exp()\n",
    ts: function two_locals(x: Tensor) {
      const a = nameLocal(x.neg(), "a");
      const b = nameLocal(a, "b");
      return b.exp();
    },
  },
  // a reassigned local no longer names the tensor it held
  reassign: {
    python: "def reassign(x):\n    a = x.neg()\n    c = a.exp()\n    a = c.sin()\n    return torch.add(c, a)\n",
    ts: function reassign(x: Tensor) {
      let a = nameLocal(x.neg(), "a");
      const c = nameLocal(a.exp(), "c");
      a = nameLocal(c.sin(), "a");
      return torch.add(c, a);
    },
  },
  // a value is named when an op takes it, so an unused alias does not matter
  lazy: {
    python: "def lazy(x):\n    t = x.neg()\n    r = t.exp()\n    q = t\n    return r\n",
    ts: function lazy(x: Tensor) {
      const t = nameLocal(x.neg(), "t");
      const r = nameLocal(t.exp(), "r");
      nameLocal(t, "q");
      return r;
    },
  },
  // the consuming frame names the value: the helper's parameter and local
  helper_frame: {
    python: "def helper(u):\n    v = u.exp()\n    return v.sin()\n\ndef helper_frame(x):\n    a = x.neg()\n    return helper(a).cos()\n",
    ts: function helper_frame(x: Tensor) {
      const helper = (u: Tensor) => withNameFrame(["u"], [u], () => {
        const v = nameLocal(u.exp(), "v");
        return v.sin();
      });
      const a = nameLocal(x.neg(), "a");
      return helper(a).cos();
    },
  },
  // a name bound in a frame that has returned does not name the value in its caller
  no_leak: {
    python: "def make(u):\n    v = u.exp()\n    return v\n\ndef no_leak(x):\n    return make(x).sin()\n",
    ts: function no_leak(x: Tensor) {
      const make = (u: Tensor) => withNameFrame(["u"], [u], () => nameLocal(u.exp(), "v"));
      return make(x).sin();
    },
  },
  // a number where the op wants a tensor is a wrapped-number constant; Scalar slots keep numbers
  wrapped_numbers: {
    python: "def wrapped_numbers(x):\n    y = x.mul(2).add(1.5)\n    return y.gt(0).logical_and(y.pow(2).lt(3))\n",
    ts: function wrapped_numbers(x: Tensor) {
      const y = nameLocal(x.mul(2).add(1.5), "y");
      return y.gt(0).logical_and(y.pow(2).lt(3));
    },
  },
  // one name for several values: the printer uniquifies (x, x0, x1)
  shadowing: {
    python: "def shadowing(x):\n    x = x.neg()\n    x = x.exp()\n    return x.sin()\n",
    ts: function shadowing(x: Tensor) {
      x = nameLocal(x.neg(), "x");
      x = nameLocal(x.exp(), "x");
      return x.sin();
    },
  },
};

describe.skipIf(!hasTorch)("traced names equal PyTorch's", () => {
  const script = Object.values(CASES).map((c) => c.python).join("\n") + `
out = {}
for name in ${JSON.stringify(Object.keys(CASES))}:
    out[name] = torch.jit.trace(globals()[name], (torch.rand(2, 3),), check_trace=False).code
print(json.dumps(out))
`;
  const expected = hasTorch ? runTorch<Record<string, string>>(script) : {};
  for (const [name, { ts }] of Object.entries(CASES)) {
    it(name, () => {
      const traced = torch.jit.trace(ts, [torch.rand(2, 3)], { check_trace: false });
      expect(traced.code.trimEnd()).toBe(expected[name]!.trimEnd());
      const x = torch.randn(2, 3);
      expect((traced(x) as Tensor).tolist()).toEqual(ts(x).tolist());
    });
  }
});

describe("nameLocal outside a trace", () => {
  it("returns its value and records nothing", () => {
    const t = torch.ones(2);
    expect(recordingLocalNames()).toBe(false);
    expect(nameLocal(t, "t")).toBe(t);
    expect(enterNameFrame(["input"], [t])).toBeNull();
    expect(localNameOf(t)).toBeNull();
    leaveNameFrame(null);
    expect(withNameFrame(["u"], [t], () => 3)).toBe(3);
  });
});

describe("name frames while tracing", () => {
  it("bind parameters, skip self, and close on throw", () => {
    const seen: (string | null)[] = [];
    const probe = (x: Tensor) => {
      const y = nameLocal(x.neg(), "y");
      seen.push(localNameOf(y));
      const frame = enterNameFrame(["self", "input"], [y, y]);
      seen.push(localNameOf(y)); // `self` never names a value
      leaveNameFrame(frame);
      expect(() => withNameFrame(["z"], [y], () => {
        throw new Error("boom");
      })).toThrow("boom");
      seen.push(localNameOf(y)); // back in probe's frame after the throw
      nameLocal(0, "y"); // reassigned to a number: y no longer holds the tensor
      seen.push(localNameOf(y));
      return y;
    };
    torch.jit.trace(probe, [torch.ones(2)], { check_trace: false });
    expect(seen).toEqual(["y", "input", "y", null]);
    expect(recordingLocalNames()).toBe(false);
  });
});

/** `.code` of a traced module and of each of its children, keyed "<top>" / child name. */
function codes(traced: ScriptModule, prefix = ""): Record<string, string> {
  const out: Record<string, string> = { [`${prefix}<top>`]: traced.code };
  for (const [name, child] of traced.named_children()) out[prefix + name] = (child as ScriptModule).code;
  return out;
}

describe.skipIf(!hasTorch)("nn layers record and name what PyTorch's do", () => {
  it("conv1d, GELU, Flatten, LayerNorm, Softmax, Dropout, Sigmoid, Tanh, LeakyReLU; conv2d, BatchNorm2d (training), pools", () => {
    const expected = runTorch<Record<string, string>>(`
import torch.nn as nn
def codes(t, prefix=""):
    out = {prefix + "<top>": t.code}
    for n, s in t.named_children(): out[prefix + n] = s.code
    return out
a = nn.Sequential(nn.Conv1d(2, 4, 3, stride=2), nn.GELU(), nn.Conv1d(4, 2, 1), nn.Flatten(), nn.LayerNorm(8),
                  nn.Softmax(dim=1), nn.Dropout(0.2), nn.Sigmoid(), nn.Tanh(), nn.LeakyReLU()).eval()
b = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.AvgPool2d(2), nn.AdaptiveAvgPool2d(1)).train()
out = codes(torch.jit.trace(a, (torch.rand(3, 2, 9),), check_trace=False))
out.update(codes(torch.jit.trace(b, (torch.rand(3, 2, 4, 4),), check_trace=False), "b."))
print(json.dumps(out))
`);
    const a = new nn.Sequential(
      new nn.Conv1d(2, 4, 3, { stride: 2 }), new nn.GELU(), new nn.Conv1d(4, 2, 1), new nn.Flatten(), new nn.LayerNorm(8),
      new nn.Softmax({ dim: 1 }), new nn.Dropout(0.2), new nn.Sigmoid(), new nn.Tanh(), new nn.LeakyReLU(),
    ).eval();
    const b = new nn.Sequential(
      new nn.Conv2d(2, 4, 3, { padding: 1, bias: false }), new nn.BatchNorm2d(4), new nn.AvgPool2d(2), new nn.AdaptiveAvgPool2d(1),
    ).train();
    const actual = {
      ...codes(torch.jit.trace(a, [torch.rand(3, 2, 9)], { check_trace: false })),
      ...codes(torch.jit.trace(b, [torch.rand(3, 2, 4, 4)], { check_trace: false }), "b."),
    };
    const trim = (r: Record<string, string>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.trimEnd()]));
    expect(trim(actual)).toEqual(trim(expected));
  });
});
