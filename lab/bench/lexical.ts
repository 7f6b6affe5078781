import { existsSync } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import { MIGRATIONS_DIR, type Database } from "../../src/db/client.ts";
import { refreshCorpusStatistics } from "../../src/db/corpus-state.ts";
import * as schema from "../../src/db/schema/index.ts";
import { sha256 } from "../../src/hash.ts";
import { buildLexicalIndex } from "../../src/retrieval/lexical-index-build.ts";
import { createLexicalIndex, type LexicalIndex } from "../../src/retrieval/lexical-index.ts";
import {
  analyseQuestionInMemory,
  searchLexicalInMemory,
} from "../../src/retrieval/lexical-memory.ts";
import { analyseQuestion, searchLexical } from "../../src/retrieval/lexical.ts";
import { analyseText } from "../../src/text/analyse.ts";
import { resolveDataset } from "../shared/datasets.ts";
import { createRng, shuffled } from "../../src/rng.ts";
import { percentile, round } from "../shared/stats.ts";
import { writeBundles, type DocumentBundle } from "./bundle.ts";
import { CACHE_ROOT } from "./scale-store.ts";
import { composePassages, loadRealPassages, type Passage } from "./real-passages.ts";

/**
 * `npm run bench:lexical -- [--sizes 1000,10000,100000] [--questions 200]`: the in-memory lexical
 * index against searchLexical's SQL BM25 on PGlite, on the same real-text corpus at each size
 * (real chunks of the sample sources, SQuAD and SciFact; past their 21,976, new passages composed
 * of real sentences). Prints build time and memory, query latency and top-10 agreement.
 */
const K = 10;
/** One source in five belongs to another tenant: its chunks must never be returned. */
const SOURCES = 10;
const OTHER_TENANT = "bench-other";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: "string", default: "1000,10000,100000" },
      questions: { type: "string", default: "200" },
    },
  });
  const sizes = values.sizes.split(",").map(Number);
  const real = await loadRealPassages();
  const questions = await loadQuestions(Number(values.questions));
  console.log(`${real.length} real chunks, ${questions.length} questions`);
  for (const size of sizes) await measure(size, composePassages(real, size), questions);
}

async function measure(size: number, passages: Passage[], questions: string[]): Promise<void> {
  const db = await openSqlStore(size, passages);
  try {
    // Build in process from the texts (what ingest would do), then from the stored tsvectors.
    global.gc?.();
    const before = process.memoryUsage();
    let t = performance.now();
    const docs = passages.map((p, i) => ({
      chunkId: chunkId(size, i),
      tenant: sourceOf(i).tenant,
      sourceId: sourceOf(i).id,
      terms: new Map([...analyseText(p.text)].map(([l, ps]) => [l, ps.length])),
    }));
    const analyseMs = performance.now() - t;
    t = performance.now();
    let index: LexicalIndex | null = createLexicalIndex(docs);
    const packMs = performance.now() - t;
    docs.length = 0;
    global.gc?.();
    const after = process.memoryUsage();
    const stats = index.stats();
    t = performance.now();
    index = null;
    index = await buildLexicalIndex(db);
    const fromStoreMs = performance.now() - t;

    for (const question of questions.slice(0, 20)) {
      searchLexicalInMemory(index, analyseQuestionInMemory(index, question), {
        k: K,
        tenant: "default",
      });
    }
    const sqlMs: number[] = [];
    const memMs: number[] = [];
    const analyseQMs: number[] = [];
    let overlap = 0;
    let sameOrder = 0;
    let asked = 0;
    let leaked = 0;
    for (const question of questions) {
      let t0 = performance.now();
      const sqlQuery = await analyseQuestion(db, question);
      const sqlHits = await searchLexical(db, sqlQuery, { k: K, tenant: "default" });
      sqlMs.push(performance.now() - t0);
      t0 = performance.now();
      const memQuery = analyseQuestionInMemory(index, question);
      const t1 = performance.now();
      const memHits = searchLexicalInMemory(index, memQuery, { k: K, tenant: "default" });
      memMs.push(performance.now() - t1);
      analyseQMs.push(t1 - t0);
      if (sqlHits.length === 0 && memHits.length === 0) continue;
      asked++;
      const theirs = new Set(sqlHits.map((h) => h.chunkId));
      overlap += memHits.filter((h) => theirs.has(h.chunkId)).length / Math.max(1, theirs.size);
      if (memHits.map((h) => h.chunkId).join() === sqlHits.map((h) => h.chunkId).join())
        sameOrder++;
      leaked += memHits.filter(
        (h) => sourceOf(Number(h.chunkId.split("-")[2])).tenant !== "default",
      ).length;
    }
    const mib = (b: number) => round(b / 2 ** 20, 1);
    console.log(
      [
        `\n== ${size} chunks (${stats.lexemes} lexemes, ${stats.postings} postings, avg length ${round(stats.avgLength, 1)})`,
        `build: analyse texts ${Math.round(analyseMs)} ms + pack ${Math.round(packMs)} ms; from the store's tsvectors ${Math.round(fromStoreMs)} ms`,
        `memory: index arrays ${mib(stats.bytes)} MiB; heap delta ${mib(after.heapUsed - before.heapUsed)} MiB, RSS delta ${mib(after.rss - before.rss)} MiB (incl. chunk ids and lexeme map)`,
        `query (k=${K}, tenant-filtered): in-memory search p50 ${round(percentile(memMs, 50), 3)} ms p99 ${round(percentile(memMs, 99), 3)} ms; question analysis p50 ${round(percentile(analyseQMs, 50), 3)} ms`,
        `SQL (analyseQuestion + searchLexical on PGlite): p50 ${round(percentile(sqlMs, 50), 1)} ms p99 ${round(percentile(sqlMs, 99), 1)} ms`,
        `top-${K} agreement with SQL over ${asked} questions: overlap ${round((100 * overlap) / Math.max(1, asked), 2)}%, identical ranking ${round((100 * sameOrder) / Math.max(1, asked), 2)}%; other tenant's chunks returned: ${leaked}`,
      ].join("\n"),
    );
  } finally {
    await (db as unknown as { $client: PGlite }).$client.close();
  }
}

