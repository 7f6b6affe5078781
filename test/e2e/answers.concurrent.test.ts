import { inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditRecords, documentVersions } from "../../src/db/schema/index.ts";
import { canonicalJson } from "../../src/ledger/canonical-json.ts";
import { verifyLedger } from "../../src/ledger/verify-ledger.ts";
import { storeKinds } from "../support/databases.ts";
import { useRealEncoder } from "../support/encoder.ts";
import { json, startHarness, type Harness } from "../support/harness.ts";

const encoder = useRealEncoder();

const QUESTIONS = [
  "How much does the Basic plan cost?",
  "How long are deleted files kept in the trash?",
  "What is the minimum password length?",
  "What is the capital of France?",
];

/**
 * Many clients asking at once each get their own answer with its own ledger record, and the log
 * stays one gap-free chain; an answer never cites text another process's ingest has replaced.
 */
describe.each(storeKinds())("concurrent answers on %s", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind, { embedder: encoder() });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("records 32 concurrent answers at consecutive ledger indexes, each holding its body", async () => {
    const responses = await Promise.all(
      Array.from({ length: 32 }, (_, i) =>
        h.post("/v1/answers", { question: QUESTIONS[i % QUESTIONS.length] }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));
    const bodies = await Promise.all(responses.map((r) => r.text()));
    const answers = bodies.map((b) => JSON.parse(b));
    const indexes = answers.map((a) => a.ledger.index).sort((a, b) => a - b);
    expect(indexes).toEqual(indexes.map((_, i) => indexes[0] + i));

    const records = await h.deps.db
      .select()
      .from(auditRecords)
      .where(inArray(auditRecords.seq, indexes));
    const bySeq = new Map(records.map((r) => [r.seq, r]));
    answers.forEach((answer, i) => {
      const record = bySeq.get(answer.ledger.index)!;
      expect(record).toMatchObject({ kind: "answer", subject: answer.id });
      expect(canonicalJson(JSON.parse(record.entry).payload.response)).toBe(bodies[i]);
    });
    const report = await verifyLedger(h.deps.db, { publicKey: h.deps.ledger.signer! });
    expect(report.problems).toEqual([]);
  });

  it("answers again from the current text when the cited one was superseded meanwhile", async () => {
    const question = QUESTIONS[0]!;
    const first = await json(await h.post("/v1/answers", { question }));
    const cited: string[] = first.citations.map((c: { versionId: string }) => c.versionId);
    expect(cited.length).toBeGreaterThan(0);
    // Another process's ingest replaced the page; this process's index has not looked yet.
    await h.deps.db
      .update(documentVersions)
      .set({ supersededAt: new Date() })
      .where(inArray(documentVersions.id, cited));
    const res = await h.post("/v1/answers", { question });
    expect(res.status).toBe(200);
    const second = await json(res);
    expect(
      second.citations.filter((c: { versionId: string }) => cited.includes(c.versionId)),
    ).toEqual([]);
    const report = await verifyLedger(h.deps.db, { publicKey: h.deps.ledger.signer! });
    expect(report.problems).toEqual([]);
  });
});
