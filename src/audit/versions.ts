import type { Database } from "../db/client.ts";
import { readDocumentVersions } from "../db/versions.ts";
import type { DocumentRow } from "../db/schema/index.ts";
import type { DocumentRef, DocumentVersions } from "./schema.ts";

/**
 * A document's version history: each version's hashes, when and by whom (and which run) it was
 * ingested and when it was superseded. Null for a missing document or another tenant's.
 */
export async function listDocumentVersions(
  db: Database,
  documentId: string,
  tenant: string,
): Promise<DocumentVersions | null> {
  const found = await readDocumentVersions(db, documentId, tenant);
  if (!found) return null;
  const { document, source, versions } = found;
  return {
    document: describeDocument(document),
    source: {
      id: source.id,
      name: source.name,
      uri: source.uri,
      removedAt: source.removedAt?.toISOString() ?? null,
    },
    versions: versions.map((v) => ({
      id: v.id,
      version: v.version,
      status: v.supersededAt ? ("superseded" as const) : ("current" as const),
      sha256: v.textSha256,
      rawSha256: v.rawSha256,
      mediaType: v.mediaType,
      byteLength: v.byteLength,
      language: v.language,
      ingestedAt: v.ingestedAt.toISOString(),
      ingestedBy: v.ingestedBy,
      ingestRunId: v.ingestRunId,
      supersededAt: v.supersededAt?.toISOString() ?? null,
    })),
  };
}

/** A stored document as traces and version listings name it. */
export function describeDocument(document: DocumentRow): DocumentRef {
  return {
    id: document.id,
    path: document.path,
    title: document.title,
    removedAt: document.removedAt?.toISOString() ?? null,
  };
}
