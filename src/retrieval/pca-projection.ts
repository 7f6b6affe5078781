import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { createRng } from "../rng.ts";
import { dot } from "./vector-math.ts";

/**
 * A linear map from the model's vectors to the few directions that carry most of their energy:
 * the HNSW graph is walked in this smaller space and its candidates are re-ranked with the full
 * vectors, so the graph's float32 copy of every vector shrinks by the same factor as its
 * dimension (at a million 512-d chunks, 2 GiB of the graph was those copies).
 *
 * The directions are the top eigenvectors of the uncentred second moment E[x xᵀ] of a sample of
 * the corpus' unit vectors (PCA without subtracting the mean): for unit vectors x and q,
 * |Px − Pq|² + |Rx − Rq|² = 2 − 2·cos(x, q) with R the discarded directions, so distances in the
 * kept directions order neighbours as cosine does, up to the energy left out.
 */
export type Projection = {
  /** Dimension of the vectors it takes. */
  readonly from: number;
  /** Dimension of the vectors it gives. */
  readonly to: number;
  /** Row-major `to` × `from`: row c is the c-th direction; empty for the identity. */
  readonly basis: Float32Array;
  /** How many vectors the directions were fitted on (0: the identity, fitted on nothing). */
  readonly fittedOn: number;
};

export function identityProjection(dimension: number): Projection {
  return { from: dimension, to: dimension, basis: new Float32Array(0), fittedOn: 0 };
}

export function isIdentity(projection: Projection): boolean {
  return projection.fittedOn === 0;
}

/**
 * The `to` strongest directions of `sample` (vectors of dimension `from`). Deterministic: the
 * same sample gives the same basis, each direction's sign fixed by its largest component.
 */
export function fitProjection(
  sample: readonly Float32Array[],
  from: number,
  to: number,
): Projection {
  if (to > from) throw new Error(`cannot project ${from} dimensions up to ${to}`);
  for (const v of sample) {
    if (v.length !== from) throw new Error(`sample vector has ${v.length} dimensions, not ${from}`);
  }
  const moment = secondMoment(sample, from);
  const directions = strongestDirections(moment, from, to) ?? exactDirections(moment, from, to);
  const basis = new Float32Array(to * from);
  directions.forEach((direction, c) => {
    let largest = 0;
    for (const x of direction) if (Math.abs(x) > Math.abs(largest)) largest = x;
    const sign = largest < 0 ? -1 : 1;
    for (let j = 0; j < from; j++) basis[c * from + j] = sign * direction[j]!;
  });
  return { from, to, basis, fittedOn: sample.length };
}

/**
 * E[x xᵀ] of the sample, unscaled, both triangles, row-major; sums in float64 so 10k rank-one
 * updates do not lose the small eigenvalues' digits. The sample is copied dimension-major first,
 * then each 4 × 4 block of the upper triangle is summed over every vector in sixteen local
 * sums: the moment is written once, and the sample read in sequence (this was 0.7 of a fit's
 * 2.1 s at 8,192 vectors summed one moment row at a time).
 */
