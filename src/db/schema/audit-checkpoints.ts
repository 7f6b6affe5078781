import { bigint, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * A signed tree head: the ledger's size and Merkle root, signed with an Ed25519 key kept outside
 * the database (VERITY_LEDGER_KEY). `note` is the whole signed note (C2SP tlog-checkpoint), the only
 * column verification trusts; the others are copies for listing.
 */
export const auditCheckpoints = pgTable("audit_checkpoints", {
  treeSize: bigint("tree_size", { mode: "number" }).primaryKey(),
  rootHash: text("root_hash").notNull(),
  keyId: text("key_id").notNull(),
  note: text("note").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export type AuditCheckpointRow = typeof auditCheckpoints.$inferSelect;
