import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, inArray, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { askQuestion } from "../../src/answer/ask.ts";
import { answerQuestion, type Answered } from "../../src/answer/compose.ts";
import { recordAnswer, type Asked } from "../../src/answer/record.ts";
import { citedVersions, StaleEvidenceError } from "../../src/answer/stale-evidence.ts";
import { DEFAULT_TENANT } from "../../src/auth/keys.ts";
import { openDatabase, type Database } from "../../src/db/client.ts";
import { auditRecords, documentVersions } from "../../src/db/schema/index.ts";
import { newId } from "../../src/ids.ts";
import { appendRecord, lockLedger, prepareAppend } from "../../src/ledger/append.ts";
import { queryPrepared } from "../../src/db/query.ts";
import { canonicalJson } from "../../src/ledger/canonical-json.ts";
import { ledgerSize } from "../../src/ledger/records.ts";
import { verifyLedger } from "../../src/ledger/verify-ledger.ts";
import { createIndexHolder } from "../../src/retrieval/index-holder.ts";
import { storeKinds } from "../support/databases.ts";
import { useRealEncoder } from "../support/encoder.ts";
import { startHarness, type Harness } from "../support/harness.ts";

const encoder = useRealEncoder();

/** Questions of the sample corpus and the documents their answers cite. */
const BASIC_PLAN = "How much does the Basic plan cost?"; // billing
const TRASH = "How long are deleted files kept in the trash?"; // troubleshooting, sync-and-backup
const PASSWORD = "What is the minimum password length?"; // security, account-faq
const REFUSED = "What is the capital of France?";

const ASKED: Asked = {
  tenant: DEFAULT_TENANT,
  keyId: null,
  requestId: null,
  sourceIds: null,
  reviewReason: null,
};

/** The same answer under new ids, as another request answering the same question would give. */
function again(answered: Answered): Answered {
  const { answer } = answered;
  const citations = answer.citations.map((c) => ({ ...c, id: newId("cit") }));
  return { ...answered, answer: { ...answer, id: newId("ans"), citations } };
}

/**
 * Answer records are group-committed: records asked for while one transaction runs are written
 * together by the next, at consecutive ledger indexes in the order they were asked for; a record
 * that cannot be written fails alone; and an answer citing a version another process superseded
 * after the index was built is never recorded.
 */
