import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeKinds } from "../support/databases.ts";
import { useRealEncoder } from "../support/encoder.ts";
import { json, startHarness, type Harness } from "../support/harness.ts";

const encoder = useRealEncoder();

/** Every own-words question about the sample corpus, answerable and not, plus a few in its words. */
async function questions(): Promise<string[]> {
  const fixture = JSON.parse(
    await readFile(new URL("../../lab/fixtures/own-words.json", import.meta.url), "utf8"),
  ) as { answerable: { question: string }[]; unanswerable: string[] };
  return [
    "How much does the Basic plan cost?",
    "How long are deleted files kept in the trash?",
    "What does the Basic plan cost and how long are deleted files kept in the trash?",
    ...fixture.answerable.map((q) => q.question),
    ...fixture.unanswerable,
  ];
}

/** What an answer says, without what differs between any two askings (ids, times, ledger). */
function gist(body: {
  status: string;
  reason: { code: string } | null;
  support: number | null;
  sentences: { text: string }[];
  citations: { versionId: string; start: number; end: number; score: number }[];
}) {
  return {
    status: body.status,
    reason: body.reason?.code ?? null,
    support: body.support,
    sentences: body.sentences.map((s) => s.text),
    citations: body.citations.map((c) => [c.versionId, c.start, c.end, c.score]),
  };
}

/**
 * The in-memory BM25 index with in-process text analysis (the default) must answer exactly as
 * BM25 in SQL (VERITY_LEXICAL=sql) does, on the same store.
 */
describe.each(storeKinds())("in-memory lexical search on %s", (kind) => {
  let sql: Harness;
  let memory: Harness;
  beforeAll(async () => {
    sql = await startHarness(kind, { embedder: encoder(), env: { VERITY_LEXICAL: "sql" } });
    memory = await startHarness(kind, { embedder: encoder() });
  });
  afterAll(async () => {
    await sql?.close();
    await memory?.close();
  });

  it("gives every answer and refusal the SQL path gives", async () => {
    expect(memory.deps.index.current().lexical?.chunkCount()).toBeGreaterThan(0);
    expect(sql.deps.index.current().lexical).toBeNull();
    const asked = await questions();
    let answered = 0;
    for (const question of asked) {
      const [a, b] = await Promise.all(
        [sql, memory].map((h) => h.post("/v1/answers", { question }).then(json)),
      );
      // Version ids differ between the two stores' copies only if ingest differed: it did not.
      expect(gist(b), question).toEqual(gist(a));
      if (a.status !== "refused") answered += 1;
    }
    expect(answered).toBeGreaterThan(5);
  });

  it("follows a source filter inside the search", async () => {
    const question = "How long are deleted files kept in the trash?";
    const filtered = await json(
      await memory.post("/v1/answers", { question, sourceIds: ["acme-policies"] }),
    );
    expect(filtered.citations.length).toBeGreaterThan(0);
    for (const c of filtered.citations) expect(c.sourceId).toBe("acme-policies");
  });
});
