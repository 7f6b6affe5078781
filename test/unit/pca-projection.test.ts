import { describe, expect, it } from "vitest";
import { createRng } from "../../src/rng.ts";
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

  describe("in many dimensions, where only the strongest directions are searched for", () => {
    // 160 dimensions, 16 wanted: found by the randomized search, not a full decomposition.
    const WIDE = 160;
    const rng = createRng(21);
    /** An orthonormal set of `count` random directions (Gram-Schmidt). */
    const orthonormal = (count: number) => {
      const out: Float32Array[] = [];
      while (out.length < count) {
        const v = Array.from({ length: WIDE }, rng.gaussian);
        for (const q of out) {
          const along = dot(q, v);
          for (let j = 0; j < WIDE; j++) v[j]! -= along * q[j]!;
        }
        out.push(toUnitVector(v));
      }
      return out;
    };
    const axes = orthonormal(24);
    /** Each vector: the axes weighted with spreads falling from 10 to ~0.9, plus noise everywhere. */
    const spread = (count: number) =>
      Array.from({ length: count }, () => {
        const v = Array.from({ length: WIDE }, () => 0.05 * rng.gaussian());
        axes.forEach((axis, c) => {
          const w = 10 * 0.9 ** c * rng.gaussian();
          for (let j = 0; j < WIDE; j++) v[j]! += w * axis[j]!;
        });
        return toUnitVector(v);
      });
    const wide = spread(3000);
    const row = (p: { basis: Float32Array }, c: number) =>
      p.basis.subarray(c * WIDE, (c + 1) * WIDE);

    it("finds the strongest directions in order, orthonormal, as a full decomposition does", () => {
      const projection = fitProjection(wide, WIDE, 16);
      // 100 of 160 directions are too many to search for: decomposed in full, its first 16 rows
      // are the sample's exact top 16.
      const exact = fitProjection(wide, WIDE, 100);
      for (let c = 0; c < 16; c++) {
        expect(dot(row(projection, c), row(exact, c)), `direction ${c}`).toBeGreaterThan(0.999);
        expect(Math.abs(dot(row(projection, c), axes[c]!)), `direction ${c}`).toBeGreaterThan(0.9);
        for (let d = 0; d <= c; d++)
          expect(dot(row(projection, c), row(projection, d))).toBeCloseTo(c === d ? 1 : 0, 5);
      }
      expect(fitProjection(wide, WIDE, 16).basis).toEqual(projection.basis);
    });

    it("captures the energy a full decomposition captures", () => {
      const energy = (p: { basis: Float32Array; to: number }) => {
        let sum = 0;
        for (const v of wide) for (let c = 0; c < p.to; c++) sum += dot(row(p, c), v) ** 2;
        return sum / wide.length;
      };
      const searched = fitProjection(wide, WIDE, 16);
      const exact = fitProjection(wide, WIDE, 100);
      const exactTop = { basis: exact.basis.subarray(0, 16 * WIDE), to: 16 };
      expect(energy(searched)).toBeGreaterThan(energy(exactTop) - 1e-6);
      expect(energy(searched)).toBeLessThan(energy(exactTop) + 1e-6);
    });

    it("answers by the full decomposition when the sample spans too few dimensions", () => {
      // Three directions span the sample: the search's space collapses, and the exact one answers.
      const flat = Array.from({ length: 500 }, () => {
        const v = new Float32Array(WIDE);
        axes.slice(0, 3).forEach((axis, c) => {
          const w = (3 - c) * rng.gaussian();
          for (let j = 0; j < WIDE; j++) v[j]! += w * axis[j]!;
        });
        return toUnitVector(v);
      });
      const projection = fitProjection(flat, WIDE, 3);
      for (let c = 0; c < 3; c++) {
        const along = axes.slice(0, 3).map((axis) => dot(row(projection, c), axis) ** 2);
        expect(along.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      }
    });
  });
});
