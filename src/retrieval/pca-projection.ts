import { EigenvalueDecomposition, Matrix } from "ml-matrix";

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
  // Only the upper triangle is summed (it is symmetric); float64 so 10k rank-one updates do not
  // lose the small eigenvalues' digits. Four vectors per pass over the triangle: each cell is
  // read and written once for four products (the pass was most of a fit's time at 8,192 vectors).
  const moment = new Float64Array(from * from);
  for (const v of sample) {
    if (v.length !== from) throw new Error(`sample vector has ${v.length} dimensions, not ${from}`);
  }
  const zero = new Float32Array(from);
  for (let i = 0; i < sample.length; i += 4) {
    const v0 = sample[i]!;
    const v1 = sample[i + 1] ?? zero;
    const v2 = sample[i + 2] ?? zero;
    const v3 = sample[i + 3] ?? zero;
    for (let a = 0; a < from; a++) {
      const a0 = v0[a]!;
      const a1 = v1[a]!;
      const a2 = v2[a]!;
      const a3 = v3[a]!;
      const row = a * from;
      for (let b = a; b < from; b++) {
        moment[row + b]! += a0 * v0[b]! + a1 * v1[b]! + a2 * v2[b]! + a3 * v3[b]!;
      }
    }
  }
  const symmetric = Matrix.zeros(from, from);
  for (let a = 0; a < from; a++) {
    for (let b = a; b < from; b++) {
      symmetric.set(a, b, moment[a * from + b]!);
      symmetric.set(b, a, moment[a * from + b]!);
    }
  }
  const decomposition = new EigenvalueDecomposition(symmetric, { assumeSymmetric: true });
  const values = decomposition.realEigenvalues;
  const vectors = decomposition.eigenvectorMatrix;
  const strongest = [...values.keys()].sort((a, b) => values[b]! - values[a]!).slice(0, to);
  const basis = new Float32Array(to * from);
  strongest.forEach((column, c) => {
    let largest = 0;
    for (let j = 0; j < from; j++) {
      const x = vectors.get(j, column);
      if (Math.abs(x) > Math.abs(largest)) largest = x;
    }
    const sign = largest < 0 ? -1 : 1;
    for (let j = 0; j < from; j++) basis[c * from + j] = sign * vectors.get(j, column);
  });
  return { from, to, basis, fittedOn: sample.length };
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
