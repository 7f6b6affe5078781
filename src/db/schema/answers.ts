import { jsonb, pgTable, real, text, timestamp } from "drizzle-orm/pg-core";

/** The record of what was answered (or refused), kept as returned to the caller. */
export const answers = pgTable("answers", {
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
});

export type AnswerRow = typeof answers.$inferSelect;
