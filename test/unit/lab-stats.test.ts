import { describe, expect, it } from "vitest";
import { percentile, round } from "../../lab/shared/stats.ts";

describe("percentile", () => {
  const latencies = [50, 10, 40, 20, 30];

  it("picks a value of the sorted sample (nearest rank)", () => {
    expect(percentile(latencies, 0)).toBe(10);
    expect(percentile(latencies, 50)).toBe(30);
    expect(percentile(latencies, 79)).toBe(40);
    expect(percentile(latencies, 95)).toBe(50);
    expect(percentile(latencies, 99)).toBe(50);
    expect(percentile(latencies, 100)).toBe(50);
  });

  it("is 0 for no values", () => {
    expect(percentile([], 95)).toBe(0);
  });

  it("does not reorder its input", () => {
    percentile(latencies, 50);
    expect(latencies).toEqual([50, 10, 40, 20, 30]);
  });

  it("sorts numerically, not as strings", () => {
    expect(percentile([100, 9, 20], 0)).toBe(9);
    expect(percentile([100, 9, 20], 100)).toBe(100);
  });
});

describe("round", () => {
  it("rounds to two decimals unless told otherwise", () => {
    expect(round(1.23456)).toBe(1.23);
    expect(round(0.71234, 4)).toBe(0.7123);
    expect(round(64.46, 1)).toBe(64.5);
  });
});
