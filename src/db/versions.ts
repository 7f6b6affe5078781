import { and, asc, eq, gte, inArray, isNull, lte } from "drizzle-orm";
import type { Database } from "./client.ts";
import {
  answers,
  chunks,
  documents,
  documentVersions,
  ingestRuns,
  sources,
} from "./schema/index.ts";

/** A version as listed: everything but its text. */
const versionColumns = {
  id: documentVersions.id,
  version: documentVersions.version,
  textSha256: documentVersions.textSha256,
  rawSha256: documentVersions.rawSha256,
  mediaType: documentVersions.mediaType,
  byteLength: documentVersions.byteLength,
  language: documentVersions.language,
  ingestedAt: documentVersions.ingestedAt,
  ingestedBy: documentVersions.ingestedBy,
  ingestRunId: documentVersions.ingestRunId,
  supersededAt: documentVersions.supersededAt,
};

/**
 * A document of `tenant` with every version, oldest first; null when there is no such document
 * or it is another tenant's. Removed documents and sources are listed too: their versions stay.
 */
export async function readDocumentVersions(db: Database, documentId: string, tenant: string) {
  const [found] = await db
    .select({ document: documents, source: sources })
    .from(documents)
    .innerJoin(sources, eq(sources.id, documents.sourceId))
    .where(and(eq(documents.id, documentId), eq(sources.tenant, tenant)));
  if (!found) return null;
  const versions = await db
    .select(versionColumns)
    .from(documentVersions)
    .where(eq(documentVersions.documentId, documentId))
    .orderBy(asc(documentVersions.version));
  return { ...found, versions };
}

/**
 * Versions whose source files are to be checked, with where each came from: the manifest of the
 * run that stored it (null when no run is recorded). Without `all`, only the searchable corpus:
 * current versions of present documents of present sources.
 */
export async function readVersionsToVerify(
  db: Database,
  options: { all?: boolean; tenant?: string } = {},
) {
  const conditions = [];
  if (!options.all)
    conditions.push(
      isNull(documentVersions.supersededAt),
      isNull(documents.removedAt),
      isNull(sources.removedAt),
    );
  if (options.tenant !== undefined) conditions.push(eq(sources.tenant, options.tenant));
  return db
    .select({
      ...versionColumns,
      redactions: documentVersions.redactions,
      documentId: documents.id,
      path: documents.path,
      documentRemovedAt: documents.removedAt,
      sourceId: sources.id,
      tenant: sources.tenant,
      sourceRemovedAt: sources.removedAt,
      manifestPath: ingestRuns.manifestPath,
    })
    .from(documentVersions)
    .innerJoin(documents, eq(documents.id, documentVersions.documentId))
    .innerJoin(sources, eq(sources.id, documents.sourceId))
    .leftJoin(ingestRuns, eq(ingestRuns.id, documentVersions.ingestRunId))
    .where(and(...conditions))
    .orderBy(asc(sources.id), asc(documents.path), asc(documentVersions.version));
}

/** The manifest the run `runId` ingested, absolute; null for no run or a run without one. */
export async function readRunManifestPath(
  db: Database,
  runId: string | null,
): Promise<string | null> {
  if (runId === null) return null;
  const [row] = await db
    .select({ manifestPath: ingestRuns.manifestPath })
    .from(ingestRuns)
    .where(eq(ingestRuns.id, runId));
  return row?.manifestPath ?? null;
}

/** An answer of `tenant` (null for none, or another tenant's) with its threshold. */
export async function readAnswerThreshold(db: Database, answerId: string, tenant: string) {
  const [row] = await db
    .select({ threshold: answers.threshold })
    .from(answers)
    .where(and(eq(answers.id, answerId), eq(answers.tenant, tenant)));
  return row ?? null;
}

/** The current version of each of these documents (a document without one is left out). */
export async function readCurrentVersions(db: Database, documentIds: string[]) {
  if (documentIds.length === 0) return new Map<string, typeof documentVersions.$inferSelect>();
  const rows = await db
    .select()
    .from(documentVersions)
    .where(
      and(inArray(documentVersions.documentId, documentIds), isNull(documentVersions.supersededAt)),
    );
  return new Map(rows.map((r) => [r.documentId, r]));
}

/** The chunks of a version that hold the span `start`..`end` whole, first by ordinal. */
export async function readChunkHolding(
  db: Database,
  versionId: string,
  span: { start: number; end: number },
) {
  const [row] = await db
    .select()
    .from(chunks)
    .where(
      and(
        eq(chunks.versionId, versionId),
        lte(chunks.start, span.start),
        gte(chunks.end, span.end),
      ),
    )
    .orderBy(asc(chunks.ordinal))
    .limit(1);
  return row ?? null;
}
