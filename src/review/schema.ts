import { z } from "@hono/zod-openapi";
import { RefusalCode } from "../answer/schema.ts";
import { safeText } from "../text/safe-text.ts";

/** The longest note a reviewer may leave: a paragraph or two, as long as a question may be. */
export const MAX_NOTE_LENGTH = 2000;

export const Verdict = z.enum(["correct", "incorrect", "unsupported"]).openapi({
  description:
    "On an answer: `correct`, `incorrect` (what it says is wrong), or `unsupported` (its citations do not state it). " +
    "On a refusal: `correct` (rightly refused), `incorrect` (the sources do answer it); `unsupported` agrees nothing supports an answer",
});
export type Verdict = z.infer<typeof Verdict>;

export const ReviewRequest = z
  .object({
    verdict: Verdict,
    note: safeText(z.string().trim().min(1).max(MAX_NOTE_LENGTH))
      .optional()
      .openapi({ example: "The cited sentence is about the Team plan, not Basic." }),
  })
  .strict()
  .openapi("ReviewRequest");
export type ReviewRequest = z.infer<typeof ReviewRequest>;

export const Review = z
  .object({
    id: z.string().openapi({ example: "rev_Xc2mQ0aZ9kLs" }),
    answerId: z.string(),
    verdict: Verdict,
    note: z.string().nullable(),
    keyId: z.string().nullable().openapi({
      description: "The API key that recorded it; null for the anonymous loopback caller",
    }),
    ledgerIndex: z.number().int().openapi({ description: "Index of the review's ledger record" }),
    createdAt: z.string(),
  })
  .openapi("Review");
export type Review = z.infer<typeof Review>;

export const ReviewReason = z.enum(["LOW_MARGIN", "NEAR_THRESHOLD_REFUSAL"]).openapi({
  description:
    "Why the answer was queued: answered with support within the policy's `reviewMargin` over its threshold, " +
    "or refused for LOW_SUPPORT with a best score within it under the threshold",
});

export const ReviewStatus = z.enum(["open", "reviewed", "all"]);
export type ReviewStatus = z.infer<typeof ReviewStatus>;

export const ReviewQueueItem = z
  .object({
    answerId: z.string(),
    question: z.string(),
    status: z.enum(["answered", "partial", "refused"]),
    reasonCode: RefusalCode.nullable(),
    support: z.number().nullable(),
    bestScore: z.number().nullable(),
    threshold: z.number(),
    reviewReason: ReviewReason.nullable().openapi({
      description: "Null for an answer reviewed without having been queued",
    }),
    createdAt: z.string(),
    reviews: z
      .array(Review)
      .openapi({ description: "Its verdicts, oldest first; empty while open" }),
  })
  .openapi("ReviewQueueItem");
export type ReviewQueueItem = z.infer<typeof ReviewQueueItem>;

export const ReviewQueuePage = z
  .object({
    items: z.array(ReviewQueueItem),
    nextCursor: z
      .string()
      .nullable()
      .openapi({ description: "Pass as `cursor` for the next page; null on the last" }),
  })
  .openapi("ReviewQueuePage");
export type ReviewQueuePage = z.infer<typeof ReviewQueuePage>;

export const ReviewQueueQuery = z.object({
  status: ReviewStatus.default("open").openapi({
    description:
      "`open`: queued and not reviewed yet; `reviewed`: answers with a verdict; `all`: either",
  }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(200).optional(),
});
export type ReviewQueueQuery = z.infer<typeof ReviewQueueQuery>;