function secondMoment(sample: readonly Float32Array[], from: number): Float64Array {
  const n = sample.length;
  // Padded to a multiple of four dimensions with zeros, so every block is whole.
  const dims = Math.ceil(from / 4) * 4;
  const byDimension = new Float32Array(dims * n);
  sample.forEach((v, i) => {
    for (let a = 0; a < from; a++) byDimension[a * n + i] = v[a]!;
  });
  const padded = new Float64Array(dims * dims);
  for (let a = 0; a < dims; a += 4) {
    const a0 = a * n;
    const a1 = a0 + n;
    const a2 = a1 + n;
    const a3 = a2 + n;
    for (let b = a; b < dims; b += 4) {
      const b0 = b * n;
      const b1 = b0 + n;
      const b2 = b1 + n;
      const b3 = b2 + n;
      let s00 = 0,
        s01 = 0,
        s02 = 0,
        s03 = 0;
      let s10 = 0,
        s11 = 0,
        s12 = 0,
        s13 = 0;
      let s20 = 0,
        s21 = 0,
        s22 = 0,
        s23 = 0;
      let s30 = 0,
        s31 = 0,
        s32 = 0,
        s33 = 0;
      for (let k = 0; k < n; k++) {
        const x0 = byDimension[a0 + k]!;
        const x1 = byDimension[a1 + k]!;
        const x2 = byDimension[a2 + k]!;
        const x3 = byDimension[a3 + k]!;
        const y0 = byDimension[b0 + k]!;
        const y1 = byDimension[b1 + k]!;
        const y2 = byDimension[b2 + k]!;
        const y3 = byDimension[b3 + k]!;
        s00 += x0 * y0;
        s01 += x0 * y1;
        s02 += x0 * y2;
        s03 += x0 * y3;
        s10 += x1 * y0;
        s11 += x1 * y1;
        s12 += x1 * y2;
        s13 += x1 * y3;
        s20 += x2 * y0;
        s21 += x2 * y1;
        s22 += x2 * y2;
        s23 += x2 * y3;
        s30 += x3 * y0;
        s31 += x3 * y1;
        s32 += x3 * y2;
        s33 += x3 * y3;
      }
      const sums = [s00, s01, s02, s03, s10, s11, s12, s13, s20, s21, s22, s23, s30, s31, s32, s33];
      for (let i = 0; i < 4; i++) {
        for (let j = 0; j < 4; j++) {
          padded[(a + i) * dims + b + j] = sums[i * 4 + j]!;
          padded[(b + j) * dims + a + i] = sums[i * 4 + j]!;
        }
      }
    }
  }
  const moment = new Float64Array(from * from);
  for (let a = 0; a < from; a++) moment.set(padded.subarray(a * dims, a * dims + from), a * from);
  return moment;
}

/** The `to` top eigenvectors of the symmetric `moment`, strongest first, by a full decomposition. */
function exactDirections(moment: Float64Array, n: number, to: number): Float64Array[] {
  const symmetric = new Matrix(n, n);
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) symmetric.set(a, b, moment[a * n + b]!);
  const { vectors, columns } = strongestEigenvectors(symmetric, to);
  return columns.map((column) =>
    Float64Array.from({ length: n }, (_, j) => vectors.get(j, column)),
  );
}

/** The eigenvectors of a symmetric matrix and the columns of its `count` largest eigenvalues. */
function strongestEigenvectors(symmetric: Matrix, count: number) {
  const decomposition = new EigenvalueDecomposition(symmetric, { assumeSymmetric: true });
  const values = decomposition.realEigenvalues;
  const columns = [...values.keys()].sort((a, b) => values[b]! - values[a]!).slice(0, count);
  return { vectors: decomposition.eigenvectorMatrix, columns };
}

/** Extra directions the randomized search carries beyond those it must find. */
const OVERSAMPLE = 64;
/** Multiplications by the moment after the first: each sharpens the weaker kept directions. */
const POWER_STEPS = 2;

/**
 * The `to` top eigenvectors of the symmetric positive semi-definite `moment`, strongest first, by
 * a randomized range finder with power steps and a Rayleigh-Ritz step (Halko, Martinsson & Tropp
 * 2011, algorithms 4.4 and 5.3). The full decomposition of a 512 × 512 moment took 1.0-1.5 s of a
 * first ingest's index build; with this a whole fit of 8,192 vectors takes ~1.1 s instead of
 * 2.0-2.4 s, and its 128 directions capture the same energy to 1e-5. Null when it does not apply
 * (few dimensions to drop) or the moment's rank is too small for the space searched (the exact
 * decomposition then answers).
 */
function strongestDirections(moment: Float64Array, n: number, to: number): Float64Array[] | null {
  const width = to + OVERSAMPLE;
  if (width * 2 > n) return null;
  // A fixed seed: the same sample gives the same basis.
  const rng = createRng(0x5eed);
  let space = orthonormalised(
    Array.from({ length: width }, () => Float64Array.from({ length: n }, () => rng.next() - 0.5)),
    1,
  );
  for (let step = 0; step <= POWER_STEPS && space; step++) {
    space = orthonormalised(multiplied(moment, n, space), step === POWER_STEPS ? 2 : 1);
  }
  if (!space) return null;
  // The moment restricted to the space: width × width, its eigenvectors the Ritz directions.
  const images = multiplied(moment, n, space);
  const restricted = new Matrix(width, width);
  for (let i = 0; i < width; i++) {
    for (let j = i; j < width; j++) {
      const value = dot(space[i]!, images[j]!);
      restricted.set(i, j, value);
      restricted.set(j, i, value);
    }
  }
  const { vectors, columns } = strongestEigenvectors(restricted, to);
  return columns.map((column) => {
    const direction = new Float64Array(n);
    for (let i = 0; i < width; i++) {
      const weight = vectors.get(i, column);
      const basisVector = space![i]!;
      for (let j = 0; j < n; j++) direction[j]! += weight * basisVector[j]!;
    }
    return direction;
  });
}

