import { and, eq, gt, inArray, isNull, ne } from "drizzle-orm";
import type { Database } from "../src/db/client.ts";
import { chunks, documents, documentVersions } from "../src/db/schema/index.ts";
import type { Embedder } from "../src/retrieval/embedder.ts";
import { vectorsByHash } from "./persist.ts";
import { timeSlicer } from "./time-slice.ts";

/** Chunks re-embedded per transaction: a stopped run loses at most one batch's embedding. */
const BATCH = 256;

export type Reembedded = {
  /** Chunks that now carry this model's vector. */
  chunks: number;
  /** Of those, the texts the encoder ran on (the rest had this model's vector under another chunk). */
  embedded: number;
  embedMs: number;
  persistMs: number;
};

/**
 * Give the searchable chunks of these sources that another model embedded this model's vectors.
 * A corpus is searched with one model's vectors, never a mix, so after the encoder changes an
 * unchanged file would otherwise be found by BM25 alone. A batch per transaction: a run stopped
 * midway leaves every chunk with one model's whole vector, and the next run goes on from there.
 * Superseded versions keep the vectors they were searched with.
 */
export async function reembedOtherModels(
  db: Database,
  embedder: Embedder,
  sourceIds: readonly string[],
  signal?: AbortSignal,
): Promise<Reembedded> {
  const done: Reembedded = { chunks: 0, embedded: 0, embedMs: 0, persistMs: 0 };
  if (sourceIds.length === 0) return done;
  const model = embedder.modelId;
  const turn = timeSlicer();
  for (let after = ""; ;) {
    signal?.throwIfAborted();
    await turn();
    const rows = await db
      .select({ id: chunks.id, sha256: chunks.sha256, text: chunks.text })
      .from(chunks)
      .innerJoin(
        documentVersions,
        and(eq(documentVersions.id, chunks.versionId), isNull(documentVersions.supersededAt)),
      )
      .innerJoin(
        documents,
        and(eq(documents.id, documentVersions.documentId), isNull(documents.removedAt)),
      )
      .where(
        and(
          inArray(documents.sourceId, [...sourceIds]),
          ne(chunks.embeddingModel, model),
          gt(chunks.id, after),
        ),
      )
      .orderBy(chunks.id)
      .limit(BATCH);
    if (rows.length === 0) return done;
    after = rows[rows.length - 1]!.id;

    let t = performance.now();
    const { vectors, embedded } = await vectorsByHash(db, embedder, rows);
    done.embedMs += performance.now() - t;

    t = performance.now();
    await db.transaction(async (tx) => {
      for (const row of rows) {
        await tx
          .update(chunks)
          .set({ embedding: vectors.get(row.sha256)!, embeddingModel: model })
          .where(eq(chunks.id, row.id));
      }
    });
    done.persistMs += performance.now() - t;
    done.chunks += rows.length;
    done.embedded += embedded;
  }
}
