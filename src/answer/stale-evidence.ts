import { sql, type SQL } from "drizzle-orm";
import type { Answered } from "./compose.ts";
import type { Answer, Citation, RefusalReason } from "./schema.ts";

/**
 * An answer cites a version that is no longer current (superseded, or its document removed), or
 * whose stored text no longer matches the hashes the answer cites: the serving index lagged a
 * change to the store (another process's ingest), or a row was altered in place. Such an answer
 * is never recorded; answering again once those versions are read again from the store is the
 * remedy (askQuestion).
 */
export class StaleEvidenceError extends Error {
  override name = "StaleEvidenceError";
  constructor(readonly versionIds: string[]) {
    super(`the answer cites versions that are no longer current: ${versionIds.join(", ")}`);
  }
}

/** The versions an answer cites, each once. */
export function citedVersions(answer: Answer): string[] {
  return [...new Set(answer.citations.map((c) => c.versionId))];
}

/** What a citation claims of the store: its version and chunk, with their hashes. */
export type CitedRows = Pick<Citation, "versionId" | "sha256" | "chunkId" | "chunkSha256">;

/** One citation's claim as a string, as confirmedCitations returns the confirmed ones. */
export function citedKey(c: CitedRows): string {
  return [c.versionId, c.sha256, c.chunkId, c.chunkSha256].join(" ");
}

/**
 * A column holding the citedKey of each of `cited` that the store confirms: its version is
 * current (not superseded, of a document not removed), and the stored version text and chunk
 * text still hash to the hashes cited. The serving process quotes from texts it loaded from the
 * store; this confirms, in the record's own statement, that the store still says the same.
 * Each version confirmed is share-locked until the transaction ends, so no ingest supersedes it
 * before the answer citing it commits. A row locked right now (an ingest superseding it) is
 * skipped rather than waited for, and so counts as not current: the record, which holds the
 * ledger lock, never waits on an ingest's transaction.
 */
export function confirmedCitations(cited: CitedRows[]): SQL<string[]> {
  if (cited.length === 0) return sql<string[]>`array[]::text[]`;
  const rows = JSON.stringify(
    cited.map((c) => ({ v: c.versionId, vs: c.sha256, c: c.chunkId, cs: c.chunkSha256 })),
  );
  const hashOf = (column: SQL) => sql`encode(sha256(convert_to(${column}, 'UTF8')), 'hex')`;
  return sql<string[]>`array(
    select concat_ws(' ', x.v, x.vs, x.c, x.cs)
    from jsonb_to_recordset(${rows}::jsonb) x(v text, vs text, c text, cs text)
    join document_versions v on v.id = x.v and v.superseded_at is null and v.text_sha256 = x.vs
    join documents d on d.id = v.document_id and d.removed_at is null
    join chunks c on c.id = x.c and c.version_id = v.id and c.sha256 = x.cs
    where ${hashOf(sql`v.text`)} = x.vs and ${hashOf(sql`c.text`)} = x.cs
    for share of v skip locked)`;
}

/** Every citation of the answers, as the record checks it against the store. */
export function citedRows(answers: Answer[]): CitedRows[] {
  return answers.flatMap((a) =>
    a.citations.map(({ versionId, sha256, chunkId, chunkSha256 }) => ({
      versionId,
      sha256,
      chunkId,
      chunkSha256,
    })),
  );
}

/**
 * The refusal to record when an answer was still stale after the index was refreshed: the
 * sources changed under it twice, so nothing it found can be cited. What it searched stays in
 * the record (`evidence`); no text of it is returned.
 */
export function refuseStaleEvidence(answered: Answered): Answered {
  const reason: RefusalReason = {
    code: "UNVERIFIED_EVIDENCE",
    message:
      "The cited sources changed while the question was being answered (an ingest is under way); ask again shortly.",
    bestScore: null,
  };
  const { answer } = answered;
  return {
    evidence: answered.evidence,
    answer: {
      ...answer,
      status: "refused",
      answer: null,
      reason,
      confidence: null,
      support: null,
      sentences: [],
      citations: [],
      parts: answer.parts.map((p) => ({
        ...p,
        status: "refused",
        reason,
        confidence: null,
        sentenceIndexes: [],
      })),
    },
  };
}
