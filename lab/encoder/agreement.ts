/** Row-major vectors: `count` rows of `dim` numbers. */
export type Rows = { data: Float32Array; dim: number; count: number };

export function rows(data: Float32Array, dim: number): Rows {
  return { data, dim, count: data.length / dim };
}

export function pickRows(all: Rows, indexes: number[]): Rows {
  const data = new Float32Array(indexes.length * all.dim);
  indexes.forEach((i, j) =>
    data.set(all.data.subarray(i * all.dim, (i + 1) * all.dim), j * all.dim),
  );
  return { data, dim: all.dim, count: indexes.length };
}

function topK(query: Float32Array, passages: Rows, k: number): number[] {
  const scores: { i: number; s: number }[] = [];
  for (let i = 0; i < passages.count; i++) {
    let s = 0;
    const at = i * passages.dim;
    for (let d = 0; d < passages.dim; d++) s += query[d]! * passages.data[at + d]!;
    scores.push({ i, s });
  }
  return scores
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .slice(0, k)
    .map((x) => x.i);
}

export type Agreement = {
  queries: number;
  passages: number;
  /** Queries whose nearest passage is the same under both encoders. */
  top1: number;
  /** Mean share of the reference's 10 nearest passages the candidate also puts in its 10. */
  overlap10: number;
  /** Mean cosine between a text's candidate and reference vectors (same space only). */
  meanCosine: number;
};

/**
 * How far a candidate encoder's nearest neighbours follow the reference's: each query's top 10
 * passages under each encoder (cosine; all vectors are unit length).
 */
export function neighbourAgreement(
  reference: { queries: Rows; passages: Rows },
  candidate: { queries: Rows; passages: Rows },
): Agreement {
  const n = reference.queries.count;
  let top1 = 0;
  let overlap = 0;
  for (let q = 0; q < n; q++) {
    const row = (r: Rows) => r.data.subarray(q * r.dim, (q + 1) * r.dim);
    const ref = topK(row(reference.queries), reference.passages, 10);
    const cand = topK(row(candidate.queries), candidate.passages, 10);
    if (ref[0] === cand[0]) top1++;
    const set = new Set(ref);
    overlap += cand.filter((i) => set.has(i)).length / 10;
  }
  let cosine = 0;
  const same = reference.queries.dim === candidate.queries.dim;
  if (same) {
    for (const part of ["queries", "passages"] as const) {
      const a = reference[part];
      const b = candidate[part];
      for (let i = 0; i < a.data.length; i++) cosine += a.data[i]! * b.data[i]!;
    }
  }
  const texts = reference.queries.count + reference.passages.count;
  return {
    queries: n,
    passages: reference.passages.count,
    top1,
    overlap10: overlap / n,
    meanCosine: same ? cosine / texts : NaN,
  };
}
