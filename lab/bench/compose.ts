import { splitSentences } from "../../src/text/sentences.ts";
import { shuffled, type Rng } from "../../src/rng.ts";

/** A real chunk as composition reads it: its corpus, text and vector. */
export type PoolPassage = { corpus: string; text: string; vector: Float32Array };

/** Real sentences by corpus, each with the passage it came from. */
export type SentencePool = {
  passages: { corpus: string; sentences: number; vector: Float32Array }[];
  byCorpus: Map<string, { sentences: string[]; passage: number[] }>;
};

export type ComposedChunk = {
  corpus: string;
  text: string;
  vector: Float32Array;
  /** How many real sentences it holds. */
  sentences: number;
};

/** A composed chunk stops growing past this (the default chunker's largest chunk). */
export const MAX_COMPOSED_CHARS = 1000;
/** Per-dimension standard deviation of the noise on a composed vector (norm ~0.23 at 512 dims). */
export const NOISE_SIGMA = 0.01;

export const COMPOSITION_DESCRIPTION =
  "each composed chunk copies the sentence count of a random real chunk (its template) and fills " +
  "it with sentences drawn at random from all real chunks of the template's corpus (at most " +
  `${MAX_COMPOSED_CHARS} characters), so no composed chunk is a near-copy of a real one; its vector ` +
  "is NOT embedded: it is unit(unit(sum over its sentences of sentence length x the embedded vector " +
  `of the real chunk the sentence came from) + N(0, ${NOISE_SIGMA}^2) per dimension), seeded. ` +
  "Real sentences recur (reuse below), so BM25 posting lists are longer than in a natural corpus " +
  "of that size, and composed chunks mix unrelated topics";

/**
 * Whole real documents for a store of at most `size` chunks: the `pinned` ones first (the
 * documents the measured questions are about), then the rest in a seeded order, each taken when
 * it still fits, so a small store is a sample of every corpus and holds every pinned document.
 */
export function selectDocuments<T extends { key: string; chunks: number }>(
  documents: readonly T[],
  size: number,
  pinned: ReadonlySet<string>,
  rng: Rng,
): T[] {
  const first = documents.filter((d) => pinned.has(d.key));
  const rest = shuffled(
    documents.filter((d) => !pinned.has(d.key)),
    rng,
  );
  const out: T[] = [];
  let total = 0;
  for (const d of [...first, ...rest]) {
    if (total === size) break;
    if (total + d.chunks > size) continue;
    out.push(d);
    total += d.chunks;
  }
  return out;
}

export function createSentencePool(passages: readonly PoolPassage[]): SentencePool {
  const byCorpus = new Map<string, { sentences: string[]; passage: number[] }>();
  const out = passages.map((p, index) => {
    const sentences = splitSentences(p.text)
      .map((s) => p.text.slice(s.start, s.end).replace(/\s+/g, " ").trim())
      .filter((s) => s !== "");
    let pool = byCorpus.get(p.corpus);
    if (!pool) byCorpus.set(p.corpus, (pool = { sentences: [], passage: [] }));
    for (const s of sentences) {
      pool.sentences.push(s);
      pool.passage.push(index);
    }
    return { corpus: p.corpus, sentences: sentences.length, vector: p.vector };
  });
  if (out.every((p) => p.sentences === 0)) throw new Error("no real sentences to compose from");
  return { passages: out, byCorpus };
}

/** One new chunk of real sentences, in the shape of a random real chunk (see the description). */
export function composeChunk(pool: SentencePool, rng: Rng): ComposedChunk {
  let template = pool.passages[rng.int(pool.passages.length)]!;
  while (template.sentences === 0) template = pool.passages[rng.int(pool.passages.length)]!;
  const { sentences, passage } = pool.byCorpus.get(template.corpus)!;
  const dimension = template.vector.length;
  const vector = new Float32Array(dimension);
  const parts: string[] = [];
  let length = 0;
  for (let n = 0; n < template.sentences; n++) {
    const pick = rng.int(sentences.length);
    const sentence = sentences[pick]!;
    if (parts.length > 0 && length + 1 + sentence.length > MAX_COMPOSED_CHARS) break;
    parts.push(sentence);
    length += (parts.length > 1 ? 1 : 0) + sentence.length;
    const from = pool.passages[passage[pick]!]!.vector;
    for (let i = 0; i < dimension; i++) vector[i] = vector[i]! + sentence.length * from[i]!;
  }
  // The noise is relative to a unit vector, so the sum is scaled to one first.
  scaleToUnit(vector);
  for (let i = 0; i < dimension; i++) vector[i] = vector[i]! + NOISE_SIGMA * rng.gaussian();
  scaleToUnit(vector);
  return { corpus: template.corpus, text: parts.join(" "), vector, sentences: parts.length };
}

function scaleToUnit(vector: Float32Array): void {
  let norm = 0;
  for (const x of vector) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < vector.length; i++) vector[i] = vector[i]! / norm;
}
