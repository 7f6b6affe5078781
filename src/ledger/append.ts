import { sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { auditRecords } from "../db/schema/index.ts";
import { encodeEntry, type LedgerEntry, type LedgerKind } from "./entry.ts";

/**
 * The advisory lock every append takes for the rest of its transaction: the next index is read
 * and written under it, so concurrent requests (or processes sharing a PostgreSQL) never fork
 * the log or leave a gap. Its value is arbitrary; it only has to be Verity's alone.
 */
const LEDGER_APPEND_LOCK = 7_165_001_001;

/** Who a record is by: the caller's tenant and API key (null for the anonymous loopback caller). */
export type LedgerActor = { tenant: string; keyId: string | null };

export type LedgerAppend = {
  kind: LedgerKind;
  actor: LedgerActor;
  requestId: string | null;
  /** What the record is about: an answer id, an ingest run id, a key id, a policy hash. */
  subject: string | null;
  /** The payload, given the record's index: an answer's body names its own ledger index. */
  payload: (index: number) => Record<string, unknown>;
};

export type Appended = { index: number; entry: LedgerEntry; text: string; leafHash: Buffer };

/**
 * Append one record inside the caller's transaction, so it commits (or rolls back) together with
 * what it records. Holds the ledger lock until that transaction ends; outside a transaction the
 * lock would end with its statement, so callers always pass one (`db.transaction`).
 */
export async function appendInTransaction(tx: Database, record: LedgerAppend): Promise<Appended> {
  await tx.execute(sql`select pg_advisory_xact_lock(${LEDGER_APPEND_LOCK})`);
  // Taken under the lock, so times never go backwards along the log.
  const time = new Date();
  // Read after the lock: under READ COMMITTED this statement sees every earlier append.
  const [row] = await tx
    .select({ next: sql<string>`coalesce(max(${auditRecords.seq}) + 1, 0)` })
    .from(auditRecords);
  const index = Number(row!.next);
  const entry: LedgerEntry = {
    v: 1,
    index,
    kind: record.kind,
    time: time.toISOString(),
    actor: record.actor,
    requestId: record.requestId,
    subject: record.subject,
    payload: record.payload(index),
  };
  const { text, leafHash } = encodeEntry(entry);
  await tx.insert(auditRecords).values({
    seq: index,
    kind: entry.kind,
    subject: entry.subject,
    tenant: entry.actor.tenant,
    keyId: entry.actor.keyId,
    requestId: entry.requestId,
    createdAt: time,
    entry: text,
    leafHash: leafHash.toString("hex"),
  });
  return { index, entry, text, leafHash };
}

/** Append one record in a transaction of its own. */
export function appendRecord(db: Database, record: LedgerAppend): Promise<Appended> {
  return db.transaction((tx) => appendInTransaction(tx as unknown as Database, record));
}
