import type { Database } from "../db/client.ts";
import {
  hasAnswer,
  insertReview,
  listQueuedAnswers,
  listReviewsOf,
  type QueueKey,
} from "../db/reviews.ts";
import type { ReviewRow } from "../db/schema/index.ts";
import { newId } from "../ids.ts";
import { appendInTransaction } from "../ledger/append.ts";
import type {
  Review,
  ReviewQueueItem,
  ReviewQueuePage,
  ReviewRequest,
  ReviewStatus,
} from "./schema.ts";

/** Who records a verdict, and in which request: what the ledger says of it. */
export type Reviewer = { tenant: string; keyId: string | null; requestId: string | null };

/**
 * Record a reviewer's verdict on one of their tenant's answers: the `reviews` row and its ledger
 * record commit together or not at all. Null when the tenant has no such answer.
 */
export async function recordReview(
  db: Database,
  answerId: string,
  input: ReviewRequest,
  reviewer: Reviewer,
): Promise<Review | null> {
  const { tenant, keyId, requestId } = reviewer;
  return db.transaction(async (txn) => {
    const tx = txn as unknown as Database;
    if (!(await hasAnswer(tx, answerId, tenant))) return null;
    const id = newId("rev");
    const note = input.note ?? null;
    const { index, entry } = await appendInTransaction(tx, {
      kind: "review",
      actor: { tenant, keyId },
      requestId,
      subject: answerId,
      payload: () => ({ reviewId: id, answerId, verdict: input.verdict, note }),
    });
    // The review's time is its ledger record's, so the two never disagree.
    const createdAt = new Date(entry.time);
    const row = { id, answerId, verdict: input.verdict, note, tenant, keyId, ledgerIndex: index };
    await insertReview(tx, { ...row, createdAt });
    return describeReview({ ...row, createdAt });
  });
}

/** A page of `tenant`'s review queue; a cursor that is not one of ours is a caller's mistake. */
export async function listReviewQueue(
  db: Database,
  options: { tenant: string; status: ReviewStatus; limit: number; cursor?: string },
): Promise<ReviewQueuePage> {
  const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
  const { rows, next } = await listQueuedAnswers(db, {
    tenant: options.tenant,
    filter: options.status,
    limit: options.limit,
    after,
  });
  const byAnswer = new Map<string, ReviewRow[]>();
  for (const review of await listReviewsOf(
    db,
    rows.map((r) => r.id),
  ))
    byAnswer.set(review.answerId, [...(byAnswer.get(review.answerId) ?? []), review]);
  const items: ReviewQueueItem[] = rows.map(({ id, createdAt, ...row }) => ({
    answerId: id,
    ...row,
    reasonCode: row.reasonCode as ReviewQueueItem["reasonCode"],
    createdAt: createdAt.toISOString(),
    reviews: (byAnswer.get(id) ?? []).map(describeReview),
  }));
  return { items, nextCursor: next ? encodeCursor(next) : null };
}

export class InvalidCursorError extends Error {
  override name = "InvalidCursorError";
}

function describeReview(row: Omit<ReviewRow, "tenant">): Review {
  const { id, answerId, verdict, note, keyId, ledgerIndex, createdAt } = row;
  return { id, answerId, verdict, note, keyId, ledgerIndex, createdAt: createdAt.toISOString() };
}

const encodeCursor = (key: QueueKey) =>
  Buffer.from(JSON.stringify([key.createdAt, key.id])).toString("base64url");

function decodeCursor(cursor: string): QueueKey {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [
      unknown,
      unknown,
    ];
    if (typeof createdAt === "string" && typeof id === "string" && isCursorTime(createdAt))
      return { createdAt, id };
  } catch {
    // not base64url JSON: refused below
  }
  throw new InvalidCursorError("cursor: not a cursor this listing returned");
}

/** A time as cursors state it, in years PostgreSQL and JavaScript both hold. */
const isCursorTime = (time: string) =>
  /^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(time) &&
  !Number.isNaN(Date.parse(time)) &&
  new Date(time).toISOString() === time;
