import { asc } from "drizzle-orm";
import type { Database } from "../../src/db/client.ts";
import { chunks, documents, documentVersions } from "../../src/db/schema/index.ts";
import { currentVersionOfChunk, presentDocumentOfVersion } from "../../src/db/current-chunks.ts";

export type StoredChunk = { id: string; sha256: string; text: string; vector: Float32Array };

/** Every searchable chunk with its stored vector, in a stable order. */
export async function readCurrentChunks(db: Database): Promise<StoredChunk[]> {
  const rows = await db
    .select({
      id: chunks.id,
      sha256: chunks.sha256,
      text: chunks.text,
      embedding: chunks.embedding,
    })
    .from(chunks)
    .innerJoin(documentVersions, currentVersionOfChunk)
    .innerJoin(documents, presentDocumentOfVersion)
    .orderBy(asc(documents.sourceId), asc(documents.path), asc(chunks.ordinal));
  return rows.map((r) => ({
    id: r.id,
    sha256: r.sha256,
    text: r.text,
    vector: r.embedding,
  }));
}
