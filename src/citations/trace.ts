import { checkVersionSourceFile, type LoadSourceText } from "../audit/source-files.ts";
import type { Database } from "../db/client.ts";
import { readCitationWithEvidence } from "../db/citations.ts";
import type { CitationTrace } from "./schema.ts";
import { describeDocument } from "../audit/versions.ts";
import { verifyStoredCitation } from "./verify.ts";

/** Characters of version text shown on each side of a quote. */
const CONTEXT_CHARS = 240;

/**
 * Everything a reviewer needs to follow a citation: the quote in its surrounding text, the exact
 * version it came from (and whether that version is still current), the source's licence and
 * trust, a fresh verification of the quote against what is stored now, and whether the version's
 * source file still gives what is stored (re-derived with `loadSourceText`; without it, its
 * bytes only). Only `tenant`'s citations are traced; another tenant's is null, as a missing one.
 */
export async function traceCitation(
  db: Database,
  id: string,
  tenant: string,
  options: { loadSourceText?: LoadSourceText } = {},
): Promise<CitationTrace | null> {
  const row = await readCitationWithEvidence(db, id, tenant);
  if (!row) return null;
  const { citation, chunk, version, document, source } = row;
  const verification = verifyStoredCitation({ citation, chunk, version }, row.threshold);
  const sourceFile = await checkVersionSourceFile(
    { db, loadSourceText: options.loadSourceText },
    version,
    document.path,
  );
  return {
    id: citation.id,
    answerId: citation.answerId,
    quote: citation.quote,
    start: citation.start,
    end: citation.end,
    score: citation.score,
    context: {
      before: version.text.slice(Math.max(0, citation.start - CONTEXT_CHARS), citation.start),
      after: version.text.slice(citation.end, citation.end + CONTEXT_CHARS),
    },
    verification,
    sourceFile,
    chunk: {
      id: chunk.id,
      ordinal: chunk.ordinal,
      start: chunk.start,
      end: chunk.end,
      sha256: chunk.sha256,
      embeddingModel: chunk.embeddingModel,
      suspectedInjection: chunk.suspectedInjection,
    },
    version: {
      id: version.id,
      version: version.version,
      status: version.supersededAt ? ("superseded" as const) : ("current" as const),
      sha256: version.textSha256,
      rawSha256: version.rawSha256,
      mediaType: version.mediaType,
      ingestedAt: version.ingestedAt.toISOString(),
      ingestedBy: version.ingestedBy,
      supersededAt: version.supersededAt?.toISOString() ?? null,
      redactions: version.redactions ?? null,
    },
    document: describeDocument(document),
    source: {
      id: source.id,
      name: source.name,
      publisher: source.publisher,
      uri: source.uri,
      license: source.license,
      trust: source.trust,
    },
  };
}
