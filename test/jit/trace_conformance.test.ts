/**
 * Traced conformance cases written in TypeScript: tracing the same model must print the .code
 * PyTorch 1.13 printed (shared/conformance/cases/<case>/code.txt), up to ___torch_mangle_N.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { torch } from "../../src/index.js";
import { printMethod } from "../../src/jit/printer/index.js";
import type { ScriptModule } from "../../src/jit/script_module.js";

const CASES = new URL("../../../shared/conformance/cases/", import.meta.url);
const unmangle = (s: string) => s.replace(/___torch_mangle_\d+\./g, "");

/** code.txt sections: "<top>.forward" -> text. */
function expectedCode(name: string): Map<string, string> {
  const text = readFileSync(new URL(`${name}/code.txt`, CASES), "utf8");
  const out = new Map<string, string>();
  for (const part of text.split(/^# ==== /m).slice(1)) {
    const nl = part.indexOf("\n");
    out.set(part.slice(0, nl).replace(/ ====$/, ""), part.slice(nl + 1).replace(/\n+$/, "\n"));
  }
  return out;
}

/** Our sections, keyed the same way: every method of the top module and of each submodule. */
function actualCode(m: ScriptModule): Map<string, string> {
  const out = new Map<string, string>();
  for (const [path, sub] of m.named_modules()) {
    for (const [name, method] of (sub as ScriptModule)._methods) {
      out.set(`${path || "<top>"}.${name}`, printMethod(method.graph, { name }));
    }
  }
  return out;
}

function compare(name: string, traced: ScriptModule): void {
  const expected = expectedCode(name);
  const actual = actualCode(traced);
  for (const [key, code] of expected) {
    expect(unmangle(actual.get(key) ?? `<missing ${key}>`), key).toBe(unmangle(code));
  }
}

describe("traced conformance cases print PyTorch's .code", () => {
  it("nn_sequential_relu_traced", () => {
    const seq = new torch.nn.Sequential(new torch.nn.Linear(4, 6), new torch.nn.ReLU(), new torch.nn.Linear(6, 2));
    compare("nn_sequential_relu_traced", torch.jit.trace(seq, [torch.rand(3, 4)]));
  });

  it("trace_module_multi_methods", () => {
    class TwoHeads extends torch.nn.Module {
      enc = new torch.nn.Linear(4, 3);
      dec = new torch.nn.Linear(3, 4);
      override forward(x: torch.Tensor) {
        return this.dec(torch.relu(this.enc(x)));
      }
      encode(x: torch.Tensor) {
        return torch.sigmoid(this.enc(x));
      }
    }
    const x = torch.rand(2, 4);
    compare("trace_module_multi_methods", torch.jit.trace_module(new TwoHeads(), { forward: [x], encode: [x] }));
  });

  it("seed_mycell_v1_traced", () => {
    class MyCell_v1 extends torch.nn.Module {
      linear = new torch.nn.Linear(4, 4);
      override forward(x: torch.Tensor, h: torch.Tensor) {
        const new_h = torch.tanh(this.linear(x).add(h));
        return [new_h, new_h];
      }
    }
    compare("seed_mycell_v1_traced", torch.jit.trace(new MyCell_v1(), [torch.rand(3, 4), torch.rand(3, 4)]));
  });
});

describe("inlined_graph", () => {
  it("equals PyTorch's inlined graph of seed_mycell_v1_traced (without source comments)", () => {
    const text = readFileSync(new URL("seed_mycell_v1_traced/graph.txt", CASES), "utf8");
    const expected = text.split("# ==== <top>.forward (inlined_graph) ====\n")[1]!.replace(/ # \S+:\d+:\d+/g, "").trim();
    class MyCell_v1 extends torch.nn.Module {
      linear = new torch.nn.Linear(4, 4);
      override forward(x: torch.Tensor, h: torch.Tensor) {
        const new_h = torch.tanh(this.linear(x).add(h));
        return [new_h, new_h];
      }
    }
    const traced = torch.jit.trace(new MyCell_v1(), [torch.rand(3, 4), torch.rand(3, 4)]);
    const actual = String(traced.inlined_graph).replace(/ # \S+:\d+:\d+/g, "").trim();
    expect(unmangle(actual)).toBe(unmangle(expected));
  });
});