/**
 * `moment` (n × n, row-major) times each of `columns`, four columns per pass over a row of the
 * moment (read once for four products).
 */
function multiplied(moment: Float64Array, n: number, columns: Float64Array[]): Float64Array[] {
  const out = columns.map(() => new Float64Array(n));
  const zero = new Float64Array(n);
  for (let c = 0; c < columns.length; c += 4) {
    const q0 = columns[c]!;
    const q1 = columns[c + 1] ?? zero;
    const q2 = columns[c + 2] ?? zero;
    const q3 = columns[c + 3] ?? zero;
    for (let a = 0; a < n; a++) {
      const row = a * n;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let b = 0; b < n; b++) {
        const m = moment[row + b]!;
        s0 += m * q0[b]!;
        s1 += m * q1[b]!;
        s2 += m * q2[b]!;
        s3 += m * q3[b]!;
      }
      out[c]![a] = s0;
      if (c + 1 < columns.length) out[c + 1]![a] = s1;
      if (c + 2 < columns.length) out[c + 2]![a] = s2;
      if (c + 3 < columns.length) out[c + 3]![a] = s3;
    }
  }
  return out;
}

/**
 * An orthonormal basis of the columns' span, column by column (modified Gram-Schmidt; with
 * `passes` 2 each column is taken twice against the ones before it, "twice is enough" for full
 * precision, where a power step only needs its columns kept apart). Null when a column is
 * (nearly) in the span of those before it.
 */
function orthonormalised(columns: Float64Array[], passes: 1 | 2): Float64Array[] | null {
  const out: Float64Array[] = [];
  for (const column of columns) {
    const v = Float64Array.from(column);
    const before = Math.sqrt(dot(v, v));
    for (let pass = 0; pass < passes; pass++) {
      for (const q of out) {
        const projection = dot(q, v);
        for (let j = 0; j < v.length; j++) v[j]! -= projection * q[j]!;
      }
    }
    const norm = Math.sqrt(dot(v, v));
    if (!(norm > before * 1e-8)) return null;
    for (let j = 0; j < v.length; j++) v[j]! /= norm;
    out.push(v);
  }
  return out;
}

/**
 * `vector` in the projection's space, as the plain array hnswlib-node's binding accepts. Four
 * directions per pass over the vector, each sum still taken in the vector's order (the same
 * floats as one direction at a time): every search and every insert into the graph pays this.
 */
export function project(projection: Projection, vector: Float32Array): number[] {
  const { from, to, basis } = projection;
  if (vector.length !== from) {
    throw new Error(`vector has ${vector.length} dimensions, expected ${from}`);
  }
  if (isIdentity(projection)) return Array.from(vector);
  const out = new Array<number>(to);
  let c = 0;
  for (; c + 4 <= to; c += 4) {
    const r0 = c * from;
    const r1 = r0 + from;
    const r2 = r1 + from;
    const r3 = r2 + from;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let j = 0; j < from; j++) {
      const x = vector[j]!;
      s0 += basis[r0 + j]! * x;
      s1 += basis[r1 + j]! * x;
      s2 += basis[r2 + j]! * x;
      s3 += basis[r3 + j]! * x;
    }
    out[c] = s0;
    out[c + 1] = s1;
    out[c + 2] = s2;
    out[c + 3] = s3;
  }
  for (; c < to; c++) {
    let sum = 0;
    const row = c * from;
    for (let j = 0; j < from; j++) sum += basis[row + j]! * vector[j]!;
    out[c] = sum;
  }
  return out;
}
