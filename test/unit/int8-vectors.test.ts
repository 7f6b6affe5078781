import { describe, expect, it } from "vitest";
import { createRng } from "../../src/rng.ts";
import { createInt8Vectors, int8VectorsOf } from "../../src/retrieval/int8-vectors.ts";
import { dot, toUnitVector } from "../../src/retrieval/vector-math.ts";

const DIMENSION = 512;

function unitVectors(count: number, seed: number): Float32Array[] {
  const gaussian = createRng(seed).gaussian;
  return Array.from({ length: count }, () =>
    toUnitVector(Array.from({ length: DIMENSION }, gaussian)),
  );
}

describe("int8 vectors", () => {
  const stored = unitVectors(300, 3);
  const queries = unitVectors(30, 4);

  it("gives dot products within 0.005 of the float32 ones, and keeps their order of magnitude", () => {
    const vectors = createInt8Vectors(DIMENSION);
    stored.forEach((v, slot) => vectors.set(slot, v));
    let worst = 0;
    for (const q of queries) {
      stored.forEach((v, slot) => {
        worst = Math.max(worst, Math.abs(vectors.dot(q, slot) - dot(q, v)));
      });
    }
    expect(worst).toBeLessThan(0.005);
    expect(worst).toBeGreaterThan(0); // they are codes, not the floats
    expect(vectors.dot(stored[7]!, 7)).toBeCloseTo(1, 2);
  });

  it("sums every dimension when the dimension is not a multiple of four", () => {
    for (const dimension of [1, 3, 5, 7]) {
      const vectors = createInt8Vectors(dimension);
      const stored = Float32Array.from({ length: dimension }, (_, j) => (j + 1) / dimension);
      vectors.set(0, stored);
      // A query with one dimension set finds exactly that component's code times the scale.
      for (let j = 0; j < dimension; j++) {
        const query = new Float32Array(dimension);
        query[j] = 1;
        expect(vectors.dot(query, 0)).toBeCloseTo(stored[j]!, 2);
      }
    }
  });
  it("decodes a vector close to the one stored, and a zero vector to zero", () => {
    const vectors = createInt8Vectors(DIMENSION);
    vectors.set(0, stored[0]!);
    vectors.set(1, new Float32Array(DIMENSION));
    expect(dot(vectors.vector(0), stored[0]!)).toBeCloseTo(1, 3);
    expect(vectors.vector(1).every((x) => x === 0)).toBe(true);
    expect(vectors.dot(queries[0]!, 1)).toBe(0);
  });

  it("grows past its capacity, keeps every slot, and round-trips through its bytes", () => {
    const vectors = createInt8Vectors(DIMENSION, 2);
    stored.forEach((v, slot) => vectors.set(slot, v));
    expect(vectors.length).toBe(stored.length);
    const { scales, codes } = vectors.bytes();
    expect(scales.byteLength).toBe(stored.length * 4);
    expect(codes.byteLength).toBe(stored.length * DIMENSION);

    const copy = int8VectorsOf(
      DIMENSION,
      new Float32Array(scales.slice().buffer),
      new Int8Array(codes.slice().buffer),
    );
    expect(copy.length).toBe(stored.length);
    for (const slot of [0, 150, 299]) expect(copy.vector(slot)).toEqual(vectors.vector(slot));
  });

  it("refuses a vector of another dimension, a slot never written, and codes that do not fit", () => {
    const vectors = createInt8Vectors(DIMENSION);
    expect(() => vectors.set(0, new Float32Array(3))).toThrow(/dimensions/);
    expect(() => vectors.dot(queries[0]!, 0)).toThrow(RangeError);
    expect(() => int8VectorsOf(DIMENSION, new Float32Array(2), new Int8Array(DIMENSION))).toThrow(
      /codes/,
    );
  });
});
