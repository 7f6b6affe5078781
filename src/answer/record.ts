import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { answers, citations } from "../db/schema/index.ts";
import { appendInTransaction, type LedgerActor } from "../ledger/append.ts";
import { canonicalJson } from "../ledger/canonical-json.ts";
import type { IndexState } from "../retrieval/hnsw.ts";
import type { ReviewReason } from "../review/queue.ts";
import type { Answered, Evidence } from "./compose.ts";
import type { Answer, RecordedAnswer } from "./schema.ts";

/** Who asked, with what filter, in which request; and whether a person should review the answer. */
export type Asked = LedgerActor & {
  sourceIds: string[] | null;
  requestId: string | null;
  reviewReason: ReviewReason | null;
};

/** Scored sentences kept in the record besides the cited ones: enough to see what lost, and why. */
const RECORDED_SENTENCES = 10;

/**
 * Record an answer: its ledger record (the exact body returned, and what it was built from), its
 * row and its citations, in one transaction, so every reply has its record and no record exists
 * without its reply. Returns the body to send, byte for byte what the ledger holds.
 */
export async function recordAnswer(
  db: Database,
  answered: Answered,
  asked: Asked,
  index: IndexState,
): Promise<{ answer: RecordedAnswer; body: string }> {
  const { answer, evidence } = answered;
  return db.transaction(async (txn) => {
    const tx = txn as unknown as Database;
    let recorded: RecordedAnswer | undefined;
    const appended = await appendInTransaction(tx, {
      kind: "answer",
      actor: { tenant: asked.tenant, keyId: asked.keyId },
      requestId: asked.requestId,
      subject: answer.id,
      payload: (ledgerIndex) => {
        recorded = { ...answer, ledger: { index: ledgerIndex } };
        return {
          response: recorded,
          request: { question: answer.question, sourceIds: asked.sourceIds },
          builtFrom: describeEvidence(evidence, answer, index),
          queuedForReview: asked.reviewReason,
        };
      },
    });
    const body = canonicalJson(recorded);
    await tx.insert(answers).values({
      id: answer.id,
      question: answer.question,
      sourceIds: asked.sourceIds,
      status: answer.status,
      answer: answer.answer,
      reasonCode: answer.reason?.code ?? null,
      reasonMessage: answer.reason?.message ?? null,
      threshold: answer.policy.threshold,
      response: recorded,
      body,
      ledgerIndex: appended.index,
      policyHash: answer.policy.hash,
      reviewReason: asked.reviewReason,
      tenant: asked.tenant,
      keyId: asked.keyId,
      createdAt: new Date(answer.createdAt),
    });
    if (answer.citations.length > 0) {
      await tx.insert(citations).values(
        answer.citations.map((c, ordinal) => ({
          id: c.id,
          answerId: answer.id,
          ordinal,
          chunkId: c.chunkId,
          versionId: c.versionId,
          start: c.start,
          end: c.end,
          quote: c.quote,
          chunkSha256: c.chunkSha256,
          versionSha256: c.sha256,
          score: c.score,
        })),
      );
    }
    return { answer: recorded!, body };
  });
}

/**
 * What an answer was built from, as the ledger keeps it: every retrieved candidate with its
 * scores and hashes, the best scored sentences, the cited versions and chunks, the policy and
 * the index searched. Enough to replay the decision, never the texts themselves (the store has
 * them, under the hashes recorded here).
 */
function describeEvidence(evidence: Evidence, answer: Answer, index: IndexState) {
  return {
    candidates: evidence.retrieval.candidates.map((c) => ({
      chunkId: c.chunkId,
      versionId: c.versionId,
      chunkSha256: c.sha256,
      lexicalScore: c.lexicalScore,
      lexicalRank: c.lexicalRank,
      denseSimilarity: c.denseSimilarity,
      fusedScore: c.fusedScore,
    })),
    sentences: evidence.sentences.slice(0, RECORDED_SENTENCES).map((s) => ({
      versionId: s.candidate.versionId,
      start: s.start,
      end: s.end,
      score: s.score,
      heuristicScore: s.heuristicScore,
    })),
    cited: answer.citations.map((c) => ({
      citationId: c.id,
      versionId: c.versionId,
      versionSha256: c.sha256,
      chunkId: c.chunkId,
      chunkSha256: c.chunkSha256,
    })),
    policyHash: answer.policy.hash,
    embeddingModel: answer.policy.embeddingModel,
    index: { model: index.model, chunks: index.count, fingerprint: index.fingerprint },
  };
}

/**
 * The stored answer body exactly as it was returned, if it is `tenant`'s (another tenant's is as
 * missing as none). Answers recorded before the ledger have no stored body: theirs is rebuilt
 * from the stored response, never re-parsed with today's schema.
 */
export async function findAnswerBody(
  db: Database,
  id: string,
  tenant: string,
): Promise<string | null> {
  const [row] = await db
    .select({ body: answers.body, response: answers.response })
    .from(answers)
    .where(and(eq(answers.id, id), eq(answers.tenant, tenant)));
  if (!row) return null;
  return row.body ?? JSON.stringify(row.response);
}

/** Where an answer of `tenant` sits in the ledger, with its body; null if none (or another's). */
export async function findRecordedAnswer(
  db: Database,
  id: string,
  tenant: string,
): Promise<{ ledgerIndex: number | null; body: string | null } | null> {
  const [row] = await db
    .select({ ledgerIndex: answers.ledgerIndex, body: answers.body })
    .from(answers)
    .where(and(eq(answers.id, id), eq(answers.tenant, tenant)));
  return row ?? null;
}

/** How many answers were recorded, by status and refusal code (null when not refused). */
export async function countAnswersByOutcome(
  db: Database,
): Promise<{ status: string; reasonCode: string | null; n: number }[]> {
  const rows = await db
    .select({
      status: answers.status,
      reasonCode: answers.reasonCode,
      n: sql<number>`count(*)::int`,
    })
    .from(answers)
    .groupBy(answers.status, answers.reasonCode);
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}
