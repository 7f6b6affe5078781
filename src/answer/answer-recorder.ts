import type { Database } from "../db/client.ts";
import { isDatabaseUnavailable } from "../errors.ts";
import { writeAnswerBatch, type AnswerToRecord, type RecordedBody } from "./record-batch.ts";
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
 * Group commit: one record transaction runs at a time, and the answers that arrive while it runs
 * wait and are then recorded together by the next (up to `maxBatch`), under one ledger lock, at
 * consecutive ledger indexes in arrival order (writeAnswerBatch). A lone answer starts its
 * transaction at once: nothing ever waits to fill a batch. Each caller's promise settles only
 * after the transaction holding its record has committed (or failed).
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
  let draining = false;

  const drain = async () => {
    draining = true;
    try {
      while (queue.length > 0) await commit(db, queue.splice(0, maxBatch));
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

/** Record `batch` in one transaction and settle every promise in it; never throws. */
async function commit(db: Database, batch: Queued[]): Promise<void> {
  let outcomes: (RecordedBody | StaleEvidenceError)[];
  try {
    outcomes = await db.transaction((tx) =>
      writeAnswerBatch(
        tx as unknown as Database,
        batch.map((q) => q.item),
      ),
    );
  } catch (error) {
    if (batch.length === 1 || isDatabaseUnavailable(error)) {
      for (const q of batch) q.reject(error);
      return;
    }
    for (const q of batch) await commit(db, [q]);
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
