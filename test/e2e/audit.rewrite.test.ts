import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSourceText } from "../../ingest/source-text.ts";
import type { Answer } from "../../src/answer/schema.ts";
import type { AnswerRecheck } from "../../src/audit/schema.ts";
import { verifySources } from "../../src/audit/source-files.ts";
import { storeKinds } from "../support/databases.ts";
import { useRealEncoder } from "../support/encoder.ts";
import { json, startHarness, type Harness } from "../support/harness.ts";

const encoder = useRealEncoder();

const PRICE = "How much does the Basic plan cost?";

/**
 * The consistent-rewrite attack of issue 11, on each store: someone with write access to the
 * database rewrites a version's text and text_sha256, and its chunks' text and sha256, together
 * ("$8" -> "$1"). Every stored hash still verifies, so new answers quote "$1" as verified; only
 * the source file on disk can tell, and the source-file checks must.
 */
describe.each(storeKinds())("a consistent rewrite of stored text on %s", (kind) => {
  let h: Harness;
  let before: Answer;
  let after: Answer;

  const ask = async (question: string): Promise<Answer> =>
    (await json(await h.post("/v1/answers", { question }))) as Answer;
  const rewrite = (column: string) =>
    sql.raw(`replace(${column}, '$8 per user per month', '$1 per user per month')`);
  const hexSha256 = (text: ReturnType<typeof rewrite>) =>
    sql`encode(sha256(convert_to(${text}, 'UTF8')), 'hex')`;

  beforeAll(async () => {
    h = await startHarness(kind, { embedder: encoder() });
    before = await ask(PRICE);
    const versionId = before.citations.find((c) => c.quote.includes("$8 per user"))!.versionId;
    await h.deps.db.execute(sql`
      update document_versions
      set text = ${rewrite("text")}, text_sha256 = ${hexSha256(rewrite("text"))}
      where id = ${versionId}`);
    await h.deps.db.execute(sql`
      update chunks set text = ${rewrite("text")}, sha256 = ${hexSha256(rewrite("text"))}
      where version_id = ${versionId} and text like '%$8 per user per month%'`);
    after = await ask(PRICE);
  });
  afterAll(async () => h?.close());

  it("goes unnoticed by the stored hashes: the new answer quotes $1, verified", async () => {
    expect(after.status).toBe("answered");
    const quoted = after.citations.find((c) => c.quote.includes("$1 per user per month"));
    expect(quoted, JSON.stringify(after.citations)).toBeDefined();
    const trace = await json(await h.get(`/v1/citations/${quoted!.id}`));
    expect(trace.verification).toEqual({ verified: true, failures: [] });
    // ... but not by the source file, which still says $8.
    expect(trace.sourceFile).toEqual({ status: "text_mismatch", checkedAt: expect.any(String) });
  });

  it("is reported by verify-sources for that version, and only for it", async () => {
    const report = await verifySources({ db: h.deps.db, loadText: loadSourceText });
    expect(report.ok).toBe(false);
    const tampered = report.versions.filter((v) => v.status !== "matches");
    expect(tampered).toEqual([
      expect.objectContaining({
        path: "acme/handbook/billing.md",
        versionId: after.citations.find((c) => c.quote.includes("$1"))!.versionId,
        status: "text_mismatch",
        current: true,
      }),
    ]);
    expect(report.summary).toMatchObject({ text_mismatch: 1, problems: 1 });
    // Comparing bytes alone cannot see it: the file itself was never touched.
    const bytesOnly = await verifySources({ db: h.deps.db });
    expect(bytesOnly.versions.every((v) => v.status === "matches")).toBe(true);
  });

  it("turns both answers' rechecks to `changed`", async () => {
    const recheck = async (id: string): Promise<AnswerRecheck> =>
      json(await h.post(`/v1/answers/${id}/recheck`, {}));
    const old = (await recheck(before.id)).citations.find((c) => c.quote.includes("$8"))!;
    expect(old.status).toBe("changed");
    expect(old.failures).toContain("VERSION_HASH_MISMATCH");
    const fresh = (await recheck(after.id)).citations.find((c) => c.quote.includes("$1"))!;
    expect(fresh.status).toBe("changed");
    expect(fresh.failures).toEqual(["SOURCE_TEXT_MISMATCH"]);
    expect(fresh.sourceFile?.status).toBe("text_mismatch");
  });
});
