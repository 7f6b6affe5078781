import type { Database } from "../db/client.ts";
import { isDatabaseUnavailable } from "../errors.ts";
import type { LedgerHead } from "../ledger/append.ts";
import {
  writeAnswerBatch,
  writeAnswerBatchAt,
  type AnswerToRecord,
  type RecordedBody,
} from "./record-batch.ts";
import { StaleEvidenceError } from "./stale-evidence.ts";

/**
 * Answers recorded per transaction at most: bounds a statement's size (and the parameters of its
 * inserts) and what one failed batch makes retry alone.
 */
export const MAX_BATCH = 64;

/** Records answers of one database, group-committed. */
export type AnswerRecorder = { record(item: AnswerToRecord): Promise<RecordedBody> };

type Queued = {
  item: AnswerToRecord;
  resolve(recorded: RecordedBody): void;
  reject(error: unknown): void;
};

/**
 * Group commit: one record write runs at a time, and the answers that arrive while it runs wait
 * and are then recorded together by the next (up to `maxBatch`), at consecutive ledger indexes in
 * arrival order. A lone answer is written at once: nothing ever waits to fill a batch. Each
 * caller's promise settles only after the write holding its record has committed (or failed).
 *
 * A write is one statement at the ledger head the recorder's last write left (writeAnswerBatchAt:
 * one round trip), whenever that is known; otherwise, or when the head moved (another append) or
 * a citation is stale, a transaction under the ledger lock (writeAnswerBatch), which finds the
 * head and checks every answer on its own.
 *
 * A batch that fails rolls back whole. Its answers are then recorded one per transaction, so a
 * record that cannot be written fails alone and not its neighbours; unless the database cannot be
 * reached, when every one of them fails at once with that error (a 503) instead of waiting for
 * the same failure one after another.
 */
export function createAnswerRecorder(
  db: Database,
  options: { maxBatch?: number } = {},
): AnswerRecorder {
  const maxBatch = options.maxBatch ?? MAX_BATCH;
  const queue: Queued[] = [];
  const ledger: ExpectedHead = { head: null };
  let draining = false;

  const drain = async () => {
    draining = true;
    try {
      while (queue.length > 0) await write(db, ledger, queue.splice(0, maxBatch));
    } finally {
      draining = false;
    }
  };
  return {
    record(item) {
      return new Promise<RecordedBody>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (!draining) void drain();
      });
    },
  };
}

/** Where the recorder's last write left the ledger's head; null when not known. */
type ExpectedHead = { head: LedgerHead | null };

/** Record `batch` and settle every promise in it; never throws. */
async function write(db: Database, ledger: ExpectedHead, batch: Queued[]): Promise<void> {
  const expected = ledger.head;
  ledger.head = null;
  if (expected) {
    // Never before the last record's time, should the clock step back.
    const head = { index: expected.index, time: new Date(Math.max(Date.now(), +expected.time)) };
    try {
      const recorded = await writeAnswerBatchAt(
        db,
        batch.map((q) => q.item),
        head,
      );
      if (recorded) {
        ledger.head = { index: head.index + batch.length, time: head.time };
        batch.forEach((q, i) => q.resolve(recorded[i]!));
        return;
      }
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        for (const q of batch) q.reject(error);
        return;
      }
      // Whatever it was (another append took the index first, a record that cannot be
      // written), nothing was written: the locked way finds out and answers for it.
    }
  }
  await commit(db, ledger, batch);
}

/** Record `batch` in one transaction under the ledger lock and settle every promise in it. */
async function commit(db: Database, ledger: ExpectedHead, batch: Queued[]): Promise<void> {
  let outcomes: (RecordedBody | StaleEvidenceError)[];
  try {
    const written = await db.transaction((tx) =>
      writeAnswerBatch(
        tx as unknown as Database,
        batch.map((q) => q.item),
      ),
    );
    outcomes = written.outcomes;
    ledger.head = written.head;
  } catch (error) {
    if (batch.length === 1 || isDatabaseUnavailable(error)) {
      for (const q of batch) q.reject(error);
      return;
    }
    for (const q of batch) await commit(db, ledger, [q]);
    return;
  }
  batch.forEach((q, i) => {
    const outcome = outcomes[i]!;
    if (outcome instanceof StaleEvidenceError) q.reject(outcome);
    else q.resolve(outcome);
  });
}

/** One recorder per database handle, made on first use: the queue is the handle's. */
const recorders = new WeakMap<Database, AnswerRecorder>();

export function answerRecorderFor(db: Database): AnswerRecorder {
  let recorder = recorders.get(db);
  if (!recorder) {
    recorder = createAnswerRecorder(db);
    recorders.set(db, recorder);
  }
  return recorder;
}
