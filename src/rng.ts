/**
 * Seeded randomness, so a synthetic store is the same on every machine and every run, a
 * randomised unit test replays the same cases, and the PCA fit's random start
 * (src/retrieval/pca-projection.ts) gives the same basis for the same sample. The one copy: src/,
 * the lab and the tests import it from here.
 */
export type Rng = { next(): number; int(max: number): number; gaussian(): number };

/** mulberry32: tiny, fast and good enough for picking sentences and perturbing vectors. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (max) => Math.floor(next() * max),
    // Box-Muller; 1 - u keeps log() away from 0.
    gaussian: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
  };
}

/** A seeded Fisher-Yates shuffle that leaves `items` untouched. */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
