// The cell compiler announces locals to the tracer (`__tsjit_name` = nameLocal, Note [local
// names]), so a model written in a cell the way a notebook user writes it traces to the value
// names PyTorch takes from Python locals: shared/conformance/cases/cnn_traced/code.txt.

import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { newSession } from "./support.js";

const session = newSession({ typeCheck: "off" });
afterAll(() => session.evaluator.shutdown(false));

const CASE = new URL("../../../../shared/conformance/cases/cnn_traced/code.txt", import.meta.url);

/** The `<top>.forward` section of a case's code.txt. */
function topForward(): string {
  const text = readFileSync(CASE, "utf8");
  return text.split(/^# ==== /m).find((part) => part.startsWith("<top>.forward"))!.replace(/^.*\n/, "").trim();
}

describe("a traced cell model names values after its locals, as PyTorch does", () => {
  it("cnn_traced's forward (x0 and input0 come from the cell's own local x), written as a plain cell", async () => {
    await session.run(`
class SmallCNN extends nn.Module {
  conv1 = new nn.Conv2d(1, 4, 3, { padding: 1 })
  bn1 = new nn.BatchNorm2d(4)
  pool = new nn.MaxPool2d(2)
  conv2 = new nn.Conv2d(4, 8, 3)
  fc = new nn.Linear(32, 5)
  forward(x: Tensor): Tensor {
    x = this.pool(F.relu(this.bn1(this.conv1(x))))
    x = F.relu(this.conv2(x))
    x = torch.flatten(x, 1)
    return this.fc(x)
  }
}
const traced = torch.jit.trace(new SmallCNN().eval(), [torch.rand(2, 1, 8, 8)])`);
    const { outcome, sink } = await session.run("console.log(traced.code)");
    expect(outcome.status).toBe("ok");
    expect(sink.text("stdout").trim()).toBe(topForward());
  });
});
