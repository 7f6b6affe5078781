import { and, eq, inArray, isNotNull, isNull } from "drizzle-orm";
import type { Database } from "./client.ts";
import { currentVersionOfChunk, presentDocumentOfVersion } from "./current-chunks.ts";
import { chunks, documents, documentVersions, sources } from "./schema/index.ts";

/** Stored text and hash of versions, keyed by id: what a quote is verified against. */
export async function readVersionTexts(
  db: Database,
  versionIds: string[],
): Promise<Map<string, { text: string; sha256: string }>> {
  if (versionIds.length === 0) return new Map();
  const rows = await db
    .select({
      id: documentVersions.id,
      text: documentVersions.text,
      sha256: documentVersions.textSha256,
    })
    .from(documentVersions)
    .where(inArray(documentVersions.id, versionIds));
  return new Map(rows.map((r) => [r.id, { text: r.text, sha256: r.sha256 }]));
}

/**
 * Searchable chunks by id with the provenance a citation carries (version, document, source)
 * and their stored vectors. A chunk superseded or removed since it was found (an ingest ran
 * between the index read and this query, or the vector index lags the store) is left out, so
 * an answer cites one version of a document, current in one snapshot: never two, never a
 * removed one.
 */
export async function readChunksWithProvenance(db: Database, chunkIds: string[]) {
  if (chunkIds.length === 0) return [];
  return db
    .select({
      chunkId: chunks.id,
      versionId: chunks.versionId,
      documentId: documents.id,
      sourceId: documents.sourceId,
      sourceName: sources.name,
      title: documents.title,
      path: documents.path,
      uri: sources.uri,
      trust: sources.trust,
      start: chunks.start,
      end: chunks.end,
      text: chunks.text,
      sha256: chunks.sha256,
      suspectedInjection: chunks.suspectedInjection,
      embedding: chunks.embedding,
    })
    .from(chunks)
    .innerJoin(documentVersions, currentVersionOfChunk)
    .innerJoin(documents, presentDocumentOfVersion)
    .innerJoin(sources, eq(sources.id, documents.sourceId))
    .where(inArray(chunks.id, chunkIds));
}

/** Which of these chunks were flagged at ingest as suspected prompt injection. */
export async function readSuspectedInjections(
  db: Database,
  chunkIds: string[],
): Promise<Set<string>> {
  if (chunkIds.length === 0) return new Set();
  const rows = await db
    .select({ id: chunks.id })
    .from(chunks)
    .where(and(inArray(chunks.id, chunkIds), eq(chunks.suspectedInjection, true)));
  return new Set(rows.map((r) => r.id));
}

/** The languages the searchable documents are written in (those detected at ingest). */
export async function readCorpusLanguages(db: Database): Promise<Set<string>> {
  const rows = await db
    .selectDistinct({ language: documentVersions.language })
    .from(documentVersions)
    .innerJoin(documents, presentDocumentOfVersion)
    .where(and(isNull(documentVersions.supersededAt), isNotNull(documentVersions.language)));
  return new Set(rows.flatMap((r) => (r.language ? [r.language] : [])));
}

/** The source of every searchable chunk (current version of a present document). */
export async function readSearchableChunkSources(db: Database) {
  return db
    .select({ id: chunks.id, sourceId: documents.sourceId })
    .from(chunks)
    .innerJoin(documentVersions, currentVersionOfChunk)
    .innerJoin(documents, presentDocumentOfVersion);
}

/** Every searchable chunk with its source, stored vector and the model that made it. */
export async function readSearchableChunkVectors(db: Database) {
  return db
    .select({
      id: chunks.id,
      sourceId: documents.sourceId,
      embedding: chunks.embedding,
      model: chunks.embeddingModel,
    })
    .from(chunks)
    .innerJoin(documentVersions, currentVersionOfChunk)
    .innerJoin(documents, presentDocumentOfVersion);
}
