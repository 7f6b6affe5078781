import type { Embedder } from "../../src/retrieval/embedder.ts";
import { isBlank, toUnitVector } from "../../src/retrieval/vector-math.ts";

/**
 * TEST DOUBLE - never use in production. A deterministic feature-hashing bag of words: each
 * lower-cased word adds +1 or -1 to one hashed dimension, so texts sharing words get similar unit
 * vectors and unrelated texts land near 0. Instant and model-free, for unit tests of retrieval
 * code. Blank texts give the zero vector, as with the real embedder.
 */
export function createFakeEmbedder(dimension = 64): Embedder {
  if (!Number.isInteger(dimension) || dimension < 1)
    throw new Error(`invalid dimension: ${dimension}`);

  function embed(text: string): Float32Array {
    const counts = new Float64Array(dimension);
    if (isBlank(text)) return new Float32Array(dimension);
    for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
      const hash = fnv1a(word);
      counts[hash % dimension]! += hash & 0x80000000 ? -1 : 1;
    }
    return toUnitVector(counts);
  }

  return {
    modelId: `fake-hash@${dimension}`,
    dimension,
    embedDocuments: async (texts) => texts.map(embed),
    embedQuery: async (text) => embed(text),
    close: async () => {},
  };
}

/** 32-bit FNV-1a: tiny, stable across runs and platforms, good enough spread for hashing words. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
