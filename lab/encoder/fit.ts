/**
 * Ridge regression of a token table: find V (vocab x dim) so that each text's mean of token rows,
 * A V, approaches USE-lite's vector for it, Y, while rows stay near a prior (the single-token
 * table, rescaled): min |A V - Y|^2 + lambda |V - s V0|^2. Solved by conjugate gradient on the
 * normal equations (A'A + lambda I) V = A'Y + lambda s V0, one independent system per column
 * sharing the matrix, in float64. A is sparse (a text touches tens of the 8k tokens), so an
 * iteration is two sparse products, well under a second for ten thousand texts.
 */
export type BagOfTokens = {
  rows: number;
  vocabSize: number;
  /** CSR: row i spans offsets[i]..offsets[i + 1] of cols/vals. */
  offsets: Int32Array;
  cols: Int32Array;
  vals: Float64Array;
};

/** Each text as token counts divided by its length, so A V is the mean of its tokens' rows. */
export function bagOfTokens(tokenized: number[][], vocabSize: number): BagOfTokens {
  const offsets = new Int32Array(tokenized.length + 1);
  const cols: number[] = [];
  const vals: number[] = [];
  tokenized.forEach((ids, i) => {
    const counts = new Map<number, number>();
    for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
    for (const [id, count] of [...counts].sort((a, b) => a[0] - b[0])) {
      cols.push(id);
      vals.push(count / ids.length);
    }
    offsets[i + 1] = cols.length;
  });
  return {
    rows: tokenized.length,
    vocabSize,
    offsets,
    cols: Int32Array.from(cols),
    vals: Float64Array.from(vals),
  };
}

/** out = A x, x: vocab x dim, out: rows x dim. */
function multiply(a: BagOfTokens, x: Float64Array, dim: number, out: Float64Array): void {
  out.fill(0);
  for (let i = 0; i < a.rows; i++) {
    const o = i * dim;
    for (let k = a.offsets[i]!; k < a.offsets[i + 1]!; k++) {
      const v = a.vals[k]!;
      const at = a.cols[k]! * dim;
      for (let d = 0; d < dim; d++) out[o + d]! += v * x[at + d]!;
    }
  }
}

/** out = A' y, y: rows x dim, out: vocab x dim. */
function multiplyTransposed(a: BagOfTokens, y: Float64Array, dim: number, out: Float64Array): void {
  out.fill(0);
  for (let i = 0; i < a.rows; i++) {
    const o = i * dim;
    for (let k = a.offsets[i]!; k < a.offsets[i + 1]!; k++) {
      const v = a.vals[k]!;
      const at = a.cols[k]! * dim;
      for (let d = 0; d < dim; d++) out[at + d]! += v * y[o + d]!;
    }
  }
}

export type RidgeOptions = { lambda: number; iterations: number; log?: (line: string) => void };

export function fitRidge(
  a: BagOfTokens,
  targets: Float32Array,
  prior: Float32Array,
  dim: number,
  { lambda, iterations, log }: RidgeOptions,
): { table: Float32Array; priorScale: number } {
  const n = a.vocabSize * dim;
  const y = Float64Array.from(targets);
  const temp = new Float64Array(a.rows * dim);
  // The prior's scale: the s minimising |A s V0 - Y|, since mean-of-rows shrinks with length.
  const v0 = Float64Array.from(prior);
  multiply(a, v0, dim, temp);
  let num = 0;
  let den = 0;
  for (let i = 0; i < temp.length; i++) {
    num += temp[i]! * y[i]!;
    den += temp[i]! * temp[i]!;
  }
  const priorScale = num / den;
  for (let i = 0; i < n; i++) v0[i]! *= priorScale;

  const apply = (p: Float64Array, out: Float64Array) => {
    multiply(a, p, dim, temp);
    multiplyTransposed(a, temp, dim, out);
    for (let i = 0; i < n; i++) out[i]! += lambda * p[i]!;
  };
  // Start at the prior: r = A'Y + lambda V0 - (A'A + lambda I) V0 = A'(Y - A V0).
  const v = Float64Array.from(v0);
  const r = new Float64Array(n);
  multiply(a, v, dim, temp);
  for (let i = 0; i < temp.length; i++) temp[i] = y[i]! - temp[i]!;
  multiplyTransposed(a, temp, dim, r);
  const p = Float64Array.from(r);
  const q = new Float64Array(n);
  const columnDot = (x: Float64Array, z: Float64Array) => {
    const out = new Float64Array(dim);
    for (let i = 0; i < n; i++) out[i % dim]! += x[i]! * z[i]!;
    return out;
  };
  let rs = columnDot(r, r);
  const rs0 = rs.reduce((s, x) => s + x, 0);
  for (let it = 0; it < iterations; it++) {
    apply(p, q);
    const pq = columnDot(p, q);
    for (let i = 0; i < n; i++) {
      const d = i % dim;
      const alpha = pq[d]! > 0 ? rs[d]! / pq[d]! : 0;
      v[i]! += alpha * p[i]!;
      r[i]! -= alpha * q[i]!;
    }
    const next = columnDot(r, r);
    for (let i = 0; i < n; i++) {
      const d = i % dim;
      p[i] = r[i]! + (rs[d]! > 0 ? next[d]! / rs[d]! : 0) * p[i]!;
    }
    rs = next;
    if ((it + 1) % 10 === 0) {
      const ratio = rs.reduce((s, x) => s + x, 0) / rs0;
      log?.(`ridge lambda=${lambda}: iteration ${it + 1}, residual ${ratio.toExponential(2)}`);
    }
  }
  return { table: Float32Array.from(v), priorScale };
}
