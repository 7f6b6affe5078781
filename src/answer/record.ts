import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { answers, citations } from "../db/schema/index.ts";
import type { Answer } from "./schema.ts";

/** Store an answer and its citations together: the record of what was said, as it was said. */
export async function recordAnswer(
  db: Database,
  answer: Answer,
  asked: { sourceIds: string[] | null; tenant: string; keyId: string | null },
): Promise<void> {
  const { sourceIds, tenant, keyId } = asked;
  await db.transaction(async (tx) => {
    await tx.insert(answers).values({
      id: answer.id,
      question: answer.question,
      sourceIds,
      status: answer.status,
      answer: answer.answer,
      reasonCode: answer.reason?.code ?? null,
      reasonMessage: answer.reason?.message ?? null,
      threshold: answer.policy.threshold,
      response: answer,
      tenant,
      keyId,
      createdAt: new Date(answer.createdAt),
    });
    if (answer.citations.length === 0) return;
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
  });
}

/**
 * The stored answer exactly as it was returned, if it is `tenant`'s (another tenant's is as
 * missing as none). It is not re-parsed with today's schema: a record written under an older
 * contract must still come back unaltered.
 */
export async function findAnswer(db: Database, id: string, tenant: string): Promise<Answer | null> {
  const [row] = await db
    .select({ response: answers.response })
    .from(answers)
    .where(and(eq(answers.id, id), eq(answers.tenant, tenant)));
  return row ? (row.response as Answer) : null;
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
