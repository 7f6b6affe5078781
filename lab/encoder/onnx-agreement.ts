import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { sha256 } from "../../src/hash.ts";
import type { Embedder } from "../../src/retrieval/embedder.ts";
import { createOnnxUseLiteEmbedder } from "../../src/retrieval/onnx-use-lite-embedder.ts";
import { createUseLiteEmbedder } from "../../src/retrieval/use-lite-embedder.ts";
import { dot } from "../../src/retrieval/vector-math.ts";
import { abstractText } from "../corpora/scifact.ts";
import { resolveDataset } from "../shared/datasets.ts";

/**
 * `npx tsx lab/encoder/onnx-agreement.ts`: USE-lite on TF.js (the serving embedder) against the
 * same weights on onnxruntime (onnx-use-lite-embedder.ts), on real questions (SQuAD 2.0, SciFact
 * claims) and chunk-length passages (SQuAD paragraphs and SciFact abstracts of 100-200 words):
 * the cosine between the two vectors of every text, texts per second in batches, and
 * single-query latency. Timings are wall-clock: run it on an otherwise idle machine.
 */
const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    questions: { type: "string", default: "400" },
    passages: { type: "string", default: "200" },
    queries: { type: "string", default: "100" },
    threads: { type: "string", default: "2" },
    "query-threads": { type: "string", default: "1" },
    batch: { type: "string", default: "32" },
    "batch-tokens": { type: "string", default: "2048" },
    /** TF.js worker threads: 2 is the serving default, 0 runs on the main thread only. */
    "tfjs-workers": { type: "string", default: "2" },
    /** Vectors from TF.js for the agreement, but no timing of it (it takes a minute or two). */
    "skip-tfjs-speed": { type: "boolean", default: false },
    /** Time onnxruntime alone, for tuning threads and batch size. */
    "onnx-only": { type: "boolean", default: false },
  },
});
const log = (line: string) => console.error(line);

/** The first `n` unique texts in hash order: deterministic, unrelated to file order. */
function pick(texts: string[], n: number): string[] {
  return [...new Set(texts.map((t) => t.trim()).filter((t) => t !== ""))]
    .map((text) => ({ text, key: sha256(`onnx-agreement:${text}`) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, n)
    .map((t) => t.text);
}

function loadTexts(): { questions: string[]; passages: string[] } {
  const squad = JSON.parse(readFileSync(resolveDataset("squad2"), "utf8")) as {
    data: { paragraphs: { context: string; qas: { question: string }[] }[] }[];
  };
  const paragraphs = squad.data.flatMap((a) => a.paragraphs);
  const scifact = readFileSync(resolveDataset("scifactCorpus"), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line));
  const claims = readFileSync(resolveDataset("scifactClaims"), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => (JSON.parse(line) as { claim: string }).claim);
  // Whole paragraphs and abstracts of chunk length (ingestion's chunks are mostly shorter).
  const words = (t: string) => t.split(/\s+/).length;
  const passages = [...paragraphs.map((p) => p.context), ...scifact.map(abstractText)].filter(
    (t) => words(t) >= 100 && words(t) <= 200,
  );
  return {
    questions: pick(
      [...paragraphs.flatMap((p) => p.qas.map((q) => q.question)), ...claims],
      Number(values.questions),
    ),
    passages: pick(passages, Number(values.passages)),
  };
}

async function throughput(embedder: Embedder, texts: string[]) {
  await embedder.embedDocuments(texts.slice(0, 64)); // warm-up: kernels, JIT, worker start
  const started = performance.now();
  const vectors = await embedder.embedDocuments(texts);
  return { vectors, perSecond: texts.length / ((performance.now() - started) / 1000) };
}

async function queryLatency(embedder: Embedder, texts: string[]) {
  for (const text of texts.slice(0, 10)) await embedder.embedQuery(text);
  const times: number[] = [];
  for (const text of texts) {
    const started = performance.now();
    await embedder.embedQuery(text);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length / 2)]!, p90: times[Math.floor(times.length * 0.9)]! };
}

const { questions, passages } = loadTexts();
const queryTexts = questions.slice(0, Number(values.queries));
log(`${questions.length} questions, ${passages.length} passages of 100-200 words`);

const results: Record<string, Record<string, string>> = {};
const vectors: Record<string, { questions: Float32Array[]; passages: Float32Array[] }> = {};
async function measure(name: string, embedder: Embedder, speed = true) {
  log(`${name}: ${embedder.modelId}`);
  const q = await throughput(embedder, questions);
  const p = await throughput(embedder, passages);
  vectors[name] = { questions: q.vectors, passages: p.vectors };
  if (!speed) return;
  const latency = await queryLatency(embedder, queryTexts);
  results[name] = {
    "questions/s": q.perSecond.toFixed(1),
    "passages/s": p.perSecond.toFixed(1),
    "query p50 ms": latency.p50.toFixed(2),
    "query p90 ms": latency.p90.toFixed(2),
  };
}

const threads = Number(values.threads);
const onnx = await createOnnxUseLiteEmbedder({
  threads,
  queryThreads: Number(values["query-threads"]),
  batchSize: Number(values.batch),
  batchTokens: Number(values["batch-tokens"]),
});
await measure(`onnx (${threads} threads, queries ${values["query-threads"]})`, onnx);
// Before TF.js is loaded: the ONNX embedder's process alone.
log(`RSS with the onnx embedder: ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
await onnx.close();
if (values["onnx-only"]) {
  console.table(results);
  process.exit(0);
}
// Serving runs two worker threads for multi-batch calls; queries always run in-process.
const workers = Number(values["tfjs-workers"]);
const tfjs = await createUseLiteEmbedder({ workers });
await measure(`tfjs-wasm (${workers} workers)`, tfjs, !values["skip-tfjs-speed"]);
await tfjs.close();

const [onnxName, tfjsName] = Object.keys(vectors) as [string, string];
for (const part of ["questions", "passages"] as const) {
  const a = vectors[onnxName]![part];
  const b = vectors[tfjsName]![part];
  const cosines = a.map((v, i) => dot(v, b[i]!));
  const worst = cosines.indexOf(Math.min(...cosines));
  const mean = cosines.reduce((s, c) => s + c, 0) / cosines.length;
  console.log(
    `${part}: ${cosines.length} texts, cosine min ${Math.min(...cosines).toFixed(9)}, ` +
      `mean ${mean.toFixed(9)}, below 0.999: ${cosines.filter((c) => c < 0.999).length}`,
  );
  console.log(
    `  worst: ${JSON.stringify((part === "questions" ? questions : passages)[worst]!.slice(0, 100))}`,
  );
}
console.table(results);
