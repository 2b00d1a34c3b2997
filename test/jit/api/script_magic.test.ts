/**
 * The kernel's `%script` magic end to end: a real TsEvaluator runs notebook cells that define
 * the article's gate, then `%script gate` shows its TorchScript (PyTorch 1.13's seed output
 * 3a) and `const s = %script gate` binds the ScriptModule for later cells.
 */
import { afterAll, describe, expect, it } from "vitest";
import { newSession } from "../../kernel/evaluator/support.js";
import type { OutputEvent } from "../../../src/kernel/protocol/evaluator.js";
import { seedBlock } from "./support.js";

const session = newSession();
afterAll(() => session.evaluator.shutdown(false));

const GATE_CELL = `
class MyDecisionGate extends nn.Module {
  forward(x: Tensor): Tensor {
    if (x.sum().gt(0).item()) {
      return x;
    } else {
      return x.neg();
    }
  }
}
const gate = new MyDecisionGate();
`;

/** text/plain of every display_data a cell emitted. */
function displayedText(events: readonly OutputEvent[]): string[] {
  return events.flatMap((e) => (e.type === "display_data" ? [String(e.data["text/plain"] ?? "")] : []));
}

async function ok(code: string) {
  const ran = await session.run(code);
  if (ran.outcome.status !== "ok") throw new Error(`cell failed: ${ran.outcome.ename}: ${ran.outcome.evalue}\n${ran.outcome.traceback.join("\n")}`);
  return ran;
}

describe("%script in the notebook kernel", () => {
  it("`%script gate` displays the scripted gate's code: PyTorch's seed output 3a", async () => {
    await ok(GATE_CELL);
    const { sink, outcome } = await ok("%script gate");
    const shown = displayedText(sink.events);
    expect(shown).toHaveLength(1);
    expect(shown[0]).toContain(seedBlock("3a. scripted_gate.code").trimEnd());
    // shown once, as display data, not again as the cell's result
    expect(outcome.status === "ok" ? outcome.result : undefined).toBeUndefined();
  });

  it("`const s = %script gate` binds the ScriptModule, which later cells call", async () => {
    const { sink } = await ok("const s = %script gate");
    expect(displayedText(sink.events)[0]).toContain("if bool(torch.gt(torch.sum(x), 0)):");
    expect(await session.value("s.code === torch.jit.script(gate).code")).toBe("true");
    expect(await session.value("const probe = torch.tensor([[1.0, -3.0]]);\n[s(probe).equal(gate(probe)), s(probe.neg()).equal(gate(probe.neg()))]")).toBe(
      "[ true, true ]",
    );
  });

  it("cells may use torch.jit's decorators: the kernel's compiler lowers TS 5 standard decorators", async () => {
    await ok(`
class WithExport extends nn.Module {
  @torch.jit.export
  encode(x: Tensor): Tensor { return x.add(1); }
  @torch.jit.ignore
  debug(x: Tensor): void { console.log(String(x)); }
  forward(x: Tensor): Tensor { return this.encode(x); }
}`);
    expect(await session.value("[torch.jit.markerOf(WithExport.prototype.encode), torch.jit.markerOf(WithExport.prototype.debug), torch.jit.markerOf(WithExport.prototype.forward)]")).toBe(
      "[ 'export', 'ignore', undefined ]",
    );
  });
});
