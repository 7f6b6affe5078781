import { sql, type SQL } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { insertRows, queryPrepared } from "../db/query.ts";
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

/** Where the next record goes, read under the ledger lock, and the time its records carry. */
export type LedgerHead = { index: number; time: Date };

/**
 * Take the ledger lock for the rest of `tx` and read where the next record goes. Columns given
 * as `alongside` are read by that same statement, under the lock: a check the caller makes before
 * appending costs no round trip of its own.
 *
 * The lock and the read are two statements on purpose: under READ COMMITTED a statement reads
 * the snapshot taken when it started, so a read in the locking statement itself would miss a
 * record committed by the holder it waited for, and reuse its index.
 */
export async function lockLedger<T extends Record<string, SQL>>(
  tx: Database,
  alongside?: T,
): Promise<LedgerHead & { [K in keyof T]: T[K] extends SQL<infer V> ? V : never }> {
  // The key inline, not a parameter: postgres.js asks a statement's parameter types in a round
  // trip of its own before running it, and this one runs on every append.
  await tx.execute(sql`select pg_advisory_xact_lock(${sql.raw(String(LEDGER_APPEND_LOCK))})`);
  // Taken under the lock, so times never go backwards along the log.
  const time = new Date();
  const columns = Object.entries(alongside ?? {}).map(
    ([name, value]) => sql`${value} as ${sql.identifier(name)}`,
  );
  // Read after the lock: under READ COMMITTED this statement sees every earlier append. Its text
  // is the same on every append (the values it checks are parameters): prepared once.
  const next = sql`coalesce(max(${auditRecords.seq}) + 1, 0) as "next"`;
  const [row] = await queryPrepared<Record<string, unknown> & { next: string }>(
    tx,
    sql`select ${sql.join([...columns, next], sql`, `)} from ${auditRecords}`,
  );
  const { next: index, ...rest } = row!;
  return { ...rest, index: Number(index), time } as never;
}

/**
 * An append with no transaction of its own making, at the head a process expects (where its own
 * last append left it): one statement, one round trip, instead of lockLedger's transaction of
 * five (BEGIN, lock, head, insert, COMMIT). This is a one-row query, for that statement's WITH,
 * whose `ok` says the append at `expected` may go ahead: it takes the ledger lock, and in that statement's snapshot the head is
 * still `expected.index`, the last record's time is not after `expected.time` (times never go
 * backwards along the log), and `condition` holds. The statement's inserts name `ok` as their
 * condition (prepareAppend's `onlyIf`), so when it does not hold nothing is written and the
 * caller appends the locked way (lockLedger) instead.
 *
 * Why this is as safe as lockLedger's two statements: the snapshot is taken when the statement
 * starts, before the lock is granted, so a record committed in between is not seen and its index
 * looks free. The index is the table's primary key, though, and the check for a duplicate key
 * sees every committed (and waits for every uncommitted) row whatever the snapshot, so that
 * insert fails with a unique violation instead of forking the log; the caller then takes the
 * locked way. The lock is still taken, before any insert can run (they read `ok`), so an append
 * that holds it while it works never meets this one's record at the index it read.
 */
export function ledgerGate(expected: LedgerHead, condition: SQL<boolean>): SQL {
  return sql`
    select h.next = ${expected.index}::bigint
           and (h.last is null or h.last <= ${expected.time.toISOString()}::timestamptz)
           and ${condition} as ok
    from (select pg_advisory_xact_lock(${sql.raw(String(LEDGER_APPEND_LOCK))})) as lock,
         lateral (
           select coalesce(max(${auditRecords.seq}) + 1, 0) as next,
                  (select ${auditRecords.createdAt} from ${auditRecords}
                   order by ${auditRecords.seq} desc limit 1) as last
           from ${auditRecords}) as h`;
}

/**
 * `records` as they are appended at the head and the indexes after it, in order, with the insert
 * that stores them all (insertRows: its text is the same for any number of records), not yet run:
 * the caller runs it (alone, or within a larger statement, with queryPrepared) in the transaction
 * holding the ledger lock (lockLedger), once per lock, as the head does not move; or, with
 * `onlyIf` naming a ledgerGate's `ok`, in the statement holding that gate.
 */
export function prepareAppend(
  head: LedgerHead,
  records: LedgerAppend[],
  onlyIf?: SQL<boolean>,
): { appended: Appended[]; insert: SQL | null } {
  const appended = records.map((record, i): Appended => {
    const index = head.index + i;
    const entry: LedgerEntry = {
      v: 1,
      index,
      kind: record.kind,
      time: head.time.toISOString(),
      actor: record.actor,
      requestId: record.requestId,
      subject: record.subject,
      payload: record.payload(index),
    };
    return { index, entry, ...encodeEntry(entry) };
  });
  if (appended.length === 0) return { appended, insert: null };
  const insert = insertRows(
    auditRecords,
    appended.map(({ index, entry, text, leafHash }) => ({
      seq: index,
      kind: entry.kind,
      subject: entry.subject,
      tenant: entry.actor.tenant,
      keyId: entry.actor.keyId,
      requestId: entry.requestId,
      createdAt: head.time,
      entry: text,
      leafHash: leafHash.toString("hex"),
    })),
    onlyIf,
  );
  return { appended, insert };
}

/**
 * Append one record inside the caller's transaction, so it commits (or rolls back) together with
 * what it records. Holds the ledger lock until that transaction ends; outside a transaction the
 * lock would end with its statement, so callers always pass one (`db.transaction`).
 */
export async function appendInTransaction(tx: Database, record: LedgerAppend): Promise<Appended> {
  const { appended, insert } = prepareAppend(await lockLedger(tx), [record]);
  await queryPrepared(tx, insert!);
  return appended[0]!;
}

/** Append one record in a transaction of its own. */
export function appendRecord(db: Database, record: LedgerAppend): Promise<Appended> {
  return db.transaction((tx) => appendInTransaction(tx as unknown as Database, record));
}
