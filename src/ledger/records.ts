import { and, asc, desc, eq, gte, lt, sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { auditCheckpoints, auditRecords } from "../db/schema/index.ts";
import type { AuditCheckpointRow, AuditRecordRow } from "../db/schema/index.ts";

/** Leaf hashes of records `from` .. `to` - 1 (or to the end), in log order. */
export async function readLeafHashes(
  db: Database,
  from: number,
  to?: number,
): Promise<{ seq: number; leafHash: string }[]> {
  const range =
    to === undefined
      ? gte(auditRecords.seq, from)
      : and(gte(auditRecords.seq, from), lt(auditRecords.seq, to));
  return db
    .select({ seq: auditRecords.seq, leafHash: auditRecords.leafHash })
    .from(auditRecords)
    .where(range)
    .orderBy(asc(auditRecords.seq));
}

/** Whole records `from` .. `to` - 1, at most `limit`, in log order. */
export function readRecords(
  db: Database,
  from: number,
  to: number,
  limit: number,
): Promise<AuditRecordRow[]> {
  return db
    .select()
    .from(auditRecords)
    .where(and(gte(auditRecords.seq, from), lt(auditRecords.seq, to)))
    .orderBy(asc(auditRecords.seq))
    .limit(limit);
}

export async function readRecord(db: Database, seq: number): Promise<AuditRecordRow | null> {
  const [row] = await db.select().from(auditRecords).where(eq(auditRecords.seq, seq));
  return row ?? null;
}

/** How many records the ledger holds: one past the highest index. */
export async function ledgerSize(db: Database): Promise<number> {
  const [row] = await db
    .select({ size: sql<string>`coalesce(max(${auditRecords.seq}) + 1, 0)` })
    .from(auditRecords);
  return Number(row!.size);
}

export async function latestCheckpoint(db: Database): Promise<AuditCheckpointRow | null> {
  const [row] = await db
    .select()
    .from(auditCheckpoints)
    .orderBy(desc(auditCheckpoints.treeSize))
    .limit(1);
  return row ?? null;
}

/** Checkpoints newest first, at most `limit`, smaller than `before` when given. */
export function listCheckpoints(
  db: Database,
  limit: number,
  before?: number,
): Promise<AuditCheckpointRow[]> {
  return db
    .select()
    .from(auditCheckpoints)
    .where(before === undefined ? undefined : lt(auditCheckpoints.treeSize, before))
    .orderBy(desc(auditCheckpoints.treeSize))
    .limit(limit);
}

/** Every checkpoint, oldest first. */
export function allCheckpoints(db: Database): Promise<AuditCheckpointRow[]> {
  return db.select().from(auditCheckpoints).orderBy(asc(auditCheckpoints.treeSize));
}

/** Store a signed checkpoint; a concurrent signer of the same size wins without an error. */
export async function insertCheckpoint(
  db: Database,
  checkpoint: Omit<AuditCheckpointRow, "createdAt">,
): Promise<void> {
  await db.insert(auditCheckpoints).values(checkpoint).onConflictDoNothing();
}
