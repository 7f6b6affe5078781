import { bigint, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * The ledger: an append-only log whose leaves are hashed into an RFC 9162 Merkle tree. `seq` is the
 * leaf index (0, 1, 2, ... without gaps); `entry` is the leaf itself, canonical JSON (RFC 8785)
 * hashed byte for byte, so the other columns are only copies kept for lookups: verification reads
 * `entry` and nothing else.
 */
export const auditRecords = pgTable(
  "audit_records",
  {
    seq: bigint("seq", { mode: "number" }).primaryKey(),
    kind: text("kind").notNull(),
    /** What the record is about: an answer id, an ingest run id, a key id, a policy hash. */
    subject: text("subject"),
    tenant: text("tenant").notNull(),
    keyId: text("key_id"),
    requestId: text("request_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    entry: text("entry").notNull(),
    /** Hex SHA-256(0x00 || entry): the Merkle leaf hash, kept so a tree loads without rehashing. */
    leafHash: text("leaf_hash").notNull(),
  },
  (t) => [index("audit_records_subject_idx").on(t.kind, t.subject)],
);

export type AuditRecordRow = typeof auditRecords.$inferSelect;
