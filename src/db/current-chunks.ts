import { and, eq, isNull } from "drizzle-orm";
import { chunks, documents, documentVersions } from "./schema/index.ts";

/**
 * Join conditions that keep only searchable chunks: those of a document's current version, of a
 * document still present in its source. Superseded and removed text stays stored for citations.
 */
export const currentVersionOfChunk = and(
  eq(documentVersions.id, chunks.versionId),
  isNull(documentVersions.supersededAt),
);
export const presentDocumentOfVersion = and(
  eq(documents.id, documentVersions.documentId),
  isNull(documents.removedAt),
);
