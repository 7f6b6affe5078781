import { sql, type SQL } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { insertRows, queryPrepared } from "../db/query.ts";
import { answers, citations } from "../db/schema/index.ts";
import {
  ledgerGate,
  lockLedger,
  prepareAppend,
  type LedgerActor,
  type LedgerHead,
} from "../ledger/append.ts";
import { canonicalJson } from "../ledger/canonical-json.ts";
import type { IndexState } from "../retrieval/hnsw.ts";
import type { ReviewReason } from "../review/queue.ts";
import type { Answered, Evidence } from "./compose.ts";
import type { Answer, RecordedAnswer } from "./schema.ts";
import { citedKey, citedRows, confirmedCitations, StaleEvidenceError } from "./stale-evidence.ts";

/** Who asked, with what filter, in which request; and whether a person should review the answer. */
export type Asked = LedgerActor & {
  sourceIds: string[] | null;
  requestId: string | null;
  reviewReason: ReviewReason | null;
};

/** One answer waiting for its record, with the index it was searched on. */
export type AnswerToRecord = { answered: Answered; asked: Asked; index: IndexState };

/** A recorded answer and its body: the reply, byte for byte what the ledger holds. */
export type RecordedBody = { answer: RecordedAnswer; body: string };

/** Scored sentences kept in the record besides the cited ones: enough to see what lost, and why. */
const RECORDED_SENTENCES = 10;

/**
 * Record a batch of answers inside `tx`: under one ledger lock, check that every version they
 * cite is still current, then append the ledger records of those that are, at consecutive
 * indexes in batch order, with their rows and citations, in one statement. Three round trips
 * besides BEGIN and COMMIT, whatever the batch's size. Returns, per answer, its body or the
 * StaleEvidenceError that kept it out; a stale answer takes no index; and where the ledger's head
 * is once they are in. Both statements have the same text for any batch (values travel as
 * parameters), so each is planned once per connection.
 */
export async function writeAnswerBatch(
  tx: Database,
  batch: AnswerToRecord[],
): Promise<{ outcomes: (RecordedBody | StaleEvidenceError)[]; head: LedgerHead }> {
  const cited = citedRows(batch.map((b) => b.answered.answer));
  const head = await lockLedger(tx, { current: confirmedCitations(cited) });
  const confirmed = new Set(head.current);
  // Each answer on its own: one answer's bad citation never keeps another from its record.
  const outcomes = batch.map((b) => {
    const stale = citedRows([b.answered.answer]).filter((c) => !confirmed.has(citedKey(c)));
    return stale.length > 0
      ? new StaleEvidenceError([...new Set(stale.map((c) => c.versionId))])
      : null;
  });
  const fresh = batch.filter((_, i) => outcomes[i] === null);
  const { recorded, inserts } = prepareRecords(head, fresh);
  if (inserts) await queryPrepared(tx, insertTogether(inserts));
  let next = 0;
  return {
    outcomes: outcomes.map((stale) => stale ?? recorded[next++]!),
    head: { index: head.index + fresh.length, time: head.time },
  };
}

/**
 * Record a batch of answers at the ledger head this process expects, in one statement and one
 * round trip with no transaction around it (ledgerGate says why that is safe): every answer's
 * ledger record, row and citations, written only if the head is still `expected` and every
 * version cited is current, checked as writeAnswerBatch checks it (share-locked until the
 * statement commits). Returns the bodies, in order, or null when nothing was written because
 * the head moved or a citation is stale: writeAnswerBatch, under the lock, then sorts it out.
 * Throws what the statement met, a unique violation when another append took the index after
 * the statement began (nothing written either).
 */
export async function writeAnswerBatchAt(
  db: Database,
  batch: AnswerToRecord[],
  expected: LedgerHead,
): Promise<RecordedBody[] | null> {
  const cited = citedRows(batch.map((b) => b.answered.answer));
  const everyCited = sql`array(select jsonb_array_elements_text(${JSON.stringify(cited.map(citedKey))}::jsonb))`;
  const gate = ledgerGate(expected, sql<boolean>`${confirmedCitations(cited)} @> ${everyCited}`);
  const { recorded, inserts } = prepareRecords(
    expected,
    batch,
    sql<boolean>`(select ok from ${sql.raw(GATE)})`,
  );
  const [row] = await queryPrepared<{ ok: boolean }>(
    db,
    insertTogether(inserts!, { [GATE]: gate }, sql`select ok from ${sql.raw(GATE)}`),
  );
  return row?.ok ? recorded : null;
}

