import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { whilePending } from "../../src/retrieval/while-pending.ts";

/** A step that holds the thread for `ms`, as analysing a passage does. */
const busyStep = (done: number[], i: number, ms: number) => () => {
  const end = performance.now() + ms;
  while (performance.now() < end);
  done.push(i);
};

describe("whilePending", () => {
  it("does steps, in order, while the promise is pending, and none once it has settled", async () => {
    const done: number[] = [];
    const startedAt: number[] = [];
    let settledAt = Infinity;
    const pending = sleep(30).then(() => {
      settledAt = performance.now();
      return "vector";
    });
    const steps = Array.from({ length: 1000 }, (_, i) => {
      const step = busyStep(done, i, 2);
      return () => {
        startedAt.push(performance.now());
        step();
      };
    });
    expect(await whilePending(pending, steps)).toBe("vector");
    // Steps filled the wait (several ran, in order), far from all 1,000 (two seconds of work),
    // and none started after the promise settled.
    expect(done.length).toBeGreaterThan(3);
    expect(done.length).toBeLessThan(1000);
    expect(done).toEqual(done.map((_, i) => i));
    expect(Math.max(...startedAt)).toBeLessThan(settledAt);
  });

  it("does no step for a promise settled before the call, and needs no turn of the loop", async () => {
    const done: number[] = [];
    let turned = false;
    setImmediate(() => (turned = true));
    await whilePending(Promise.resolve(1), [busyStep(done, 0, 1)]);
    expect(done).toEqual([]);
    expect(turned).toBe(false);
  });

  it("passes a rejection through, and stops its steps", async () => {
    const done: number[] = [];
    const failing = sleep(10).then(() => {
      throw new Error("encoder gone");
    });
    await expect(
      whilePending(
        failing,
        Array.from({ length: 100 }, (_, i) => busyStep(done, i, 2)),
      ),
    ).rejects.toThrow("encoder gone");
    expect(done.length).toBeLessThan(100);
  });

  it("with no steps, is the promise itself", async () => {
    await expect(
      whilePending(
        sleep(5).then(() => 7),
        [],
      ),
    ).resolves.toBe(7);
  });
});
