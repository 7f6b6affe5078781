import { verifyStoredCitation } from "../citations/verify.ts";
import type { Database } from "../db/client.ts";
import type { ChunkRow, DocumentVersionRow } from "../db/schema/index.ts";
import { readAnswerCitations, type CitationEvidence } from "../db/citations.ts";
import { readAnswerThreshold, readChunkHolding, readCurrentVersions } from "../db/versions.ts";
import { sha256 } from "../hash.ts";
import { appendRecord, type LedgerActor } from "../ledger/append.ts";
import type { AnswerRecheck, CitationRecheck } from "./schema.ts";
import { checkVersionSourceFile, type LoadSourceText } from "./source-files.ts";

export type RecheckDeps = { db: Database; loadSourceText?: LoadSourceText };

/**
 * Re-verify a past answer's citations against the corpus as it is now, and record that in the
 * ledger (`answer.recheck`). Per citation: `still_supported` when the cited evidence still
 * verifies and the document's current version still holds the quote (at its offsets, or
 * elsewhere: `current` says where) with its hashes and its source file in agreement; `removed`
 * when the document or its source was removed; `changed` otherwise. Null when the answer is not
 * `actor.tenant`'s (or does not exist): nothing is recorded then.
 */
export async function recheckAnswer(
  deps: RecheckDeps,
  input: { answerId: string; actor: LedgerActor; requestId: string | null },
): Promise<AnswerRecheck | null> {
  const { answerId, actor } = input;
  const answer = await readAnswerThreshold(deps.db, answerId, actor.tenant);
  if (!answer) return null;
  const rows = await readAnswerCitations(deps.db, answerId);
  const current = await readCurrentVersions(deps.db, [...new Set(rows.map((r) => r.document.id))]);
  const citations: CitationRecheck[] = [];
  for (const row of rows)
    citations.push(
      await recheckCitation(deps, row, current.get(row.document.id) ?? null, answer.threshold),
    );
  const result = {
    status: overallStatus(citations),
    checkedAt: new Date().toISOString(),
    citations,
  };
  const appended = await appendRecord(deps.db, {
    kind: "answer.recheck",
    actor,
    requestId: input.requestId,
    subject: answerId,
    payload: () => ({ answerId, result }),
  });
  return { answerId, ...result, ledgerIndex: appended.index };
}

export function overallStatus(
  citations: Pick<CitationRecheck, "status">[],
): AnswerRecheck["status"] {
  if (citations.length === 0) return "no_citations";
  if (citations.every((c) => c.status === "still_supported")) return "still_supported";
  if (citations.every((c) => c.status === "removed")) return "removed";
  return "changed";
}

async function recheckCitation(
  deps: RecheckDeps,
  { citation, chunk, version, document, source }: CitationEvidence,
  now: DocumentVersionRow | null,
  threshold: number,
): Promise<CitationRecheck> {
  const base = {
    citationId: citation.id,
    sourceId: source.id,
    documentId: document.id,
    path: document.path,
    quote: citation.quote,
    cited: {
      versionId: version.id,
      version: version.version,
      sha256: citation.versionSha256,
      start: citation.start,
      end: citation.end,
    },
  };
  const gone = [
    ...(source.removedAt ? ["SOURCE_REMOVED"] : []),
    ...(document.removedAt || !now ? ["DOCUMENT_REMOVED"] : []),
  ];
  if (gone.length > 0 || !now)
    return { ...base, status: "removed", current: null, failures: gone, sourceFile: null };

  const { failures } = verifyStoredCitation({ citation, chunk, version }, threshold);
  const problems: string[] = [...failures];
  const span = findQuote(now.text, citation.quote, citation.start);
  let holding: ChunkRow | null = null;
  if (!span) problems.push("QUOTE_NOT_IN_CURRENT_VERSION");
  else {
    if (sha256(now.text) !== now.textSha256) problems.push("CURRENT_VERSION_HASH_MISMATCH");
    holding = await readChunkHolding(deps.db, now.id, span);
    if (holding && !chunkVerifies(holding, now.text)) problems.push("CURRENT_CHUNK_HASH_MISMATCH");
  }
  const sourceFile = await checkVersionSourceFile(deps, now, document.path);
  // The stored text is not what its own file gives: the quote cannot be trusted to be the source's.
  if (sourceFile.status === "text_mismatch") problems.push("SOURCE_TEXT_MISMATCH");

  if (problems.length > 0 || !span)
    return { ...base, status: "changed", current: null, failures: problems, sourceFile };
  return {
    ...base,
    status: "still_supported",
    current: {
      versionId: now.id,
      version: now.version,
      sha256: now.textSha256,
      start: span.start,
      end: span.end,
      chunkId: holding?.id ?? null,
    },
    failures: [],
    sourceFile,
  };
}

/**
 * Where `quote` is in `text`: at `start` when it is still there, else the occurrence nearest to
 * it (text moved by an edit above it); null when the text no longer holds it.
 */
export function findQuote(
  text: string,
  quote: string,
  start: number,
): { start: number; end: number } | null {
  if (quote.length === 0) return null;
  let best = -1;
  for (let i = text.indexOf(quote); i !== -1; i = text.indexOf(quote, i + 1)) {
    if (best === -1 || Math.abs(i - start) < Math.abs(best - start)) best = i;
    if (i >= start) break;
  }
  return best === -1 ? null : { start: best, end: best + quote.length };
}

const chunkVerifies = (chunk: ChunkRow, versionText: string) =>
  sha256(chunk.text) === chunk.sha256 && versionText.slice(chunk.start, chunk.end) === chunk.text;
