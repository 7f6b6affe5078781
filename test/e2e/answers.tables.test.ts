import { cp, rm } from "node:fs/promises";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Answer } from "../../src/answer/schema.ts";
import { documentVersions } from "../../src/db/schema/index.ts";
import { storeKinds } from "../support/databases.ts";
import { useRealEncoder } from "../support/encoder.ts";
import { json, startHarness, type Harness } from "../support/harness.ts";

const encoder = useRealEncoder();

/** A help centre whose facts below are stated only in a Markdown table and an HTML table. */
const CORPUS = new URL("../fixtures/tables/", import.meta.url).pathname;
const HEADER_ROWS = [
  "Plan | Trash retention | Version history",
  "Channel | Opening times | First reply",
];

/**
 * Tables are evidence: a question answered only by a table row is answered, the citation quotes
 * that row exactly as the stored version holds it, and a header row is never an answer.
 */
describe.each(storeKinds())("answers from tables on %s", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind, { embedder: encoder(), template: "empty" });
    // The harness's manifest folder becomes this corpus, so its own ingest reads only these files.
    const sources = join(h.dir, "sources");
    await rm(sources, { recursive: true, force: true });
    await cp(CORPUS, sources, { recursive: true });
    const summary = await h.ingest();
    expect(summary.files).toMatchObject({ seen: 2, added: 2, failed: 0 });
  });
  afterAll(async () => h?.close());

  async function ask(question: string): Promise<Answer> {
    const res = await h.post("/v1/answers", { question });
    expect(res.status).toBe(200);
    return (await json(res)) as Answer;
  }

  /** The stored version text between the citation's offsets, read from the store itself. */
  async function storedSpan(citation: Answer["citations"][number]): Promise<string> {
    const [version] = await h.deps.db
      .select({ text: documentVersions.text })
      .from(documentVersions)
      .where(eq(documentVersions.id, citation.versionId));
    return version!.text.slice(citation.start, citation.end);
  }

  it.each([
    ["How long is the version history on the Team plan?", "Team | 45 days | 120 days"],
    [
      "How fast is the first reply by telephone?",
      "Telephone | Weekdays from 8:00 to 18:00 CET | Within two minutes",
    ],
  ])("answers %j by quoting the table row", async (question, row) => {
    const answer = await ask(question);
    expect(answer.status).toBe("answered");
    const citation = answer.citations.find((c) => c.quote === row);
    expect(citation, JSON.stringify(answer.citations.map((c) => c.quote))).toBeDefined();
    expect(await storedSpan(citation!)).toBe(row);
    const trace = await json(await h.get(`/v1/citations/${citation!.id}`));
    expect(trace.verification).toEqual({ verified: true, failures: [] });
    expect(trace.quote).toBe(row);
    // The quoted row sits in its table: the line above it is the header or another row.
    expect(trace.context.before).toMatch(/ \| [^\n]*\n$/);
  });

  it.each(["retention", "channel"])("never answers %j with a header row", async (question) => {
    const answer = await ask(question);
    for (const citation of answer.citations) {
      expect(HEADER_ROWS).not.toContain(citation.quote);
      expect(await storedSpan(citation)).toBe(citation.quote);
    }
    for (const sentence of answer.sentences) expect(HEADER_ROWS).not.toContain(sentence.text);
  });
});
