import { join } from "node:path";
import type { Database } from "../db/client.ts";
import { readCorpusState } from "../db/corpus-state.ts";
import {
  readCorpusLanguages,
  readSearchableChunkSources,
  readSearchableChunkVectors,
} from "../db/documents.ts";
import type { Embedder } from "./embedder.ts";
import { buildLexicalIndex } from "./lexical-index-build.ts";
import type { LexicalIndex } from "./lexical-index.ts";
import { buildVectorIndex, loadVectorIndex, type VectorIndex } from "./vector-index.ts";

/** The ANN index plus what filtering needs: which source and tenant each indexed chunk belongs to. */
export type SearchableIndex = {
  index: VectorIndex;
  sourceOf: Map<string, string>;
  /** The tenant of each indexed chunk's source: searches admit only the caller's. */
  tenantOf: Map<string, string>;
  /**
   * Each tenant's languages (of its indexed documents); a tenant has none when none was recorded
   * (an older store). Per tenant: a refusal naming them must not tell another tenant's.
   */
  languagesOf: ReadonlyMap<string, ReadonlySet<string>>;
  /** The in-memory BM25 index of the same corpus state (VERITY_LEXICAL=memory), else null. */
  lexical: LexicalIndex | null;
  rebuilt: boolean;
  /** Why the saved index was not used (missing, stale, truncated, ...); null when it was. */
  rebuiltBecause: string | null;
};

export function indexDir(dataDir: string): string {
  return join(dataDir, "index");
}

/**
 * Open the vector index for the corpus as it is now: load the persisted one when its manifest
 * matches the database state, otherwise rebuild it from the stored vectors and save it.
 */
export async function openSearchableIndex(
  db: Database,
  dataDir: string,
  embedder: Pick<Embedder, "modelId" | "dimension">,
  options: { lexical?: boolean } = {},
): Promise<SearchableIndex> {
  const state = await readCorpusState(db);
  const expected = {
    model: embedder.modelId,
    dimension: embedder.dimension,
    count: state.chunkCount,
    fingerprint: state.fingerprint,
  };
  const dir = indexDir(dataDir);
  let rebuiltBecause: string | null = null;
  const loaded = await loadVectorIndex(dir, expected, {
    onReject: (reason) => (rebuiltBecause = reason),
  });
  const languagesOf = await readCorpusLanguages(db);
  // Read after the corpus state: a change in between shows as a new fingerprint next check.
  const lexical = options.lexical ? await buildLexicalIndex(db) : null;
  if (loaded) {
    const rows = await readSearchableChunkSources(db);
    return {
      index: loaded,
      sourceOf: new Map(rows.map((r) => [r.id, r.sourceId])),
      tenantOf: new Map(rows.map((r) => [r.id, r.tenant])),
      languagesOf,
      lexical,
      rebuilt: false,
      rebuiltBecause: null,
    };
  }
  const rows = await readSearchableChunkVectors(db);
  // Chunks embedded by another model cannot share this index; they are re-embedded on ingest.
  const usable = rows.filter((r) => r.model === embedder.modelId);
  const index = buildVectorIndex(
    usable.map((r) => ({ chunkId: r.id, vector: Float32Array.from(r.embedding) })),
    { model: embedder.modelId, dimension: embedder.dimension, fingerprint: state.fingerprint },
  );
  await index.save(dir);
  return {
    index,
    sourceOf: new Map(usable.map((r) => [r.id, r.sourceId])),
    tenantOf: new Map(usable.map((r) => [r.id, r.tenant])),
    languagesOf,
    lexical,
    rebuilt: true,
    rebuiltBecause,
  };
}
