import { and, eq } from "drizzle-orm";
import type { Database } from "./client.ts";
import {
  answers,
  chunks,
  citations,
  documents,
  documentVersions,
  sources,
} from "./schema/index.ts";

/**
 * A stored citation with everything it points at: the answer's threshold, the chunk, the exact
 * version, its document and source. Null when there is no such citation, or when its answer is
 * not `tenant`'s.
 */
export async function readCitationWithEvidence(db: Database, id: string, tenant: string) {
  const [row] = await db
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
    .innerJoin(sources, eq(sources.id, documents.sourceId))
    .where(and(eq(citations.id, id), eq(answers.tenant, tenant)));
  return row ?? null;
}
