import { and, asc, gt, gte, isNotNull } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { answers, auditRecords } from "../db/schema/index.ts";
import { sha256 } from "../hash.ts";
import { canonicalJson } from "./canonical-json.ts";
import { verifyCheckpoint } from "./checkpoint.ts";
import { parseEntry } from "./entry.ts";
import { createMerkleTree, leafHash, type MerkleTree } from "./merkle.ts";
import { allCheckpoints } from "./records.ts";
import type { LedgerPublicKey } from "./signing-key.ts";
import { verifyStoredVersions, type VouchedVersion } from "./verify-versions.ts";

/** Rows read per query: the log is streamed, never loaded whole. */
const BATCH = 2_000;

/**
 * One thing wrong, at the record it was found (null: not one record's fault). A checkpoint that
 * does not match can only say which records it covers: `range` is that span.
 */
export type LedgerProblem = { index: number | null; problem: string; range?: [number, number] };

export type LedgerVerification = {
  records: number;
  checkpoints: number;
  /** The root of the whole log as recomputed from its entries (hex). */
  root: string;
  answers: number;
  versions: { checked: number; unvouched: number };
  problems: LedgerProblem[];
};

/**
 * Recompute the ledger from its entries alone and check everything that depends on it: the log
 * has no gap and each entry sits at its own index (nothing deleted, inserted or reordered), every
 * stored leaf hash and column agrees with its entry, every checkpoint is signed by `publicKey`
 * over a root the recomputed tree has at its size (and so is every witnessed checkpoint), every
 * answer row is byte for byte the body its record holds, and every stored version and chunk still
 * hashes to what its ingest run recorded. Every problem is reported, first one first.
 */
export async function verifyLedger(
  db: Database,
  options: { publicKey: LedgerPublicKey; witnessed?: string[] },
): Promise<LedgerVerification> {
  const problems: LedgerProblem[] = [];
  const tree = createMerkleTree();
  const answerBodies = new Map<string, { index: number; bodySha256: string }>();
  const vouched = new Map<string, VouchedVersion>();
  for (let next = 0; ;) {
    const rows = await db
      .select()
      .from(auditRecords)
      .where(gte(auditRecords.seq, next))
      .orderBy(asc(auditRecords.seq))
      .limit(BATCH);
    for (const row of rows) {
      const at = tree.size;
      if (row.seq !== at) {
        problems.push({
          index: at,
          problem: `record ${at} is missing: the next stored record is ${row.seq} (deleted, or the log renumbered)`,
        });
      }
      // The tree is built from the entries as stored, whatever their seq says.
      tree.append(leafHash(row.entry));
      let entry;
      try {
        entry = parseEntry(row.entry);
      } catch (error) {
        problems.push({ index: row.seq, problem: `entry unreadable: ${(error as Error).message}` });
        continue;
      }
      if (entry.index !== row.seq)
        problems.push({
          index: row.seq,
          problem: `holds the entry of record ${entry.index} (records inserted, deleted or reordered)`,
        });
      if (row.leafHash !== leafHash(row.entry).toString("hex"))
        problems.push({ index: row.seq, problem: "stored leaf hash does not match its entry" });
      const copies = { kind: row.kind, subject: row.subject, tenant: row.tenant, keyId: row.keyId };
      const own = {
        kind: entry.kind,
        subject: entry.subject,
        tenant: entry.actor.tenant,
        keyId: entry.actor.keyId,
      };
      if (canonicalJson(copies) !== canonicalJson(own))
        problems.push({ index: row.seq, problem: "columns disagree with the entry" });
      collect(entry, row.seq, answerBodies, vouched);
    }
    if (rows.length < BATCH) break;
    next = rows.at(-1)!.seq + 1;
  }
  const checkpoints = await verifyCheckpoints(db, tree, options, problems);
  const answerCount = await verifyAnswerRows(db, answerBodies, problems);
  const versions = await verifyStoredVersions(db, vouched, problems);
  return {
    records: tree.size,
    checkpoints,
    root: tree.root().toString("hex"),
    answers: answerCount,
    versions,
    problems: firstFirst(problems),
  };
}

/**
 * Problems in log order. A checkpoint mismatch covering a record with a problem of its own points
 * at that record: the record is the first bad one, the mismatch only its consequence.
 */
