import { describe, expect, it } from "vitest";
import { createWrittenVectors } from "../../src/retrieval/written-vectors.ts";

const vector = (x: number) => new Float32Array([x, x, x, x]); // 16 bytes

describe("written vectors", () => {
  it("gives a vector back once, and only for the model that wrote it", () => {
    const written = createWrittenVectors({ maxBytes: 1024 });
    written.remember([{ chunkId: "a", model: "m1", vector: vector(1) }]);
    expect(written.take("a", "m2")).toBeUndefined();
    expect(written.take("a", "m1")).toEqual(vector(1));
    expect(written.take("a", "m1")).toBeUndefined();
    expect(written.size).toBe(0);
  });

  it("keeps the last vector written for a chunk", () => {
    const written = createWrittenVectors({ maxBytes: 1024 });
    written.remember([{ chunkId: "a", model: "m1", vector: vector(1) }]);
    written.remember([{ chunkId: "a", model: "m2", vector: vector(2) }]);
    expect(written.size).toBe(1);
    expect(written.take("a", "m1")).toBeUndefined();
    expect(written.take("a", "m2")).toEqual(vector(2));
  });

  it("forgets the oldest past its budget", () => {
    const written = createWrittenVectors({ maxBytes: 48 });
    written.remember(
      ["a", "b", "c"].map((chunkId, i) => ({ chunkId, model: "m", vector: vector(i) })),
    );
    written.remember([{ chunkId: "d", model: "m", vector: vector(3) }]);
    expect(written.size).toBe(3);
    expect(written.take("a", "m")).toBeUndefined();
    expect(["b", "c", "d"].map((id) => written.take(id, "m")?.[0])).toEqual([1, 2, 3]);
    // Taking one frees its bytes: the next fits without forgetting another.
    written.remember(
      ["e", "f", "g"].map((chunkId) => ({ chunkId, model: "m", vector: vector(4) })),
    );
    written.take("e", "m");
    written.remember([{ chunkId: "h", model: "m", vector: vector(5) }]);
    expect(written.take("f", "m")).toBeDefined();
  });
});
