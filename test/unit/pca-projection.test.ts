import { describe, expect, it } from "vitest";
import { createRng } from "../../lab/shared/rng.ts";
import {
  fitProjection,
  identityProjection,
  isIdentity,
  project,
} from "../../src/retrieval/pca-projection.ts";
import { dot, toUnitVector } from "../../src/retrieval/vector-math.ts";

const FROM = 24;

/** Unit vectors lying in the span of `directions` (random combinations of them). */
function inSpan(directions: Float32Array[], count: number, seed: number): Float32Array[] {
  const gaussian = createRng(seed).gaussian;
  return Array.from({ length: count }, () => {
    const v = new Float32Array(FROM);
    for (const d of directions) {
      const w = gaussian();
      for (let j = 0; j < FROM; j++) v[j]! += w * d[j]!;
    }
    return toUnitVector(v);
  });
}

const distance2 = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
  return sum;
};

describe("PCA projection", () => {
  const gaussian = createRng(11).gaussian;
  const directions = Array.from({ length: 3 }, () =>
    toUnitVector(Array.from({ length: FROM }, gaussian)),
  );
  const sample = inSpan(directions, 200, 12);

  it("has orthonormal directions", () => {
    const projection = fitProjection(sample, FROM, 5);
    expect(projection).toMatchObject({ from: FROM, to: 5, fittedOn: 200 });
    const row = (c: number) => projection.basis.subarray(c * FROM, (c + 1) * FROM);
    for (let a = 0; a < 5; a++) {
      for (let b = 0; b < 5; b++) expect(dot(row(a), row(b))).toBeCloseTo(a === b ? 1 : 0, 4);
    }
  });

  it("keeps distances exactly for vectors in the span it was fitted on", () => {
    const projection = fitProjection(sample, FROM, 3);
    const later = inSpan(directions, 20, 13); // not in the sample, same span
    for (let i = 1; i < later.length; i++) {
      const before = distance2(later[i]!, later[0]!);
      const after = distance2(project(projection, later[i]!), project(projection, later[0]!));
      expect(after).toBeCloseTo(before, 4);
    }
  });

  it("keeps the strongest directions first and is the same for the same sample", () => {
    // Energy mostly along directions[0]: the first row is that direction (up to sign, which is fixed).
    const skewed = sample.map((v, i) =>
      toUnitVector(v.map((x, j) => x + (i % 2 ? 4 : -4) * directions[0]![j]!)),
    );
    const projection = fitProjection(skewed, FROM, 2);
    expect(Math.abs(dot(projection.basis.subarray(0, FROM), directions[0]!))).toBeGreaterThan(0.95);
    expect(fitProjection(skewed, FROM, 2).basis).toEqual(projection.basis);
  });

  it("the identity passes vectors through, and dimensions are checked", () => {
    const identity = identityProjection(FROM);
    expect(isIdentity(identity)).toBe(true);
    expect(project(identity, sample[0]!)).toEqual(Array.from(sample[0]!));
    expect(() => project(identity, new Float32Array(3))).toThrow(/dimensions/);
    expect(() => fitProjection(sample, FROM, FROM + 1)).toThrow(/up to/);
  });
});