function firstFirst(problems: LedgerProblem[]): LedgerProblem[] {
  const exact = problems.filter((p) => !p.range && p.index !== null).map((p) => p.index!);
  for (const p of problems) {
    if (!p.range) continue;
    const inside = exact.filter((i) => i >= p.range![0] && i <= p.range![1]);
    if (inside.length > 0) p.index = Math.min(...inside);
  }
  const order = (p: LedgerProblem) => (p.index ?? Infinity) + (p.range ? 0.5 : 0);
  return problems.sort((a, b) => order(a) - order(b));
}

/** What later checks need from an entry: answers' body hashes and the versions runs vouch for. */
function collect(
  entry: ReturnType<typeof parseEntry>,
  index: number,
  answerBodies: Map<string, { index: number; bodySha256: string }>,
  vouched: Map<string, VouchedVersion>,
): void {
  if (entry.kind === "answer" && entry.subject) {
    answerBodies.set(entry.subject, {
      index,
      bodySha256: sha256(canonicalJson(entry.payload.response)),
    });
  }
  if (entry.kind === "ingest.run" && Array.isArray(entry.payload.versions)) {
    for (const v of entry.payload.versions as Omit<VouchedVersion, "index">[])
      vouched.set(v.versionId, { ...v, index });
  }
}

/** Each checkpoint's signature, and its root against the recomputed tree at its size. */
async function verifyCheckpoints(
  db: Database,
  tree: MerkleTree,
  options: { publicKey: LedgerPublicKey; witnessed?: string[] },
  problems: LedgerProblem[],
): Promise<number> {
  const stored = await allCheckpoints(db);
  let lastGood = 0;
  const check = (note: string, what: string) => {
    const verified = verifyCheckpoint(options.publicKey, note);
    if (!verified.ok) {
      problems.push({ index: null, problem: `${what}: ${verified.reason}` });
      return;
    }
    const size = verified.treeSize;
    if (size > tree.size) {
      problems.push({
        index: tree.size,
        problem: `${what} covers ${size} records but the ledger holds ${tree.size}: records ${tree.size}..${size - 1} were deleted`,
      });
    } else if (!verified.root.equals(tree.root(size))) {
      const from = lastGood < size ? lastGood : 0;
      problems.push({
        index: from,
        range: [from, size - 1],
        problem: `${what} (size ${size}) does not match the records: one of records ${from}..${size - 1} was changed, inserted or removed, or the checkpoint was signed over another history`,
      });
    } else {
      lastGood = Math.max(lastGood, size);
    }
  };
  for (const row of stored) check(row.note, `checkpoint ${row.treeSize}`);
  for (const [i, note] of (options.witnessed ?? []).entries())
    check(note, `witnessed checkpoint ${i + 1}`);
  return stored.length;
}

/** Every answer row with a ledger record is byte for byte the body that record holds. */
async function verifyAnswerRows(
  db: Database,
  bodies: Map<string, { index: number; bodySha256: string }>,
  problems: LedgerProblem[],
): Promise<number> {
  let count = 0;
  const seen = new Set<string>();
  for (let after = ""; ;) {
    const rows = await db
      .select({ id: answers.id, body: answers.body, ledgerIndex: answers.ledgerIndex })
      .from(answers)
      .where(and(isNotNull(answers.ledgerIndex), after ? gt(answers.id, after) : undefined))
      .orderBy(asc(answers.id))
      .limit(BATCH);
    for (const row of rows) {
      if (row.ledgerIndex === null) continue;
      count += 1;
      seen.add(row.id);
      const recorded = bodies.get(row.id);
      if (!recorded) {
        problems.push({
          index: row.ledgerIndex,
          problem: `answer ${row.id} names record ${row.ledgerIndex}, which does not record it`,
        });
      } else if (row.body === null || sha256(row.body) !== recorded.bodySha256) {
        problems.push({
          index: recorded.index,
          problem: `answer ${row.id}: the stored body differs from the one its record holds`,
        });
      }
    }
    if (rows.length < BATCH) break;
    after = rows.at(-1)!.id;
  }
  for (const [id, { index }] of bodies)
    if (!seen.has(id)) problems.push({ index, problem: `answer ${id} was deleted from the store` });
  return count;
}
