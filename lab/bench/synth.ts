import { sha256 } from "../../src/hash.ts";
import { stableId } from "../../src/ids.ts";
import { splitSentences } from "../../src/text/sentences.ts";
import type { DocumentBundle } from "./bundle.ts";
import type { StoredChunk } from "./chunks.ts";
import type { SourceInsert } from "./copy-real.ts";
import { shuffled, type Rng } from "../shared/rng.ts";

/** Bump when the generator changes, so cached stores built by an older one are not reused. */
export const GENERATOR_VERSION = 2;

const SYNTHETIC_SOURCE_COUNT = 20;
const CHUNKS_PER_DOCUMENT = 2;
/** Weight of the vector of the chunk that lends the extra sentence. */
const BORROWED_WEIGHT = 0.25;
/** Per-dimension standard deviation of the Gaussian noise (512 dims: noise norm ~0.23). */
const NOISE_SIGMA = 0.01;

export const SYNTHETIC_DESCRIPTION =
  `synthetic vectors derived from the stored USE-lite vectors of the real SQuAD chunks: ` +
  `each synthetic chunk is a real chunk's sentences, shuffled, plus one sentence of another ` +
  `real chunk; its vector is unit(base + ${BORROWED_WEIGHT} * lender + N(0, ${NOISE_SIGMA}^2) per dim), seeded. ` +
  `Every real sentence recurs many times, so BM25 candidate lists are longer than in a natural corpus of that size`;

export const SYNTHETIC_SOURCES: SourceInsert[] = Array.from(
  { length: SYNTHETIC_SOURCE_COUNT },
  (_, i) => ({
    id: sourceId(i),
    name: `Synthetic ${i}`,
    publisher: "verity bench (synthetic, from SQuAD 2.0 sentences)",
    uri: `https://bench.invalid/synthetic/${i}`,
    license: "CC-BY-SA-4.0",
    trust: "community" as const,
  }),
);

type PoolEntry = { sentences: string[]; vector: Float32Array };

/**
 * `count` synthetic chunks, two per document, spread over the synthetic sources. Each chunk is
 * an exact span of its version's text and hashed like a real one, so verification treats it
 * like any other chunk.
 */
export function* synthesiseBundles(
  real: StoredChunk[],
  count: number,
  options: { rng: Rng; modelId: string },
): Generator<DocumentBundle> {
  if (count <= 0) return;
  if (real.length === 0) throw new Error("no real chunks to derive synthetic ones from");
  const pool: PoolEntry[] = real.map((c) => ({
    sentences: splitSentences(c.text).map((s) => c.text.slice(s.start, s.end)),
    vector: c.vector,
  }));
  const documentCount = Math.ceil(count / CHUNKS_PER_DOCUMENT);
  for (let d = 0; d < documentCount; d++) {
    const n = Math.min(CHUNKS_PER_DOCUMENT, count - d * CHUNKS_PER_DOCUMENT);
    yield synthesiseDocument(d, n, pool, options);
  }
}

function sourceId(i: number): string {
  return `bench-synthetic-${String(i).padStart(2, "0")}`;
}

function synthesiseDocument(
  d: number,
  chunkCount: number,
  pool: PoolEntry[],
  { rng, modelId }: { rng: Rng; modelId: string },
): DocumentBundle {
  const source = sourceId(d % SYNTHETIC_SOURCE_COUNT);
  const path = `synthetic/d${String(d).padStart(6, "0")}.txt`;
  const documentId = stableId("doc", source, path);
  const versionId = stableId("ver", "bench-synthetic", String(GENERATOR_VERSION), String(d));
  let text = "";
  const spans = Array.from({ length: chunkCount }, () => {
    const part = synthesiseChunk(pool, rng);
    if (text) text += "\n\n";
    const start = text.length;
    text += part.text;
    return { ...part, start, end: text.length };
  });
  const textSha256 = sha256(text);
  return {
    document: { id: documentId, sourceId: source, path, title: `Synthetic document ${d}` },
    version: {
      id: versionId,
      documentId,
      version: 1,
      text,
      textSha256,
      rawSha256: textSha256,
      mediaType: "text/plain",
      byteLength: Buffer.byteLength(text),
      ingestedBy: "verity-bench (synthetic)",
    },
    chunks: spans.map((s, ordinal) => ({
      id: stableId("chk", versionId, String(ordinal)),
      versionId,
      ordinal,
      start: s.start,
      end: s.end,
      text: s.text,
      sha256: sha256(s.text),
      embeddingModel: modelId,
      embedding: s.vector,
    })),
  };
}

function synthesiseChunk(pool: PoolEntry[], rng: Rng): { text: string; vector: Float32Array } {
  const base = pool[rng.int(pool.length)]!;
  const lender = pool[rng.int(pool.length)]!;
  const sentences = shuffled(base.sentences, rng);
  const borrowed = lender.sentences[rng.int(lender.sentences.length)];
  if (borrowed) sentences.splice(rng.int(sentences.length + 1), 0, borrowed);
  const vector = new Float32Array(base.vector.length);
  let norm = 0;
  for (let i = 0; i < vector.length; i++) {
    const x = base.vector[i]! + BORROWED_WEIGHT * lender.vector[i]! + NOISE_SIGMA * rng.gaussian();
    vector[i] = x;
    norm += x * x;
  }
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < vector.length; i++) vector[i] = vector[i]! / norm;
  return { text: sentences.join(" "), vector };
}
