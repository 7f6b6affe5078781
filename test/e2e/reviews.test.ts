import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Answer } from "../../src/answer/schema.ts";
import { auditRecords, reviews } from "../../src/db/schema/index.ts";
import { reviewReasonFor } from "../../src/review/queue.ts";
import { storeKinds } from "../support/databases.ts";
import { useRealEncoder } from "../support/encoder.ts";
import { json, startHarness, type Harness } from "../support/harness.ts";

const encoder = useRealEncoder();

/**
 * Four answers from the sample corpus at the shipped threshold 0.75 (margin 0.05): one answered
 * just over it, one refused just under it, and one of each far from it.
 */
const QUESTIONS = {
  lowMargin: "Where did Gmail file the password reset email?", // support ~0.76
  nearRefusal: "How big are the parts the project archives are split into?", // best ~0.73
  clear: "How much does the Basic plan cost?", // support ~0.92
  farRefusal: "How much does the Premium plan cost?", // best ~0.41
};
type Asked = keyof typeof QUESTIONS;

describe.each(storeKinds())("the review queue over HTTP on %s", (kind) => {
  let h: Harness;
  const asked = {} as Record<Asked, Answer>;

  /** What GET /v1/reviews lists for a status: the answer ids, in order. */
  async function listed(status: string, extra = ""): Promise<{ ids: string[]; body: any }> {
    const res = await h.get(`/v1/reviews?status=${status}${extra}`);
    const body = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(200);
    return { ids: body.items.map((i: { answerId: string }) => i.answerId), body };
  }

  beforeAll(async () => {
    h = await startHarness(kind, { embedder: encoder() });
    for (const [name, question] of Object.entries(QUESTIONS) as [Asked, string][]) {
      const res = await h.post("/v1/answers", { question });
      asked[name] = (await json(res)) as Answer;
    }
  });
  afterAll(async () => h?.close());

  it("queues the borderline calls only, oldest first", async () => {
    const reasons = Object.fromEntries(
      Object.entries(asked).map(([name, a]) => [name, reviewReasonFor(a, h.deps.policy)]),
    );
    expect(reasons, JSON.stringify(asked)).toEqual({
      lowMargin: "LOW_MARGIN",
      nearRefusal: "NEAR_THRESHOLD_REFUSAL",
      clear: null,
      farRefusal: null,
    });
    const open = await listed("open");
    expect(open.ids).toEqual([asked.lowMargin.id, asked.nearRefusal.id]);
    expect(open.body.nextCursor).toBeNull();
    expect(open.body.items[0]).toEqual({
      answerId: asked.lowMargin.id,
      question: QUESTIONS.lowMargin,
      status: "answered",
      reasonCode: null,
      support: asked.lowMargin.support,
      bestScore: null,
      threshold: 0.75,
      reviewReason: "LOW_MARGIN",
      createdAt: asked.lowMargin.createdAt,
      reviews: [],
    });
    expect(open.body.items[1]).toMatchObject({
      status: "refused",
      reasonCode: "LOW_SUPPORT",
      support: null,
      bestScore: asked.nearRefusal.reason!.bestScore,
      reviewReason: "NEAR_THRESHOLD_REFUSAL",
    });
    // Without a status, the listing is the open queue.
    expect((await listed("open")).body).toEqual((await json(await h.get("/v1/reviews"))) as object);
  });

  it("records a verdict in the reviews and the ledger together, and takes it off the queue", async () => {
    const res = await h.app.request(`/v1/answers/${asked.lowMargin.id}/reviews`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "review-1" },
      body: JSON.stringify({ verdict: "incorrect", note: "The forum post is one user's inbox." }),
    });
    const review = await json(res);
    expect(res.status, JSON.stringify(review)).toBe(201);
    expect(review).toEqual({
      id: expect.stringMatching(/^rev_/),
      answerId: asked.lowMargin.id,
      verdict: "incorrect",
      note: "The forum post is one user's inbox.",
      keyId: null,
      ledgerIndex: expect.any(Number),
      createdAt: expect.any(String),
    });

    const [row] = await h.deps.db.select().from(reviews).where(eq(reviews.id, review.id));
    expect(row).toMatchObject({ tenant: "default", ledgerIndex: review.ledgerIndex });
    const [record] = await h.deps.db
      .select()
      .from(auditRecords)
      .where(eq(auditRecords.seq, review.ledgerIndex));
    expect(record).toMatchObject({ kind: "review", subject: asked.lowMargin.id });
    expect(JSON.parse(record!.entry)).toMatchObject({
      index: review.ledgerIndex,
      time: review.createdAt,
      kind: "review",
      actor: { tenant: "default", keyId: null },
      requestId: "review-1",
      subject: asked.lowMargin.id,
      payload: {
        reviewId: review.id,
        answerId: asked.lowMargin.id,
        verdict: "incorrect",
        note: "The forum post is one user's inbox.",
      },
    });

    expect((await listed("open")).ids).toEqual([asked.nearRefusal.id]);
    const reviewed = await listed("reviewed");
    expect(reviewed.ids).toEqual([asked.lowMargin.id]);
    expect(reviewed.body.items[0].reviews).toEqual([review]);
  });

  it("takes a verdict on any answer, queued or not, and pages through them all", async () => {
    const res = await h.post(`/v1/answers/${asked.clear.id}/reviews`, { verdict: "correct" });
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({ verdict: "correct", note: null });
    // A second opinion is a record of its own.
    const again = await h.post(`/v1/answers/${asked.clear.id}/reviews`, {
      verdict: "unsupported",
      note: "Second look: the annual price only.",
    });
    expect(again.status).toBe(201);

    const reviewed = await listed("reviewed");
    expect(reviewed.ids).toEqual([asked.lowMargin.id, asked.clear.id]);
    const clear = reviewed.body.items[1];
    expect(clear.reviewReason).toBeNull();
    expect(clear.reviews.map((r: { verdict: string }) => r.verdict)).toEqual([
      "correct",
      "unsupported",
    ]);

    const all = (await listed("all")).ids;
    expect(all).toEqual([asked.lowMargin.id, asked.nearRefusal.id, asked.clear.id]);
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { ids: string[]; body: any } = await listed(
        "all",
        `&limit=1${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(page.ids.length).toBe(1);
      paged.push(...page.ids);
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(paged).toEqual(all);
  });
});
