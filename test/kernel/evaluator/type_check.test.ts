// Type checking before a cell runs, with the real language service: "error" stops the cell with
// the type error's cell line:column; "warn" reports on stderr and runs it.

import { afterAll, describe, expect, it } from "vitest";
import { newSession } from "./support.js";

const session = newSession({ typeCheck: "error" });
afterAll(() => session.evaluator.shutdown(false));

describe("type checking", () => {
  it("in error mode, a type error stops the cell and says where", async () => {
    await session.run("const typedCount: number = 1");
    const count = session.nextCount;
    const { outcome } = await session.run("const ranAnyway = true\nconst wrong: string = typedCount");
    expect(outcome.status).toBe("error");
    if (outcome.status !== "error") return;
    expect(outcome.ename).toBe("TSError");
    expect(outcome.evalue).toBe("Type 'number' is not assignable to type 'string'. (2:7)");
    expect(outcome.traceback.join("\n")).toContain(`<cell ${count}>:2:7`);
    expect((globalThis as Record<string, unknown>)["ranAnyway"]).toBeUndefined();
  });

  it("earlier cells' declarations are known, classes included", async () => {
    await session.run("class Counter { n = 0; inc(): number { return ++this.n } }");
    expect(await session.value("const c = new Counter()\nc.inc() + c.inc()")).toBe("3");
  });

  it("in warn mode, the cell runs and the diagnostic goes to stderr", async () => {
    session.evaluator.setTypeCheck("warn");
    const { outcome, sink } = await session.run("const loose: string = 5 as unknown as number\nloose");
    expect(outcome.status === "ok" && outcome.result?.data["text/plain"]).toBe("5");
    expect(sink.text("stderr")).toContain("Type 'number' is not assignable to type 'string'.");
    session.evaluator.setTypeCheck("error");
  });
});
