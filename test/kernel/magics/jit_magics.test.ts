import { describe, expect, it } from "vitest";
import { torch } from "../../../src/index.js";
import { runCell, setup } from "./support.js";

class TinyCell extends torch.nn.Module {
  linear = new torch.nn.Linear(4, 4);
  override forward(x: torch.Tensor, h: torch.Tensor): [torch.Tensor, torch.Tensor] {
    const new_h = torch.tanh(this.linear(x).add(h));
    return [new_h, new_h];
  }
}

describe("%trace", () => {
  it("const traced = %trace cell(x, h) binds a traced module and shows its TorchScript", async () => {
    torch.manual_seed(0);
    const cell = new TinyCell();
    const [x, h] = [torch.rand(3, 4), torch.rand(3, 4)];
    const { host, runtime } = setup();
    const out: { traced?: unknown } = {};
    await runCell("const traced = %trace cell(x, h)\nout.traced = traced;", { cell, x, h, out }, runtime);
    const traced = out.traced as torch.jit.ScriptModule;
    expect(traced).toBeInstanceOf(torch.jit.ScriptModule);
    expect(traced.code).toContain("def forward(self,");
    const [a] = cell(x, h) as torch.Tensor[];
    const [b] = traced(x, h) as torch.Tensor[];
    expect(b!.tolist()).toEqual(a!.tolist());
    expect(host.displays).toHaveLength(1);
    expect(host.displays[0]!.data["text/plain"]).toBe(traced.code);
    expect(String(host.displays[0]!.data["text/html"])).toContain("forward");
  });

  it("the statement form shows the code and leaves no value behind", async () => {
    const cell = new TinyCell();
    const [x, h] = [torch.rand(2, 4), torch.rand(2, 4)];
    const { host, runtime } = setup();
    await runCell("%trace cell(x, h)", { cell, x, h }, runtime);
    expect(host.displays).toHaveLength(1);
    // What the statement form lowers to (assigned = false) returns nothing, so a last-line
    // %trace is not shown a second time as the cell's result.
    expect(runtime.trace("cell(x, h)", () => [cell, [x, h]], false)).toBeUndefined();
    expect(runtime.trace("cell(x, h)", () => [cell, [x, h]], true)).toBeInstanceOf(torch.jit.ScriptModule);
  });

  it("traces a plain function", async () => {
    const { runtime } = setup();
    const out: { f?: unknown } = {};
    await runCell("out.f = %trace double(x)", { double: (t: torch.Tensor) => t.mul(2), x: torch.ones(2), out }, runtime);
    expect((out.f as { code: string }).code).toContain("torch.mul");
  });

  it("says what is wrong when the callee is not a module or function", async () => {
    const { runtime } = setup();
    await expect(runCell("%trace notfn(x)", { notfn: 3, x: torch.ones(1) }, runtime)).rejects.toThrow("'notfn' is a number, not an nn.Module or a function");
  });
});

describe("%script", () => {
  it("explains that scripting arrives with Step 4 while torch.jit.script is missing", async () => {
    const { runtime } = setup();
    const hasScript = typeof (torch.jit as Record<string, unknown>)["script"] === "function";
    const run = runCell("%script gate", { gate: new TinyCell() }, runtime);
    if (hasScript) await expect(run).resolves.toBeUndefined();
    else await expect(run).rejects.toThrow("torch.jit.script is not available yet (scripting arrives with Step 4)");
  });
});
