import { appendFile, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chunkText } from "../../ingest/chunk.ts";
import { loadManifest } from "../../ingest/manifest.ts";
import { ingestManifest } from "../../ingest/pipeline.ts";
import type { Answer } from "../../src/answer/schema.ts";
import { chunks, documentVersions } from "../../src/db/schema/index.ts";
import { storeKinds } from "../support/databases.ts";
import { createFakeEmbedder } from "../support/fake-embedder.ts";
import { json, startHarness, type Harness } from "../support/harness.ts";

const QUESTIONS = [
  "How long do password reset links stay valid?",
  "How much does the Basic plan cost?",
  "What is the refund window for annual plans?",
  "What is the office parrot called?",
];

/**
 * Clients keep asking, and checking every citation they get, while the corpus is re-ingested
 * in the serving process: in-process, as the harness wires it, and through POST /v1/ingest-runs.
 * Nothing fails, every citation verifies, none points into a version not yet whole, and the new
 * content is answered once the run is over.
 */
describe.each(storeKinds())("answering while ingesting, on %s", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind, { embedder: createFakeEmbedder(64), template: "empty" });
    await h.ingest();
  });
  afterAll(() => h?.close());

  it("in process: ingestManifest, then the index refreshed", async () => {
    await changeCorpus(h, { resetMinutes: 45, parrot: "Captain Verity" });
    const load = startAsking(h);
    await ingestManifest({
      db: h.deps.db,
      embedder: h.deps.embedder,
      manifest: await loadManifest(h.manifestPath),
      ingestedBy: "concurrent-test",
    });
    await h.deps.index.refresh();
    await expectLoadClean(h, await load.stop());
    await expectAnswered(h, QUESTIONS[0]!, "45 minutes");
    await expectAnswered(h, QUESTIONS[3]!, "Captain Verity");
  });

  it("through POST /v1/ingest-runs", async () => {
    await changeCorpus(h, { resetMinutes: 50, parrot: "Admiral Hash" });
    const load = startAsking(h);
    const started = await h.post("/v1/ingest-runs", { manifest: h.manifestPath, by: "http" });
    expect(started.status).toBe(202);
    let run = await json(started);
    while (run.status === "running") {
      await new Promise((r) => setTimeout(r, 50));
      run = await json(await h.get(run.links.self));
    }
    expect(run.status).toBe("finished");
    await expectLoadClean(h, await load.stop());
    await expectAnswered(h, QUESTIONS[0]!, "50 minutes");
    await expectAnswered(h, QUESTIONS[3]!, "Admiral Hash");
  });
});

/** Change one fact, add a page with a new one, and touch every page so the run takes a while. */
async function changeCorpus(h: Harness, facts: { resetMinutes: number; parrot: string }) {
  const sources = join(h.dir, "sources");
  const security = join(sources, "acme", "handbook", "security.md");
  await writeFile(
    security,
    (await readFile(security, "utf8")).replace(
      /Password reset links stay valid for \d+ minutes/,
      `Password reset links stay valid for ${facts.resetMinutes} minutes`,
    ),
  );
  await writeFile(
    join(sources, "acme", "handbook", "office.md"),
    `# The office\n\nThe office parrot is called ${facts.parrot}. It greets visitors at reception.\n`,
  );
  for (const page of ["billing.md", "getting-started.md", "sync-and-backup.md"])
    await appendFile(
      join(sources, "acme", "handbook", page),
      `\n\nReviewed for ${facts.parrot}.\n`,
    );
  // New versions of many small pages, so the run lasts long enough for several answers to be
  // asked and traced while it writes (reading unchanged files is too quick to overlap with).
  for (let i = 0; i < NOTE_PAGES; i++)
    await writeFile(
      join(sources, "acme", "handbook", `meeting-notes-${i}.md`),
      `# Meeting notes ${i}\n\nThe team met in room ${i} and agreed on the agenda for ${facts.parrot}.\n`,
    );
}

/** Pages rewritten by every change of the corpus (see changeCorpus). */
const NOTE_PAGES = 40;

type Observed = {
  status: number;
  answer?: Answer;
  citationChecks: { status: number; verified?: boolean }[];
};

/** Two clients asking in turn and tracing each citation they get, until stopped. */
function startAsking(h: Harness) {
  const observed: Observed[] = [];
  let stopping = false;
  const client = async (offset: number) => {
    for (let i = offset; !stopping; i++) {
      const res = await h.post("/v1/answers", { question: QUESTIONS[i % QUESTIONS.length] });
      const entry: Observed = { status: res.status, citationChecks: [] };
      if (res.status === 200) {
        entry.answer = (await json(res)) as Answer;
        for (const c of entry.answer.citations) {
          const trace = await h.get(`/v1/citations/${c.id}`);
          entry.citationChecks.push({
            status: trace.status,
            verified: trace.status === 200 ? (await json(trace)).verification.verified : undefined,
          });
        }
      }
      observed.push(entry);
      await new Promise((r) => setImmediate(r));
    }
  };
  const clients = [0, 1].map(client);
  return {
    async stop() {
      stopping = true;
      await Promise.all(clients);
      return observed;
    },
  };
}

async function expectLoadClean(h: Harness, observed: Observed[]) {
  expect(observed.length).toBeGreaterThan(3);
  expect(observed.filter((o) => o.status !== 200)).toEqual([]);
  const checks = observed.flatMap((o) => o.citationChecks);
  expect(checks.length).toBeGreaterThan(0);
  expect(checks.filter((c) => c.status !== 200 || c.verified !== true)).toEqual([]);

  // Every cited version is whole: all the chunks its text makes, ordinals 0..n-1.
  const cited = [
    ...new Set(observed.flatMap((o) => o.answer?.citations.map((c) => c.versionId) ?? [])),
  ];
  const versions = await h.deps.db
    .select({ id: documentVersions.id, text: documentVersions.text })
    .from(documentVersions)
    .where(inArray(documentVersions.id, cited));
  expect(versions.length).toBe(cited.length);
  const stored = await h.deps.db
    .select({ versionId: chunks.versionId, ordinal: chunks.ordinal })
    .from(chunks)
    .where(inArray(chunks.versionId, cited));
  for (const v of versions) {
    const ordinals = stored.filter((c) => c.versionId === v.id).map((c) => c.ordinal);
    expect(ordinals.sort((a, b) => a - b)).toEqual(chunkText(v.text).map((s) => s.ordinal));
  }
  // And each answer cites one version of a document, never two.
  for (const o of observed) {
    const byDocument = new Map<string, Set<string>>();
    for (const c of o.answer?.citations ?? [])
      byDocument.set(c.documentId, (byDocument.get(c.documentId) ?? new Set()).add(c.versionId));
    for (const ids of byDocument.values()) expect(ids.size).toBe(1);
  }
}

async function expectAnswered(h: Harness, question: string, text: string) {
  const res = await h.post("/v1/answers", { question });
  expect(res.status).toBe(200);
  const answer = (await json(res)) as Answer;
  expect(answer.status).toBe("answered");
  expect(answer.answer).toContain(text);
}
