import { cp, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { and, eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatSummary } from "../../ingest/report.ts";
import type { IngestSummary } from "../../ingest/pipeline.ts";
import type { Answer } from "../../src/answer/schema.ts";
import { documentIdFor } from "../../ingest/persist.ts";
import { chunks, documentVersions } from "../../src/db/schema/index.ts";
import { sha256 } from "../../src/hash.ts";
import { storeKinds } from "../support/databases.ts";
import { useRealEncoder } from "../support/encoder.ts";
import { json, startHarness, type Harness } from "../support/harness.ts";

const encoder = useRealEncoder();

/**
 * A help centre ingested with PII redaction on, and a forum without it whose upload-limit post
 * carries a prompt injection after its one fact.
 */
const CORPUS = new URL("../fixtures/untrusted/", import.meta.url).pathname;
const EXCLUDING = new URL("../fixtures/policy/exclude-suspected-injection.json", import.meta.url)
  .pathname;

const UPLOAD_QUESTION = "What is the upload limit for shared folders?";
const UPLOAD_FACT = "Posted by sam_k: The upload limit for shared folders is 40 GB per file.";
const BILLING_QUESTION = "How quickly does the billing team reply?";
const BILLING_FACT =
  "Write to [email redacted] and the billing team replies within two business days.";

/** A harness whose manifest folder is the untrusted corpus, ingested. */
async function startOnCorpus(
  kind: Parameters<typeof startHarness>[0],
  policy?: string,
): Promise<{ h: Harness; summary: IngestSummary }> {
  const h = await startHarness(kind, { embedder: encoder(), template: "empty", policy });
  try {
    const sources = join(h.dir, "sources");
    await rm(sources, { recursive: true, force: true });
    await cp(CORPUS, sources, { recursive: true });
    return { h, summary: await h.ingest() };
  } catch (error) {
    await h.close();
    throw error;
  }
}

async function ask(h: Harness, question: string): Promise<Answer> {
  const res = await h.post("/v1/answers", { question });
  const body = await json(res);
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body as Answer;
}

async function storedVersion(h: Harness, sourceId: string, path: string) {
  const [version] = await h.deps.db
    .select()
    .from(documentVersions)
    .where(
      and(
        eq(documentVersions.documentId, documentIdFor(sourceId, path)),
        isNull(documentVersions.supersededAt),
      ),
    );
  return version!;
}

describe.each(storeKinds())("untrusted text on %s", (kind) => {
  let h: Harness;
  let summary: IngestSummary;
  beforeAll(async () => {
    ({ h, summary } = await startOnCorpus(kind));
  });
  afterAll(async () => h?.close());

  it("counts the one chunk that reads like instructions in the run's summary and its CLI line", () => {
    expect(summary.files).toMatchObject({ seen: 3, added: 3, failed: 0 });
    expect(summary.chunks.suspectedInjection).toBe(1);
    expect(formatSummary(summary)).toMatch(/, 1 flagged as suspected prompt injection\.$/m);
  });

  it("cites the flagged chunk as data, saying so in the answer and in the citation trace", async () => {
    const answer = await ask(h, UPLOAD_QUESTION);
    expect(answer.status).toBe("answered");
    const citation = answer.citations.find((c) => c.quote === UPLOAD_FACT);
    expect(citation, JSON.stringify(answer.citations.map((c) => c.quote))).toBeDefined();
    expect(citation!.suspectedInjection).toBe(true);
    const trace = await json(await h.get(`/v1/citations/${citation!.id}`));
    expect(trace.chunk.suspectedInjection).toBe(true);
    expect(trace.verification).toEqual({ verified: true, failures: [] });
  });

  it("stores redacted text: placeholders where the offsets say, hashes of the stored text", async () => {
    const version = await storedVersion(h, "orbit-help", "help/billing.md");
    for (const secret of ["billing@orbit.example", "DE89", "7946 0958", "4111"])
      expect(version.text).not.toContain(secret);
    // Ordinary numbers are not personal data.
    for (const kept of ["INV-2024-000123", "€1,299.00", "2.10.3", "2024-05-12"])
      expect(version.text).toContain(kept);
    expect(version.redactions!.map((r) => r.kind)).toEqual(["email", "iban", "phone", "card"]);
    for (const r of version.redactions!)
      expect(version.text.slice(r.start, r.end)).toBe(`[${r.kind} redacted]`);
    expect(version.textSha256).toBe(sha256(version.text));
    const raw = await readFile(join(h.dir, "sources", "help", "billing.md"));
    expect(version.rawSha256).toBe(sha256(raw));
    const stored = await h.deps.db.select().from(chunks).where(eq(chunks.versionId, version.id));
    for (const c of stored) expect(version.text.slice(c.start, c.end)).toBe(c.text);
  });

  it("verifies a citation quoting a sentence with a placeholder, listing the redactions", async () => {
    const answer = await ask(h, BILLING_QUESTION);
    expect(answer.status).toBe("answered");
    const citation = answer.citations.find((c) => c.quote === BILLING_FACT);
    expect(citation, JSON.stringify(answer.citations.map((c) => c.quote))).toBeDefined();
    expect(citation!.suspectedInjection).toBe(false);
    const trace = await json(await h.get(`/v1/citations/${citation!.id}`));
    expect(trace.verification).toEqual({ verified: true, failures: [] });
    const version = await storedVersion(h, "orbit-help", "help/billing.md");
    expect(trace.version.redactions).toEqual(version.redactions);
    expect(trace.version.redactions).toHaveLength(4);
  });

  it("keeps the text of a source without `redact` byte for byte", async () => {
    const raw = await readFile(join(h.dir, "sources", "forum", "sync-tips.txt"));
    const version = await storedVersion(h, "orbit-forum", "forum/sync-tips.txt");
    expect(version.text).toBe(raw.toString("utf8"));
    expect(version.text).toContain("dana.k@example.org, +44 20 7946 0000");
    expect(version.redactions).toBeNull();
  });

  it("re-ingests an unchanged corpus as unchanged, redacted sources included", async () => {
    const again = await h.ingest();
    expect(again.files).toMatchObject({ seen: 3, unchanged: 3, added: 0, updated: 0 });
    expect(again.chunks).toEqual({
      written: 0,
      embedded: 0,
      reused: 0,
      suspectedInjection: 0,
      reembedded: 0,
    });
  });

  // Last: it changes the corpus the tests above read.
  it("redacts a source's unchanged files once `redact` is switched on for it", async () => {
    const manifest = JSON.parse(await readFile(h.manifestPath, "utf8"));
    manifest.sources[1].redact = ["email", "phone"];
    await writeFile(h.manifestPath, JSON.stringify(manifest));
    const run = await h.ingest();
    // The post without personal data stores the same text: still unchanged.
    expect(run.files).toMatchObject({ updated: 1, unchanged: 2 });
    const current = await storedVersion(h, "orbit-forum", "forum/sync-tips.txt");
    expect(current.text).toBe(
      "Posted by dana ([email redacted], [phone redacted]): Selective sync keeps only the folders you choose on a small laptop.",
    );
    expect(current.version).toBe(2);
  });
});

describe.each(storeKinds())("a policy excluding suspected injection on %s", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    ({ h } = await startOnCorpus(kind, EXCLUDING));
  });
  afterAll(async () => h?.close());

  it("never cites the flagged chunk, and still answers from clean ones", async () => {
    const flagged = await ask(h, UPLOAD_QUESTION);
    expect(flagged.citations.map((c) => c.quote)).not.toContain(UPLOAD_FACT);
    expect(flagged.citations.every((c) => !c.suspectedInjection)).toBe(true);
    const clean = await ask(h, BILLING_QUESTION);
    expect(clean.status).toBe("answered");
    expect(clean.citations.map((c) => c.quote)).toContain(BILLING_FACT);
  });
});
