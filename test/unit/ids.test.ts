import { describe, expect, it } from "vitest";
import { newId, stableId } from "../../src/ids.ts";

describe("newId", () => {
  it("names its kind and carries 96 random bits as 16 URL-safe characters", () => {
    expect(newId("ans")).toMatch(/^ans_[A-Za-z0-9_-]{16}$/);
    expect(newId("cit")).toMatch(/^cit_[A-Za-z0-9_-]{16}$/);
  });

  it("never repeats an id, across many refills of its random bytes", () => {
    // 341 ids per draw from the system: 5,000 ids cross fourteen refills.
    const ids = Array.from({ length: 5000 }, () => newId("req"));
    expect(new Set(ids).size).toBe(ids.length);
    // Each id's bytes are its own: none is another's shifted by a byte (a pool read twice).
    const hex = ids.map((id) => Buffer.from(id.slice(4), "base64url").toString("hex"));
    for (let i = 1; i < hex.length; i++)
      expect(hex[i]!.slice(0, 22)).not.toBe(hex[i - 1]!.slice(2));
  });
});

describe("stableId", () => {
  it("is the same for the same parts and differs when a part moves", () => {
    expect(stableId("chk", "a", "b")).toBe(stableId("chk", "a", "b"));
    expect(stableId("chk", "a", "b")).not.toBe(stableId("chk", "ab", ""));
  });
});
