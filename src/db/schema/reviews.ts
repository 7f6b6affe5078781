import { bigint, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { answers } from "./answers.ts";

/** A reviewer's verdict on an answer; the ledger holds the same record, `ledgerIndex` points at it. */
export const reviews = pgTable(
  "reviews",
  {
    id: text("id").primaryKey(),
    answerId: text("answer_id")
      .notNull()
      .references(() => answers.id),
    verdict: text("verdict", { enum: ["correct", "incorrect", "unsupported"] }).notNull(),
    note: text("note"),
    tenant: text("tenant").notNull(),
    keyId: text("key_id"),
    ledgerIndex: bigint("ledger_index", { mode: "number" }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("reviews_answer_idx").on(t.answerId)],
);

export type ReviewRow = typeof reviews.$inferSelect;
