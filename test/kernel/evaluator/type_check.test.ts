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

describe("warming up and re-running", () => {
  it("warmUp compiles its own cell without running it", async () => {
    await session.evaluator.warmUp();
    expect("Warm" in globalThis || "warm" in globalThis).toBe(false);
    expect(await session.value("class Later { constructor(public n: number) {} }\nnew Later(2).n")).toBe("2");
  });

  it("lets a cell that comes during the warm-up run between its steps", async () => {
    const finished: string[] = [];
    const warming = session.evaluator.warmUp().then(() => finished.push("warm-up"));
    await session.run("1 + 1").then(() => finished.push("cell"));
    await warming;
    expect(finished).toEqual(["cell", "warm-up"]);
  });

  it("re-running an unchanged cell sees what the cells in between declared", async () => {
    const failed = await session.run("notYetDeclared + 1");
    expect(failed.outcome.status === "error" && failed.outcome.evalue).toBe("Cannot find name 'notYetDeclared'. (1:1)");
    await session.run("const notYetDeclared = 41");
    expect(await session.value("notYetDeclared + 1")).toBe("42");
  });
});
