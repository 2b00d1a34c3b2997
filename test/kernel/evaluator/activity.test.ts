// Note [warming up when quiet]: the warm-up waits for a quiet kernel, so that cells run back to
// back (Run All right after start) never wait for one of its steps.

import { afterAll, describe, expect, it } from "vitest";
import { Activity } from "../../../src/kernel/evaluator/activity.js";
import { CellLanguageService } from "../../../src/kernel/language/index.js";
import { newSession, tempDir } from "./support.js";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe("Activity", () => {
  it("is quiet at once when nothing has happened", async () => {
    const activity = new Activity(10_000);
    const t0 = performance.now();
    await activity.quiet();
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it("is quiet only after the request in progress ended and the quiet time passed", async () => {
    const activity = new Activity(80);
    let ended = 0;
    const request = activity.during(async () => {
      await sleep(100);
      ended = performance.now();
      return "answer";
    });
    await activity.quiet();
    const quietAt = performance.now();
    expect(await request).toBe("answer");
    expect(ended).toBeGreaterThan(0);
    expect(quietAt - ended).toBeGreaterThanOrEqual(75); // timers may fire a millisecond early
  });

  it("counts a request that failed as ended", async () => {
    const activity = new Activity(20);
    await expect(activity.during(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await activity.quiet(); // would never resolve if the failed request still counted as in progress
  });
});

/** The real language service, recording when each of its warm-up steps ran. */
class RecordedWarmUp extends CellLanguageService {
  readonly stepTimes: number[] = [];

  override warmUpSteps(): Array<() => void> {
    return super.warmUpSteps().map((step) => () => {
      this.stepTimes.push(performance.now());
      step();
    });
  }
}

describe("the evaluator's warm-up", () => {
  const cwd = tempDir();
  const language = new RecordedWarmUp({ cwd });
  const session = newSession({ cwd, typeCheck: "error", language });
  afterAll(() => session.evaluator.shutdown(false));

  it("runs no step while cells come back to back, and all of them after", async () => {
    const warming = session.evaluator.warmUp();
    const started = performance.now();
    for (let i = 0; i < 4; i++) {
      expect(await session.value(`class Point${i} { constructor(public x: number) {} }\nnew Point${i}(${i}).x`)).toBe(String(i));
    }
    const ended = performance.now();
    await warming;
    expect(language.stepTimes.length).toBe(language.warmUpSteps().length);
    for (const t of language.stepTimes) expect(t < started || t > ended).toBe(true);
    expect(language.stepTimes.every((t) => t > ended)).toBe(true);
  });
});
