import { and, asc, eq, inArray, isNotNull, or, sql, type SQL } from "drizzle-orm";
import type { Database } from "./client.ts";
import { answers, reviews, type ReviewRow } from "./schema/index.ts";

/** Whether `tenant` has an answer `id` (another tenant's is as missing as none). */
export async function hasAnswer(db: Database, id: string, tenant: string): Promise<boolean> {
  const [row] = await db
    .select({ id: answers.id })
    .from(answers)
    .where(and(eq(answers.id, id), eq(answers.tenant, tenant)));
  return row !== undefined;
}

export async function insertReview(db: Database, row: typeof reviews.$inferInsert): Promise<void> {
  await db.insert(reviews).values(row);
}

/** Which answers a queue listing shows: queued and unreviewed, reviewed, or either. */
export type QueueFilter = "open" | "reviewed" | "all";

/** Where a page starts: after this answer, in (time to the millisecond, id) order. */
export type QueueKey = { createdAt: string; id: string };

// Answer times are kept to the microsecond but stated (and put in cursors) to the millisecond.
const answerTime = sql<string>`date_trunc('milliseconds', ${answers.createdAt})`;
const hasReview = sql`exists (select 1 from reviews r where r.answer_id = ${answers.id})`;

const FILTERS: Record<QueueFilter, SQL> = {
  open: and(isNotNull(answers.reviewReason), sql`not ${hasReview}`)!,
  reviewed: hasReview,
  all: or(isNotNull(answers.reviewReason), hasReview)!,
};

/** One page of `tenant`'s queue, oldest answer first, with the key the next page starts after. */
export async function listQueuedAnswers(
  db: Database,
  options: { tenant: string; filter: QueueFilter; limit: number; after?: QueueKey },
) {
  const { after } = options;
  const rows = await db
    .select({
      id: answers.id,
      question: answers.question,
      status: answers.status,
      reasonCode: answers.reasonCode,
      threshold: answers.threshold,
      reviewReason: answers.reviewReason,
      createdAt: answers.createdAt,
      support: sql<number | null>`(${answers.response}->>'support')::float8`,
      bestScore: sql<number | null>`(${answers.response}->'reason'->>'bestScore')::float8`,
    })
    .from(answers)
    .where(
      and(
        eq(answers.tenant, options.tenant),
        FILTERS[options.filter],
        after
          ? sql`(${answerTime}, ${answers.id}) > (${after.createdAt}::timestamptz, ${after.id})`
          : undefined,
      ),
    )
    .orderBy(asc(answerTime), asc(answers.id))
    .limit(options.limit + 1);
  const page = rows.slice(0, options.limit).map((r) => ({
    ...r,
    support: r.support === null ? null : Number(r.support),
    bestScore: r.bestScore === null ? null : Number(r.bestScore),
  }));
  const last = page.at(-1);
  const next: QueueKey | null =
    rows.length > options.limit && last
      ? { createdAt: last.createdAt.toISOString(), id: last.id }
      : null;
  return { rows: page, next };
}

/** The reviews of these answers, oldest first. */
export async function listReviewsOf(db: Database, answerIds: string[]): Promise<ReviewRow[]> {
  if (answerIds.length === 0) return [];
  return db
    .select()
    .from(reviews)
    .where(inArray(reviews.answerId, answerIds))
    .orderBy(asc(reviews.createdAt), asc(reviews.ledgerIndex));
}
