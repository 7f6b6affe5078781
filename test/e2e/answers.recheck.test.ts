import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSourceText } from "../../ingest/source-text.ts";
import type { Answer, Citation } from "../../src/answer/schema.ts";
import type { AnswerRecheck, DocumentVersions } from "../../src/audit/schema.ts";
import { verifySources } from "../../src/audit/source-files.ts";
import { auditRecords } from "../../src/db/schema/index.ts";
import type { IngestRun } from "../../src/ingestion/schema.ts";
import { storeKinds } from "../support/databases.ts";
import { useRealEncoder } from "../support/encoder.ts";
import { json, startHarness, type Harness } from "../support/harness.ts";

const encoder = useRealEncoder();

const PRICE = "How much does the Basic plan cost?";
const UPTIME = "What monthly uptime percentage does Acme commit to?";
const BILLING = "acme/handbook/billing.md";

/**
 * Issue 11, part 4, over HTTP on each store: a reviewer lists a document's versions and rechecks
 * a past answer as its cited file is edited, re-ingested, deleted and its source removed. The
 * corpus is ingested from the harness's own copy of the files, so every version's source file is
 * one the test may change.
 */
describe.each(storeKinds())("versions and rechecks as the corpus changes on %s", (kind) => {
  let h: Harness;
  let price: Answer;
  let cited: Citation;
  const billingFile = () => join(h.dir, "sources", BILLING);

  beforeAll(async () => {
    h = await startHarness(kind, { embedder: encoder(), template: "empty" });
    await h.ingest();
    price = await ask(PRICE);
    cited = price.citations.find((c) => c.quote.includes("$8 per user per month"))!;
    expect(cited, JSON.stringify(price.citations)).toBeDefined();
  }, 300_000);
  afterAll(async () => h?.close());

  async function ask(question: string): Promise<Answer> {
    const res = await h.post("/v1/answers", { question });
    expect(res.status).toBe(200);
    const answer = (await json(res)) as Answer;
    expect(answer.status, JSON.stringify(answer.reason)).toBe("answered");
    return answer;
  }
  async function recheck(answerId: string): Promise<AnswerRecheck> {
    const res = await h.post(`/v1/answers/${answerId}/recheck`, {});
    expect(res.status, await res.clone().text()).toBe(200);
    return json(res);
  }
  async function versions(documentId: string): Promise<DocumentVersions> {
    const res = await h.get(`/v1/documents/${documentId}/versions`);
    expect(res.status, await res.clone().text()).toBe(200);
    return json(res);
  }
  const ofCited = (r: AnswerRecheck) => r.citations.find((c) => c.citationId === cited.id)!;
  const sourceFileOf = async (citationId: string) =>
    (await json(await h.get(`/v1/citations/${citationId}`))).sourceFile.status;
  const verify = (all = false) =>
    verifySources({ db: h.deps.db, loadText: loadSourceText }, { all });

  it("on the untouched corpus: one version, every citation still supported, recorded in the ledger", async () => {
    const listed = await versions(cited.documentId);
    expect(listed.document).toMatchObject({ id: cited.documentId, path: BILLING, removedAt: null });
    expect(listed.source).toMatchObject({ id: "acme-handbook", removedAt: null });
    expect(listed.versions).toEqual([
      {
        id: cited.versionId,
        version: 1,
        status: "current",
        sha256: cited.sha256,
        rawSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        mediaType: "text/markdown",
        byteLength: (await readFile(billingFile())).byteLength,
        language: "en",
        ingestedAt: expect.any(String),
        ingestedBy: "test-suite",
        ingestRunId: expect.stringMatching(/^run_/),
        supersededAt: null,
      },
    ]);

    const result = await recheck(price.id);
    expect(result.answerId).toBe(price.id);
    expect(result.status).toBe("still_supported");
    expect(result.citations).toHaveLength(price.citations.length);
    expect(ofCited(result)).toMatchObject({
      status: "still_supported",
      failures: [],
      cited: { versionId: cited.versionId, start: cited.start, end: cited.end },
      current: { versionId: cited.versionId, start: cited.start, end: cited.end },
      sourceFile: { status: "matches" },
    });
    // The recheck is a ledger record of its own, holding what the reviewer was told.
    const [record] = await h.deps.db
      .select()
      .from(auditRecords)
      .where(
        and(eq(auditRecords.seq, result.ledgerIndex), eq(auditRecords.kind, "answer.recheck")),
      );
    expect(record!.subject).toBe(price.id);
    const { ledgerIndex: _, answerId: __, ...recorded } = result;
    expect(JSON.parse(record!.entry).payload).toEqual({ answerId: price.id, result: recorded });

    expect(await sourceFileOf(cited.id)).toBe("matches");
    const report = await verify();
    expect(report.ok).toBe(true);
    expect(report.summary).toMatchObject({ checked: 10, matches: 10, problems: 0 });
  });

  it("reports an edited file before it is re-ingested, and the moved quote after", async () => {
    const original = await readFile(billingFile(), "utf8");
    const moved = original.replace("\n\n", "\n\nPrices are per user and exclude tax.\n\n");
    await writeFile(billingFile(), moved);
    // Not re-ingested yet: the stored corpus still supports the answer; its file no longer does.
    expect(await sourceFileOf(cited.id)).toBe("changed");
    const stale = await verify();
    expect(stale.ok).toBe(false);
    expect(stale.versions.find((v) => v.path === BILLING)).toMatchObject({
      status: "changed",
      current: true,
    });
    expect(ofCited(await recheck(price.id))).toMatchObject({
      status: "still_supported",
      sourceFile: { status: "changed" },
    });

    await h.ingest();
    const listed = await versions(cited.documentId);
    expect(listed.versions.map((v) => [v.version, v.status])).toEqual([
      [1, "superseded"],
      [2, "current"],
    ]);
    const [v1, v2] = listed.versions;
    expect(v1!.supersededAt).not.toBeNull();
    expect(Date.parse(v1!.supersededAt!)).toBeLessThanOrEqual(Date.parse(v2!.ingestedAt));
    expect(v2!.supersededAt).toBeNull();
    expect(v2!.rawSha256).not.toBe(v1!.rawSha256);
    expect(v2!.ingestRunId).not.toBe(v1!.ingestRunId);

    const result = ofCited(await recheck(price.id));
    expect(result.status).toBe("still_supported");
    expect(result.current).toMatchObject({ versionId: v2!.id, version: 2 });
    expect(result.current!.start).toBe(
      cited.start + "Prices are per user and exclude tax.\n\n".length,
    );
    // The cited version's file is the edited one now; the current version's matches it.
    expect(await sourceFileOf(cited.id)).toBe("changed");
    expect(result.sourceFile!.status).toBe("matches");
    const report = await verify(true);
    expect(report.ok).toBe(true);
    expect(report.versions.filter((v) => v.path === BILLING).map((v) => v.status)).toEqual([
      "changed",
      "matches",
    ]);
  });

  it("reports `changed` once the quote is edited away and re-ingested", async () => {
    const text = await readFile(billingFile(), "utf8");
    await writeFile(billingFile(), text.replace("$8 per user per month", "$9 per user per month"));
    await h.ingest();
    expect((await versions(cited.documentId)).versions).toHaveLength(3);
    const result = await recheck(price.id);
    expect(result.status).toBe("changed");
    expect(ofCited(result)).toMatchObject({
      status: "changed",
      current: null,
      failures: ["QUOTE_NOT_IN_CURRENT_VERSION"],
    });
  });

  it("reports `removed` once the file is deleted or its source removed", async () => {
    const uptime = await ask(UPTIME);
    expect((await recheck(uptime.id)).status).toBe("still_supported");
    await rm(billingFile());
    await h.ingest();
    const listed = await versions(cited.documentId);
    expect(listed.document.removedAt).not.toBeNull();
    expect(listed.versions).toHaveLength(3);
    expect(ofCited(await recheck(price.id))).toMatchObject({
      status: "removed",
      failures: ["DOCUMENT_REMOVED"],
      sourceFile: null,
    });
    // The searchable corpus no longer holds the file; all versions do, with its file missing.
    expect((await verify()).versions.some((v) => v.path === BILLING)).toBe(false);
    const all = await verify(true);
    expect(all.versions.filter((v) => v.path === BILLING).at(-1)!.status).toBe("missing");

    const sourceId = "acme-policies";
    expect(uptime.citations.every((c) => c.sourceId === sourceId)).toBe(true);
    const started = await h.post("/v1/ingest-runs", { removeSource: sourceId });
    expect(started.status).toBe(202);
    let run = (await json(started)) as IngestRun;
    while (run.status === "running") {
      await new Promise((resolve) => setTimeout(resolve, 50));
      run = await json(await h.get(run.links.self));
    }
    expect(run.status).toBe("finished");
    const removed = await recheck(uptime.id);
    expect(removed.status).toBe("removed");
    for (const c of removed.citations)
      expect(c).toMatchObject({
        status: "removed",
        failures: expect.arrayContaining(["SOURCE_REMOVED"]),
      });
    const policy = uptime.citations.find((c) => c.sourceId === sourceId)!;
    expect((await versions(policy.documentId)).source.removedAt).not.toBeNull();
  });
});
