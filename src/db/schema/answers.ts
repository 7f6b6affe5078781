import { bigint, index, jsonb, pgTable, real, text, timestamp } from "drizzle-orm/pg-core";

/** The record of what was answered (or refused), kept as returned to the caller. */
export const answers = pgTable(
  "answers",
  {
    id: text("id").primaryKey(),
    question: text("question").notNull(),
    sourceIds: jsonb("source_ids").$type<string[] | null>(),
    status: text("status", { enum: ["answered", "partial", "refused"] }).notNull(),
    answer: text("answer"),
    reasonCode: text("reason_code"),
    reasonMessage: text("reason_message"),
    threshold: real("threshold").notNull(),
    response: jsonb("response").notNull(),
    /** The tenant of the caller who asked: only its callers read the answer and its citations. */
    tenant: text("tenant").notNull().default("default"),
    /** The API key that asked; null for the anonymous caller of a store without keys. */
    keyId: text("key_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    /**
     * The response body exactly as the client received it (canonical JSON); GET returns these bytes.
     * Null for answers recorded before the ledger, which are served from `response`.
     */
    body: text("body"),
    /** Index of the ledger record holding this answer; null before the ledger. */
    ledgerIndex: bigint("ledger_index", { mode: "number" }),
    /** SHA-256 of the canonical policy in force when it was answered. */
    policyHash: text("policy_hash"),
    /**
     * Why it waits for a person's review (a borderline case), or null: reviewed answers leave the
     * queue by having a verdict, not by clearing this.
     */
    reviewReason: text("review_reason", { enum: ["LOW_MARGIN", "NEAR_THRESHOLD_REFUSAL"] }),
  },
  (t) => [index("answers_review_idx").on(t.reviewReason)],
);

export type AnswerRow = typeof answers.$inferSelect;
