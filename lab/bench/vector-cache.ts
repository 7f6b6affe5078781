import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Embedder } from "../../src/retrieval/embedder.ts";

/** Texts per embedDocuments call: each batch is appended to the cache as soon as it is done. */
const BATCH = 256;
const DIGEST_BYTES = 32;

export type EmbeddingStats = { texts: number; cached: number; embedded: number; embed_ms: number };

/**
 * The file of one model's vectors under `dir`: records of (sha256 of the text, dimension float32
 * little-endian), appended batch by batch. A text is embedded once ever per model: a crash loses
 * at most the batch in flight (a cut last record is ignored when the file is read).
 */
export function vectorCacheFile(dir: string, embedder: Pick<Embedder, "modelId" | "dimension">) {
  const safe = embedder.modelId.replace(/[^a-zA-Z0-9.@_-]/g, "_");
  return join(dir, `${safe}-${embedder.dimension}.vectors`);
}

export function textDigest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** The cached vectors of one model, by hex sha256 of the text. */
export async function readVectorCache(
  file: string,
  dimension: number,
): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  if (!existsSync(file)) return out;
  const bytes = await readFile(file);
  const record = DIGEST_BYTES + dimension * 4;
  for (let at = 0; at + record <= bytes.length; at += record) {
    const key = bytes.toString("hex", at, at + DIGEST_BYTES);
    const vector = new Float32Array(dimension);
    for (let i = 0; i < dimension; i++) vector[i] = bytes.readFloatLE(at + DIGEST_BYTES + i * 4);
    out.set(key, vector);
  }
  return out;
}

export function encodeVectorRecords(entries: { digest: Buffer; vector: Float32Array }[]): Buffer {
  if (entries.length === 0) return Buffer.alloc(0);
  const dimension = entries[0]!.vector.length;
  const record = DIGEST_BYTES + dimension * 4;
  const out = Buffer.alloc(entries.length * record);
  entries.forEach(({ digest, vector }, n) => {
    if (vector.length !== dimension) throw new Error("vectors of different dimensions");
    digest.copy(out, n * record);
    vector.forEach((x, i) => out.writeFloatLE(x, n * record + DIGEST_BYTES + i * 4));
  });
  return out;
}

/**
 * The embedder's vector of every text, in order: from the cache under `dir` when it has one for
 * this model and text, else embedded (in batches, each added to the cache at once).
 */
export async function embedWithCache(
  embedder: Embedder,
  texts: string[],
  options: { dir: string; log: (message: string) => void },
): Promise<{ vectors: Float32Array[]; stats: EmbeddingStats }> {
  await mkdir(options.dir, { recursive: true });
  const file = vectorCacheFile(options.dir, embedder);
  const cache = await readVectorCache(file, embedder.dimension);
  const digests = texts.map(textDigest);
  const missing = new Map<string, { text: string; digest: Buffer }>();
  digests.forEach((digest, i) => {
    const key = digest.toString("hex");
    if (!cache.has(key)) missing.set(key, { text: texts[i]!, digest });
  });
  const todo = [...missing.values()];
  const started = performance.now();
  if (todo.length > 0)
    options.log(`embedding ${todo.length} texts with ${embedder.modelId} (cached once for good)`);
  for (let at = 0; at < todo.length; at += BATCH) {
    const batch = todo.slice(at, at + BATCH);
    const vectors = await embedder.embedDocuments(batch.map((t) => t.text));
    const entries = batch.map((t, i) => ({ digest: t.digest, vector: vectors[i]! }));
    await appendFile(file, encodeVectorRecords(entries));
    for (const e of entries) cache.set(e.digest.toString("hex"), e.vector);
    const done = at + batch.length;
    const perS = (done * 1000) / (performance.now() - started);
    options.log(
      `embedded ${done}/${todo.length} (${perS.toFixed(1)}/s, ~${Math.round((todo.length - done) / perS)} s left)`,
    );
  }
  return {
    vectors: digests.map((d) => cache.get(d.toString("hex"))!),
    stats: {
      texts: texts.length,
      cached: texts.length - todo.length,
      embedded: todo.length,
      embed_ms: Math.round(performance.now() - started),
    },
  };
}
