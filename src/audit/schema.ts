import { z } from "@hono/zod-openapi";

/**
 * How a stored version compares with its source file on disk now: `changed` when the file's bytes
 * no longer hash to the stored rawSha256, `text_mismatch` when they do but the stored text is not
 * what they give (the stored text was rewritten), `unknown` when no local file is known.
 */
/** A document as traces and version listings name it. */
export const DocumentRef = z.object({
  id: z.string(),
  path: z.string(),
  title: z.string(),
  removedAt: z.string().nullable(),
});
export type DocumentRef = z.infer<typeof DocumentRef>;

export const SourceFileStatus = z
  .enum(["matches", "changed", "missing", "text_mismatch", "unknown"])
  .openapi({
    description:
      "`matches`: the file still hashes to the stored rawSha256 and gives the stored text; `changed`: its bytes differ; `missing`: it is gone; `text_mismatch`: its bytes match but the stored text is not what they give (the stored text was rewritten); `unknown`: no local file is known for this version",
  });
export type SourceFileStatus = z.infer<typeof SourceFileStatus>;

export const SourceFileCheck = z
  .object({ status: SourceFileStatus, checkedAt: z.string() })
  .openapi("SourceFileCheck");
export type SourceFileCheck = z.infer<typeof SourceFileCheck>;

export const DocumentVersion = z
  .object({
    id: z.string().openapi({ example: "ver_q7n7VaZLf6GnDmw0" }),
    version: z.number().int(),
    status: z.enum(["current", "superseded"]),
    sha256: z.string().openapi({ description: "sha256 of the stored (normalised) text" }),
    rawSha256: z.string().openapi({ description: "sha256 of the source file's bytes as read" }),
    mediaType: z.string(),
    byteLength: z.number().int(),
    language: z.string().nullable(),
    ingestedAt: z.string(),
    ingestedBy: z.string(),
    ingestRunId: z.string().nullable(),
    supersededAt: z.string().nullable(),
  })
  .openapi("DocumentVersion");
export type DocumentVersion = z.infer<typeof DocumentVersion>;

export const DocumentVersions = z
  .object({
    document: DocumentRef,
    source: z.object({
      id: z.string(),
      name: z.string(),
      uri: z.string(),
      removedAt: z.string().nullable(),
    }),
    versions: z.array(DocumentVersion).openapi({ description: "Oldest first" }),
  })
  .openapi("DocumentVersions");
export type DocumentVersions = z.infer<typeof DocumentVersions>;

const Span = z.object({
  versionId: z.string(),
  version: z.number().int(),
  sha256: z.string().openapi({ description: "sha256 of that version's text" }),
  start: z.number().int(),
  end: z.number().int(),
});

export const CitationRecheckStatus = z.enum(["still_supported", "changed", "removed"]);

export const CitationRecheck = z
  .object({
    citationId: z.string(),
    status: CitationRecheckStatus.openapi({
      description:
        "`still_supported`: the document's current version still holds the quote (`current` says where) and the stored hashes verify; `changed`: it no longer does, or a stored hash no longer verifies (`failures`); `removed`: the document or its source was removed",
    }),
    sourceId: z.string(),
    documentId: z.string(),
    path: z.string(),
    quote: z.string(),
    cited: Span.openapi({ description: "The span as cited, in the version it was cited from" }),
    current: Span.extend({ chunkId: z.string().nullable() }).nullable().openapi({
      description: "Where the quote is in the current version; null unless still supported",
    }),
    failures: z.array(z.string()).openapi({
      description:
        "Why it is not still supported: a citation check (VERSION_HASH_MISMATCH, ...), QUOTE_NOT_IN_CURRENT_VERSION, CURRENT_VERSION_HASH_MISMATCH, CURRENT_CHUNK_HASH_MISMATCH, SOURCE_TEXT_MISMATCH, DOCUMENT_REMOVED or SOURCE_REMOVED",
    }),
    sourceFile: SourceFileCheck.nullable().openapi({
      description: "The current version's source file on disk; null when the document is removed",
    }),
  })
  .openapi("CitationRecheck");
export type CitationRecheck = z.infer<typeof CitationRecheck>;

export const AnswerRecheck = z
  .object({
    answerId: z.string(),
    status: z.enum(["still_supported", "changed", "removed", "no_citations"]).openapi({
      description:
        "`still_supported` when every citation is, `removed` when every one is removed, `changed` otherwise; `no_citations` for a refusal",
    }),
    checkedAt: z.string(),
    citations: z.array(CitationRecheck),
    ledgerIndex: z
      .number()
      .int()
      .openapi({ description: "Index of the ledger record holding this recheck" }),
  })
  .openapi("AnswerRecheck");
export type AnswerRecheck = z.infer<typeof AnswerRecheck>;