/** The WITH query a gated record statement names its ledgerGate by. */
const GATE = "ledger_gate";

/**
 * The ledger records of `fresh` appended at `head`, with their answer rows and citations, as
 * RecordedBody values and the inserts that store them (null for no answers): inserts into the
 * ledger, answers and citations, each with the same text for any batch, citations even with no
 * rows. With `onlyIf`, they write nothing unless it holds.
 */
function prepareRecords(
  head: LedgerHead,
  fresh: AnswerToRecord[],
  onlyIf?: SQL<boolean>,
): { recorded: RecordedBody[]; inserts: SQL[] | null } {
  const responses: RecordedAnswer[] = [];
  const { appended, insert: ledgerInsert } = prepareAppend(
    head,
    fresh.map(({ answered: { answer, evidence }, asked, index }, i) => ({
      kind: "answer" as const,
      actor: { tenant: asked.tenant, keyId: asked.keyId },
      requestId: asked.requestId,
      subject: answer.id,
      payload: (ledgerIndex: number) => {
        const response: RecordedAnswer = { ...answer, ledger: { index: ledgerIndex } };
        responses[i] = response;
        return {
          response,
          request: { question: answer.question, sourceIds: asked.sourceIds },
          builtFrom: describeEvidence(evidence, answer, index),
          queuedForReview: asked.reviewReason,
        };
      },
    })),
    onlyIf,
  );
  const recorded = fresh.map((b, i) => ({
    ...b,
    response: responses[i]!,
    body: canonicalJson(responses[i]),
    ledgerIndex: appended[i]!.index,
  }));
  const inserts = ledgerInsert
    ? [
        ledgerInsert,
        insertRows(answers, recorded.map(answerRow), onlyIf),
        insertRows(citations, recorded.flatMap(citationRowsOf), onlyIf),
      ]
    : null;
  return { recorded: recorded.map(({ response, body }) => ({ answer: response, body })), inserts };
}

/**
 * Inserts as one statement, one round trip: all but the last as data-modifying WITH queries of
 * the last, or, with `final`, all of them as WITH queries of that, after the queries `before`
 * names. Each runs to completion, and foreign keys are checked when the statement ends, so a
 * citation may name an answer inserted beside it.
 */
function insertTogether(inserts: SQL[], before: Record<string, SQL> = {}, final?: SQL): SQL {
  const last = final ?? inserts.at(-1)!;
  const withs = [
    ...Object.entries(before).map(([name, q]) => sql`${sql.raw(name)} as (${q})`),
    ...(final ? inserts : inserts.slice(0, -1)).map(
      (q, i) => sql`${sql.raw(`insert_${i}`)} as (${q})`,
    ),
  ];
  return withs.length > 0 ? sql`with ${sql.join(withs, sql`, `)} ${last}` : last;
}

type Recorded = AnswerToRecord & { response: RecordedAnswer; body: string; ledgerIndex: number };

function answerRow({ answered: { answer }, asked, response, body, ledgerIndex }: Recorded) {
  return {
    id: answer.id,
    question: answer.question,
    sourceIds: asked.sourceIds,
    status: answer.status,
    answer: answer.answer,
    reasonCode: answer.reason?.code ?? null,
    reasonMessage: answer.reason?.message ?? null,
    threshold: answer.policy.threshold,
    response,
    body,
    ledgerIndex,
    policyHash: answer.policy.hash,
    reviewReason: asked.reviewReason,
    tenant: asked.tenant,
    keyId: asked.keyId,
    createdAt: new Date(answer.createdAt),
  };
}

function citationRowsOf({ answered: { answer } }: Recorded) {
  return answer.citations.map((c, ordinal) => ({
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
  }));
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