describe.each(storeKinds())("answer records on %s", (kind) => {
  let h: Harness;
  /**
   * The harness's database, counting the transactions started on it and the statements run on
   * it outside them (a record written at the expected ledger head is one such statement).
   */
  let counted: Database;
  let transactions = 0;
  let statements = 0;
  const writes = () => ({ transactions, statements });

  beforeAll(async () => {
    h = await startHarness(kind, { embedder: encoder() });
    const db = h.deps.db;
    const session = Object.create(db._.session, {
      prepareQuery: {
        value: (...args: Parameters<Database["_"]["session"]["prepareQuery"]>) => {
          statements += 1;
          return db._.session.prepareQuery(...args);
        },
      },
    }) as Database["_"]["session"];
    counted = Object.create(db, {
      _: { value: { ...db._, session } },
      transaction: {
        value: (...args: Parameters<Database["transaction"]>) => {
          transactions += 1;
          return db.transaction(...args);
        },
      },
    }) as Database;
  });
  afterAll(async () => {
    await h?.close();
  });

  const compose = (question: string) =>
    answerQuestion(h.deps, { question, tenant: DEFAULT_TENANT });
  const record = (answered: Answered, db: Database = counted) =>
    recordAnswer(db, answered, ASKED, h.deps.index.current().index.state);
  const supersede = (versionIds: string[]) =>
    h.deps.db
      .update(documentVersions)
      .set({ supersededAt: new Date() })
      .where(inArray(documentVersions.id, versionIds));
  const stillCurrent = async (versionIds: string[]) =>
    (
      await h.deps.db
        .select({ id: documentVersions.id })
        .from(documentVersions)
        .where(and(inArray(documentVersions.id, versionIds), isNull(documentVersions.supersededAt)))
    ).length === versionIds.length;

  it("records what queued behind a running transaction in one more, in the order asked", async () => {
    const answered = await compose(BASIC_PLAN);
    // The first is written at once, under the ledger lock (this recorder has not written yet, so
    // it does not know the head); the 69 asked meanwhile fill one write of 64, then one of 5,
    // each one statement at the head the write before left.
    const recorded = await Promise.all(Array.from({ length: 70 }, () => record(again(answered))));
    expect(writes()).toEqual({ transactions: 1, statements: 2 });
    const first = recorded[0]!.answer.ledger.index;
    expect(recorded.map((r) => r.answer.ledger.index)).toEqual(
      Array.from({ length: 70 }, (_, i) => first + i),
    );
    const rows = await h.deps.db
      .select({ seq: auditRecords.seq, subject: auditRecords.subject, entry: auditRecords.entry })
      .from(auditRecords)
      .where(
        inArray(
          auditRecords.seq,
          recorded.map((r) => r.answer.ledger.index),
        ),
      );
    const bySeq = new Map(rows.map((r) => [r.seq, r]));
    for (const { answer, body } of recorded) {
      const row = bySeq.get(answer.ledger.index)!;
      expect(row.subject).toBe(answer.id);
      expect(canonicalJson(JSON.parse(row.entry).payload.response)).toBe(body);
    }
    const report = await verifyLedger(h.deps.db, { publicKey: h.deps.ledger.signer! });
    expect(report.problems).toEqual([]);
  });

  it("interleaves with other appends, and with another process's records on PostgreSQL", async () => {
    const answered = await compose(BASIC_PLAN);
    const size = await ledgerSize(h.deps.db);
    // Another process sharing the PostgreSQL: its own connections and its own recorder.
    const other =
      kind === "postgres" ? await openDatabase({ url: h.deps.config.DATABASE_URL! }) : null;
    try {
      const writes = await Promise.all([
        ...Array.from({ length: 24 }, () =>
          record(again(answered)).then((r) => r.answer.ledger.index),
        ),
        ...Array.from({ length: 8 }, (_, i) =>
          appendRecord(h.deps.db, {
            kind: "review",
            actor: { tenant: DEFAULT_TENANT, keyId: null },
            requestId: null,
            subject: `rev_${i}`,
            payload: () => ({ note: "appended beside answers" }),
          }).then((a) => a.index),
        ),
        ...(other
          ? Array.from({ length: 24 }, () =>
              record(again(answered), other.db).then((r) => r.answer.ledger.index),
            )
          : []),
      ]);
      expect([...writes].sort((a, b) => a - b)).toEqual(writes.map((_, i) => size + i));
    } finally {
      await other?.close();
    }
    const report = await verifyLedger(h.deps.db, { publicKey: h.deps.ledger.signer! });
    expect(report.problems).toEqual([]);
  });

  it("fails a record that cannot be written alone, not the batch it was in", async () => {
    const answered = await compose(BASIC_PLAN);
    const broken = again(answered);
    broken.answer.citations = broken.answer.citations.map((c) => ({ ...c, chunkId: "chk_gone" }));
    const blocker = record(again(answered));
    const [good, bad, alsoGood] = await Promise.allSettled([
      record(again(answered)),
      record(broken),
      record(again(answered)),
    ]);
    const first = (await blocker).answer.ledger.index;
    expect(bad.status).toBe("rejected");
    expect(good).toMatchObject({
      status: "fulfilled",
      value: { answer: { ledger: { index: first + 1 } } },
    });
    expect(alsoGood).toMatchObject({
      status: "fulfilled",
      value: { answer: { ledger: { index: first + 2 } } },
    });
    expect(await ledgerSize(h.deps.db)).toBe(first + 3);
    const report = await verifyLedger(h.deps.db, { publicKey: h.deps.ledger.signer! });
    expect(report.problems).toEqual([]);
  });

  it("writes at the head its last write left in one statement, the locked way once it moved", async () => {
    const answered = await compose(BASIC_PLAN);
    const first = (await record(again(answered))).answer.ledger.index;
    const before = writes();
    const second = await record(again(answered));
    expect(writes()).toEqual({ ...before, statements: before.statements + 1 });
    expect(second.answer.ledger.index).toBe(first + 1);
    // Another append moves the head: the statement at the old head writes nothing, and the
    // record goes after that append, under the lock.
    const review = await appendRecord(h.deps.db, {
      kind: "review",
      actor: { tenant: DEFAULT_TENANT, keyId: null },
      requestId: null,
      subject: "rev_moved",
      payload: () => ({ note: "moves the head" }),
    });
    expect(review.index).toBe(first + 2);
    const third = await record(again(answered));
    expect(writes()).toEqual({
      transactions: before.transactions + 1,
      statements: before.statements + 2,
    });
    expect(third.answer.ledger.index).toBe(first + 3);
    expect(await ledgerSize(h.deps.db)).toBe(first + 4);
    const report = await verifyLedger(h.deps.db, { publicKey: h.deps.ledger.signer! });
    expect(report.problems).toEqual([]);
  });

  it("neither forks the log nor fails an append that holds the lock while a record waits", async () => {
    const answered = await compose(BASIC_PLAN);
    const first = (await record(again(answered))).answer.ledger.index;
    // An append that takes the lock and reads the next index, then holds both a while before it
    // writes there: on PostgreSQL the record's statement starts meanwhile and must wait for the
    // lock (its snapshot, taken before that append commits, shows the index free), else it would
    // take the index and fail the append; PGlite runs one at a time.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let taken!: () => void;
    const locked = new Promise<void>((resolve) => (taken = resolve));
    const holder = h.deps.db.transaction(async (txn) => {
      const tx = txn as unknown as Database;
      const head = await lockLedger(tx);
      taken();
      await held;
      const { appended, insert } = prepareAppend(head, [
        {
          kind: "review",
          actor: { tenant: DEFAULT_TENANT, keyId: null },
          requestId: null,
          subject: "rev_holding",
          payload: () => ({ note: "holds the ledger lock" }),
        },
      ]);
      await queryPrepared(tx, insert!);
      return appended[0]!.index;
    });
    await locked;
    const recording = record(again(answered));
    await new Promise((resolve) => setTimeout(resolve, 150));
    release();
    expect(await holder).toBe(first + 1);
    expect((await recording).answer.ledger.index).toBe(first + 2);
    expect(await ledgerSize(h.deps.db)).toBe(first + 3);
    const report = await verifyLedger(h.deps.db, { publicKey: h.deps.ledger.signer! });
    expect(report.problems).toEqual([]);
  });

  it("rejects an answer citing a version superseded since the index was built", async () => {
    const answered = await compose(BASIC_PLAN);
    const cited = citedVersions(answered.answer);
    expect(cited.length).toBeGreaterThan(0);
    // What another process's ingest does to a changed file, unseen by this process's index.
    await supersede(cited);
    const size = await ledgerSize(h.deps.db);
    const error = await record(answered).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StaleEvidenceError);
    expect([...(error as StaleEvidenceError).versionIds].sort()).toEqual([...cited].sort());
    expect(await ledgerSize(h.deps.db)).toBe(size);
  });

  it("records the fine answers of a batch holding a stale one", async () => {
    const [stale, fine, refusal] = await Promise.all([
      compose(TRASH),
      compose(PASSWORD),
      compose(REFUSED),
    ]);
    const staleVersions = citedVersions(stale.answer);
    const fineVersions = citedVersions(fine.answer);
    expect(fineVersions.length).toBeGreaterThan(0);
    expect(fineVersions.filter((v) => staleVersions.includes(v))).toEqual([]);
    await supersede(staleVersions);
    const before = writes();
    // The refusal is written alone; the other two queue behind it and share the next write,
    // which finds a stale citation (one statement that writes nothing), so it is done again
    // under the ledger lock, where each answer is checked on its own (one transaction).
    const blocker = record(refusal);
    const [rejected, recorded] = await Promise.allSettled([record(stale), record(fine)]);
    expect(writes()).toEqual({
      transactions: before.transactions + 1,
      statements: before.statements + 2,
    });
    expect(rejected.status).toBe("rejected");
    expect((rejected as PromiseRejectedResult).reason).toBeInstanceOf(StaleEvidenceError);
    const index = (await blocker).answer.ledger.index + 1;
    expect(recorded).toMatchObject({
      status: "fulfilled",
      value: { answer: { ledger: { index } } },
    });
    expect(await ledgerSize(h.deps.db)).toBe(index + 1);
  });

  it("refuses when the answer is still stale after the index caught up", async () => {
    // An index that keeps lagging: built now, never following the store.
    const dir = await mkdtemp(join(tmpdir(), "verity-lagging-index-"));
    try {
      const lagging = await createIndexHolder({
        db: h.deps.db,
        dataDir: dir,
        embedder: h.deps.embedder,
        lexical: h.deps.config.VERITY_LEXICAL === "memory",
      });
      const frozen = lagging.current();
      const cited = citedVersions((await compose(PASSWORD)).answer);
      expect(await stillCurrent(cited)).toBe(true);
      await supersede(cited);
      const index = {
        current: () => frozen,
        refresh: async () => {},
        remember: () => {},
        settle: async () => {},
      };
      const { answer, body } = await askQuestion(
        { ...h.deps, index },
        { question: PASSWORD, tenant: DEFAULT_TENANT },
      );
      expect(answer.status).toBe("refused");
      expect(answer.reason?.code).toBe("UNVERIFIED_EVIDENCE");
      expect(answer.citations).toEqual([]);
      const [row] = await h.deps.db
        .select({ entry: auditRecords.entry })
        .from(auditRecords)
        .where(inArray(auditRecords.seq, [answer.ledger.index]));
      expect(canonicalJson(JSON.parse(row!.entry).payload.response)).toBe(body);
      await lagging.settle();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
