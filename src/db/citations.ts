import { and, asc, eq } from "drizzle-orm";
import type { Database } from "./client.ts";
import {
  answers,
  chunks,
  citations,
  documents,
  documentVersions,
  sources,
} from "./schema/index.ts";

/** Citations with everything they point at: the answer's threshold, chunk, version, document, source. */
function selectCitationEvidence(db: Database) {
  return db
    .select({
      citation: citations,
      threshold: answers.threshold,
      chunk: chunks,
      version: documentVersions,
      document: documents,
      source: sources,
    })
    .from(citations)
    .innerJoin(answers, eq(answers.id, citations.answerId))
    .innerJoin(chunks, eq(chunks.id, citations.chunkId))
    .innerJoin(documentVersions, eq(documentVersions.id, citations.versionId))
    .innerJoin(documents, eq(documents.id, documentVersions.documentId))
    .innerJoin(sources, eq(sources.id, documents.sourceId));
}

/** One of those rows. */
export type CitationEvidence = Awaited<ReturnType<typeof readAnswerCitations>>[number];

/**
 * A stored citation with everything it points at. Null when there is no such citation, or when
 * its answer is not `tenant`'s.
 */
export async function readCitationWithEvidence(db: Database, id: string, tenant: string) {
  const [row] = await selectCitationEvidence(db).where(
    and(eq(citations.id, id), eq(answers.tenant, tenant)),
  );
  return row ?? null;
}

/** An answer's citations in order, each with what it points at. */
export function readAnswerCitations(db: Database, answerId: string) {
  return selectCitationEvidence(db)
    .where(eq(citations.answerId, answerId))
    .orderBy(asc(citations.ordinal));
}
