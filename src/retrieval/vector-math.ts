/**
 * A unit-length float32 copy of `values`. The norm is computed in float64 so the worker path and
 * the main-thread path, which both pass plain numbers, produce bit-identical vectors. A zero input
 * stays zero: it is how a blank text is represented (cosine 0 with everything).
 */
export function toUnitVector(values: ArrayLike<number>): Float32Array {
  let sumOfSquares = 0;
  for (let i = 0; i < values.length; i++) sumOfSquares += values[i]! * values[i]!;
  const norm = Math.sqrt(sumOfSquares);
  const out = new Float32Array(values.length);
  if (norm === 0) return out;
  for (let i = 0; i < values.length; i++) out[i] = values[i]! / norm;
  return out;
}

/** Dot product; equals cosine similarity when both vectors are unit length. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`dimension mismatch: ${a.length} vs ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/** Cosine similarity in [-1, 1]; 0 when either vector is zero. */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const denominator = Math.sqrt(dot(a, a) * dot(b, b));
  return denominator === 0 ? 0 : dot(a, b) / denominator;
}

/** Whitespace-only text carries no meaning, and USE-lite cannot embed "" at all (see embedder.ts). */
export function isBlank(text: string): boolean {
  return text.trim().length === 0;
}
