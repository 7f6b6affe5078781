import { and, eq, inArray, isNotNull, isNull, sql } from "drizzle-orm";
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

/** Each tenant's languages: those its searchable documents are written in (detected at ingest). */
export async function readCorpusLanguages(db: Database): Promise<Map<string, Set<string>>> {
  const rows = await db
    .selectDistinct({ tenant: sources.tenant, language: documentVersions.language })
    .from(documentVersions)
    .innerJoin(documents, presentDocumentOfVersion)
    .innerJoin(sources, eq(sources.id, documents.sourceId))
    .where(and(isNull(documentVersions.supersededAt), isNotNull(documentVersions.language)));
  const byTenant = new Map<string, Set<string>>();
  for (const { tenant, language } of rows) {
    if (!language) continue;
    const set = byTenant.get(tenant) ?? new Set<string>();
    byTenant.set(tenant, set.add(language));
  }
  return byTenant;
}

/** The source of every searchable chunk (current version of a present document). */
export async function readSearchableChunkSources(db: Database) {
  return db
    .select({ id: chunks.id, sourceId: documents.sourceId, tenant: sources.tenant })
    .from(chunks)
    .innerJoin(documentVersions, currentVersionOfChunk)
    .innerJoin(documents, presentDocumentOfVersion)
    .innerJoin(sources, eq(sources.id, documents.sourceId));
}

/** Every searchable chunk with its source, stored vector and the model that made it. */
export async function readSearchableChunkVectors(db: Database) {
  return db
    .select({
      id: chunks.id,
      sourceId: documents.sourceId,
      tenant: sources.tenant,
      embedding: chunks.embedding,
      model: chunks.embeddingModel,
    })
    .from(chunks)
    .innerJoin(documentVersions, currentVersionOfChunk)
    .innerJoin(documents, presentDocumentOfVersion)
    .innerJoin(sources, eq(sources.id, documents.sourceId));
}

/** Searchable chunks flagged at ingest as reading like instructions to a model. */
export async function countSuspectedInjections(db: Database): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(chunks)
    .innerJoin(documentVersions, currentVersionOfChunk)
    .innerJoin(documents, presentDocumentOfVersion)
    .where(eq(chunks.suspectedInjection, true));
  return Number(row?.n ?? 0);
}
