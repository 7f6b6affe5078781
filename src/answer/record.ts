import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { answers } from "../db/schema/index.ts";
import type { IndexState } from "../retrieval/hnsw.ts";
import { answerRecorderFor } from "./answer-recorder.ts";
import type { Answered } from "./compose.ts";
import type { Asked, RecordedBody } from "./record-batch.ts";

export type { Asked } from "./record-batch.ts";

/**
 * Record an answer: its ledger record (the exact body returned, and what it was built from), its
 * row and its citations, in one transaction, so every reply has its record and no record exists
 * without its reply. Returns the body to send, byte for byte what the ledger holds.
 *
 * Answers recorded concurrently on one database share a transaction (answer-recorder.ts), and
 * this resolves once the one holding this answer has committed. Rejects with StaleEvidenceError,
 * recording nothing, when the answer cites a version that is no longer current.
 */
export function recordAnswer(
  db: Database,
  answered: Answered,
  asked: Asked,
  index: IndexState,
): Promise<RecordedBody> {
  return answerRecorderFor(db).record({ answered, asked, index });
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
