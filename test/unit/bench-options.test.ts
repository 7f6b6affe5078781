import { describe, expect, it } from "vitest";
import { parseOptions } from "../../lab/bench/options.ts";

describe("npm run bench options", () => {
  it("measures 1k to 1M chunks and loads the 100k store on both databases for 60 s by default", () => {
    expect(parseOptions([])).toMatchObject({
      sizes: [1000, 10_000, 100_000, 1_000_000],
      durationS: 60,
      loadSize: 100_000,
      loadConnections: [16, 64],
      loadDatabases: ["pglite", "postgres"],
      heapMib: undefined,
    });
  });

  it("keeps --quick small: the 1k store, 5 s runs, and the load on that store", () => {
    expect(parseOptions(["--quick"])).toMatchObject({
      sizes: [1000],
      durationS: 5,
      loadSize: 1000,
      scaleQuestions: 50,
    });
  });

  it("takes every knob of the load runs", () => {
    const options = parseOptions([
      ...["--duration", "10", "--load-size", "10000", "--load-connections", "8, 32"],
      ...["--load-databases", "postgres", "--heap", "8192"],
    ]);
    expect(options).toMatchObject({
      durationS: 10,
      loadSize: 10_000,
      loadConnections: [8, 32],
      loadDatabases: ["postgres"],
      heapMib: 8192,
    });
  });

  it("refuses what it cannot measure", () => {
    expect(() => parseOptions(["--load-databases", "mysql"])).toThrow(/pglite, postgres/);
    expect(() => parseOptions(["--scale-questions", "500"])).toThrow(/at most 200/);
    expect(() => parseOptions(["--sizes", "1000,0"])).toThrow(/positive integer/);
  });
});