const chunkId = (size: number, i: number) => `chk-${size}-${String(i).padStart(7, "0")}`;

function sourceOf(i: number): { id: string; tenant: string } {
  const s = i % SOURCES;
  return { id: `bench-lex-${s}`, tenant: s % 5 === 4 ? OTHER_TENANT : "default" };
}

/** A PGlite store holding exactly these passages (one document each), cached by content. */
async function openSqlStore(size: number, passages: Passage[]): Promise<Database> {
  const key = sha256(passages.map((p) => p.text).join("\n")).slice(0, 12);
  const dir = join(CACHE_ROOT, `lexical-${size}-${key}`);
  const fresh = !existsSync(join(dir, "ready"));
  if (fresh) await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const pg = await PGlite.create(join(dir, "pglite"));
  const db = drizzle(pg, { schema }) as unknown as Database;
  if (!fresh) return db;
  await migrate(drizzle(pg, { schema }), { migrationsFolder: MIGRATIONS_DIR });
  await pg.query(
    `insert into sources (id, name, publisher, uri, license, trust, tenant) select 'bench-lex-' || i, 'Bench ' || i, 'bench', 'https://bench.invalid/' || i, 'CC-BY-SA-4.0', 'reviewed', case when i % 5 = 4 then '${OTHER_TENANT}' else 'default' end from generate_series(0, ${SOURCES - 1}) i`,
  );
  for (let at = 0; at < passages.length; at += 5000) {
    const bundles: DocumentBundle[] = passages.slice(at, at + 5000).map((p, j) => {
      const i = at + j;
      const id = chunkId(size, i);
      const hash = sha256(p.text);
      return {
        document: { id: `doc-${id}`, sourceId: sourceOf(i).id, path: `${i}.txt`, title: "" },
        version: {
          id: `ver-${id}`,
          documentId: `doc-${id}`,
          version: 1,
          text: p.text,
          textSha256: hash,
          rawSha256: hash,
          mediaType: "text/plain",
          byteLength: Buffer.byteLength(p.text),
          ingestedBy: "bench:lexical",
          language: null,
        },
        chunks: [
          {
            ...{ id, versionId: `ver-${id}`, ordinal: 0, start: 0, end: p.text.length },
            ...{
              text: p.text,
              sha256: hash,
              embeddingModel: "none",
              embedding: new Float32Array(1),
            },
          },
        ],
      };
    });
    await writeBundles(pg, bundles);
  }
  await refreshCorpusStatistics(db);
  await rm(join(dir, "ready"), { force: true });
  await import("node:fs/promises").then((fs) => fs.writeFile(join(dir, "ready"), ""));
  return db;
}

/** Real questions: SQuAD's and SciFact's claims, a seeded sample. */
async function loadQuestions(count: number): Promise<string[]> {
  const squad = JSON.parse(await readFile(resolveDataset("squad2"), "utf8")) as {
    data: { paragraphs: { qas: { question: string }[] }[] }[];
  };
  const qs = squad.data.flatMap((a) => a.paragraphs.flatMap((p) => p.qas.map((q) => q.question)));
  const claims = (await readFile(resolveDataset("scifactClaims"), "utf8"))
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => (JSON.parse(l) as { claim: string }).claim);
  const rng = createRng(11);
  const half = Math.ceil(count / 2);
  return [...shuffled(qs, rng).slice(0, half), ...shuffled(claims, rng).slice(0, count - half)];
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
