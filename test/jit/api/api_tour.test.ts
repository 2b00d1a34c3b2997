/**
 * The seed article's section 6 tour of torch.jit, one runnable example per API: script,
 * trace, script_if_tracing, trace_module, fork/wait, ScriptModule, ScriptFunction, freeze,
 * save/load with _extra_files, ignore, unused, isinstance, export (and annotate).
 * Each example checks what the API is for; the detailed behaviour lives in the API's own tests.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { torch } from "../../../src/index.js";
import { ScriptModule } from "../../../src/jit/script_module.js";
import { defineCell } from "../script/support.js";
import { same } from "./support.js";

const cell = defineCell(`
function clamp_twice(x: Tensor, lo: float): Tensor {
  if (x.sum().gt(0).item()) {
    return x.clamp_min(lo).mul(2);
  }
  return x.neg();
}

class Gate extends nn.Module {
  forward(x: Tensor): Tensor {
    if (x.sum().gt(0).item()) {
      return x;
    } else {
      return x.neg();
    }
  }
}

class TwoHeads extends nn.Module {
  enc = new nn.Linear(4, 4);
  forward(x: Tensor): Tensor {
    return torch.relu(this.enc(x));
  }
  encode(x: Tensor): Tensor {
    return torch.sigmoid(this.enc(x));
  }
}

class Tiny extends nn.Module {
  fc = new nn.Linear(3, 2);
  forward(x: Tensor): Tensor {
    return this.fc(x).relu();
  }
}

class WithMarkers extends nn.Module {
  fc = new nn.Linear(3, 3);
  use_debug: boolean = false;
  @torch.jit.export
  encode(x: Tensor): Tensor {
    return this.fc(x).relu();
  }
  @torch.jit.ignore
  show(x: Tensor): void {
    console.log(String(x));
  }
  @torch.jit.unused
  legacy(x: Tensor): Tensor {
    return x;
  }
  forward(x: Tensor): Tensor {
    if (this.use_debug) {
      this.legacy(x);
    }
    return x.mul(3);
  }
}
`, { file: "<tour cell>" });
const { clamp_twice, Gate, TwoHeads, Tiny, WithMarkers } = cell;

describe("section 6: the torch.jit API tour", () => {
  it("script: a function keeps its branch (ScriptFunction with .code)", () => {
    const f = torch.jit.script(clamp_twice as (x: torch.Tensor, lo: number) => torch.Tensor);
    expect(f.code).toContain("if bool(torch.gt(torch.sum(x), 0)):");
    const x = torch.rand(2, 2);
    for (const input of [x, x.neg()]) expect(same(f(input, 0.5), clamp_twice(input, 0.5))).toBe(true);
  });

  it("trace: records the branch that ran; a script keeps both", () => {
    const x = torch.rand(3);
    const traced = torch.jit.trace(new Gate(), [x]);
    const scripted = torch.jit.script(new Gate());
    expect(same(traced(x.neg()), x.neg())).toBe(true); // the x branch was baked in
    expect(same(scripted(x.neg()), x)).toBe(true);
  });

  it("script_if_tracing: a helper stays a call in the trace", () => {
    const helper = torch.jit.script_if_tracing(clamp_twice);
    const traced = torch.jit.trace((x: torch.Tensor) => helper(x, 0.25).add(1), [torch.rand(2)]);
    expect(traced.code).toContain("__torch__.clamp_twice(");
    const y = torch.rand(2).neg();
    expect(same(traced(y), clamp_twice(y, 0.25).add(1))).toBe(true);
  });

  it("trace_module: several methods, each traced with its own example inputs", () => {
    const model = new TwoHeads();
    const x = torch.rand(2, 4);
    const traced = torch.jit.trace_module(model, { forward: [x], encode: [x] });
    expect(traced.getMethod("encode")).toBeDefined();
    expect(same((traced as unknown as { encode(t: torch.Tensor): torch.Tensor }).encode(x), model.encode(x))).toBe(true);
  });

  it("fork and wait: a Future of a call", () => {
    const x = torch.rand(4);
    const futures = [1, 2, 3].map((k) => torch.jit.fork((t: torch.Tensor) => t.mul(k), x));
    const total = futures.map((f) => torch.jit.wait(f)).reduce((a, b) => a.add(b));
    expect(same(total, x.mul(6))).toBe(true);
  });

  it("ScriptModule: a compiled module is still an nn.Module, with .code and .graph", () => {
    const s = torch.jit.script(new Tiny());
    expect(s).toBeInstanceOf(ScriptModule);
    expect(s).toBeInstanceOf(torch.nn.Module);
    expect(s.code).toContain("def forward(self,");
    expect(String(s.graph)).toContain("graph(%self");
    expect([...s.parameters()]).toHaveLength(2);
  });

  it("ScriptFunction: a compiled function with .schema, .graph and .code", () => {
    const f = torch.jit.script(clamp_twice as (x: torch.Tensor, lo: number) => torch.Tensor);
    expect(f.schema).toBe("clamp_twice(Tensor x, float lo) -> Tensor");
    expect(String(f.graph)).toContain("prim::If");
  });

  it("freeze: parameters become constants of an eval-mode module", () => {
    const model = new Tiny().eval();
    const frozen = torch.jit.freeze(torch.jit.script(model));
    expect(frozen.code).toContain("CONSTANTS.c0");
    expect([...frozen.parameters()]).toHaveLength(0);
    const x = torch.rand(2, 3);
    expect(same(frozen(x), model(x))).toBe(true);
  });

  it("save and load, with _extra_files", () => {
    const path = join(mkdtempSync(join(tmpdir(), "tsjit-tour-")), "tiny.pt");
    const s = torch.jit.script(new Tiny());
    torch.jit.save(s, path, { _extra_files: { "notes.txt": "hello" } });
    const extra = new Map([["notes.txt", ""]]);
    const loaded = torch.jit.load(path, { _extra_files: extra });
    expect(extra.get("notes.txt")).toBe("hello");
    const x = torch.rand(2, 3);
    expect(same(loaded(x), s(x))).toBe(true);
  });

  it("ignore, unused and export mark methods for the script compiler", () => {
    const proto = WithMarkers.prototype as Record<string, Function>;
    expect([proto["encode"], proto["show"], proto["legacy"]].map((f) => torch.jit.markerOf(f!))).toEqual(["export", "ignore", "unused"]);
  });

  it("export: a method forward does not call is compiled too", () => {
    const model = new WithMarkers();
    const s = torch.jit.script(model) as ScriptModule & { encode(x: torch.Tensor): torch.Tensor };
    expect(s.getMethod("encode")).toBeDefined();
    const x = torch.rand(2, 3);
    expect(same(s.encode(x), model.encode(x))).toBe(true);
  });

  it("unused: the method's call compiles to a raise; ignore: the method is not compiled", () => {
    const s = torch.jit.script(new WithMarkers());
    expect(s.code).toContain("ops.prim.RaiseException(");
    expect(s.getMethod("legacy")).toBeUndefined();
    expect(s.getMethod("show")).toBeUndefined();
    const x = torch.rand(2, 3);
    expect(same(s(x), x.mul(3))).toBe(true);
  });

  it("isinstance: container type refinement, eagerly", () => {
    const items: unknown = [torch.ones(1), torch.zeros(1)];
    expect(torch.jit.isinstance(items, "List[Tensor]")).toBe(true);
    expect(torch.jit.isinstance(items, "List[int]")).toBe(false);
    expect(torch.jit.isinstance(new Map([["k", [1, 2]]]), "Dict[str, List[int]]")).toBe(true);
  });

  it("annotate: gives an empty container its type, returning it unchanged", () => {
    const empty: number[] = [];
    expect(torch.jit.annotate("List[int]", empty)).toBe(empty);
  });
});
