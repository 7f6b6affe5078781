import { describe, expect, it } from "vitest";
import { createAnswerRecorder } from "../../src/answer/answer-recorder.ts";
import type { AnswerToRecord } from "../../src/answer/record-batch.ts";
import type { Database } from "../../src/db/client.ts";

/** A database whose every transaction fails with `error`, counting the attempts. */
function failingDatabase(error: Error & { code: string }) {
  const counter = { transactions: 0 };
  const db = {
    transaction: async () => {
      counter.transactions += 1;
      throw error;
    },
  } as unknown as Database;
  return { db, counter };
}

const anAnswer = {} as AnswerToRecord;

/** Records asked for in one tick: the first runs alone, the rest queue behind it as one batch. */
const recordFour = (db: Database) => {
  const recorder = createAnswerRecorder(db);
  return Promise.allSettled(Array.from({ length: 4 }, () => recorder.record(anAnswer)));
};

describe("a failed batch of answer records", () => {
  it("is retried one record at a time when the failure may be one record's", async () => {
    const duplicate = Object.assign(new Error("duplicate key"), { code: "23505" });
    const { db, counter } = failingDatabase(duplicate);
    const settled = await recordFour(db);
    expect(settled.map((s) => s.status)).toEqual(["rejected", "rejected", "rejected", "rejected"]);
    // One alone, the batch of three, then each of the three alone.
    expect(counter.transactions).toBe(5);
  });

  it("fails every record at once when the database cannot be reached", async () => {
    const down = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const { db, counter } = failingDatabase(down);
    const settled = await recordFour(db);
    expect(settled.every((s) => s.status === "rejected" && s.reason === down)).toBe(true);
    expect(counter.transactions).toBe(2);
  });
});
