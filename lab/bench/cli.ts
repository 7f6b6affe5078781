import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadVerifier } from "../../src/scoring/verifier.ts";
import type { Embedder } from "../../src/retrieval/embedder.ts";
import { createUseLiteEmbedder } from "../../src/retrieval/use-lite-embedder.ts";
import { runBaseline } from "./baseline.ts";
import { measureStages } from "./breakdown.ts";
import { readCurrentChunks } from "./chunks.ts";
import { buildSquadCorpus, sampleQuestions } from "./corpus.ts";
import { measureHttp } from "./http.ts";
import { measureIngest } from "./ingest.ts";
import { describeMachine, loadAverage, peakRssMib, type Machine } from "./machine.ts";
import { parseOptions, USAGE, type BenchOptions } from "./options.ts";
import { measureAnswers } from "./query.ts";
import { formatReport, type BenchReport } from "./report.ts";
import { measureScale, STAGE_QUESTIONS } from "./scale.ts";
import { round } from "../shared/stats.ts";
import { measureVerifier } from "./verifier.ts";
import { measureLedger } from "./ledger.ts";
import { openBenchStore } from "./store.ts";

/** The verifier artefact the repository ships, measured even while the policy leaves it off. */
const SHIPPED_VERIFIER = fileURLToPath(
  new URL("../../policy/verifier-model.json", import.meta.url),
);
/** How many questions the HTTP runs cycle through; more than a short run can ask. */
const HTTP_QUESTIONS = 2000;

type Log = (message: string) => void;

/** `npm run bench`: ingestion, query latency in process and over HTTP, scale, and a baseline. */
async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (!options) {
    process.stdout.write(USAGE);
    return;
  }
  const machine = describeMachine();
  const started = performance.now();
  const log: Log = (message) =>
    console.error(`[bench ${((performance.now() - started) / 1000).toFixed(0)}s] ${message}`);
  const t = performance.now();
  const embedder = await createUseLiteEmbedder();
  const loadMs = Math.round(performance.now() - t);
  const workDir = options.store ?? (await mkdtemp(join(tmpdir(), "verity-bench-")));
  try {
    const report = await run(options, { embedder, loadMs, machine }, workDir, log);
    report.machine.load_avg.end = loadAverage();
    report.total_s = round((performance.now() - started) / 1000, 1);
    if (machine.load_avg.start > machine.cpus / 2) {
      report.notes.push(
        `the machine was busy before the run (load average ${machine.load_avg.start} on ${machine.cpus} CPUs): timings are pessimistic`,
      );
    }
    await writeFile(options.out, JSON.stringify(report, null, 2));
    console.log(formatReport(report));
    console.log(`\nJSON report: ${options.out}`);
  } finally {
    await embedder.close();
    if (!options.store) await rm(workDir, { recursive: true, force: true });
  }
}

/** Every measurement; main adds the machine's end state and the total time. */
async function run(
  options: BenchOptions,
  context: { embedder: Embedder; loadMs: number; machine: Machine },
  workDir: string,
  log: Log,
): Promise<BenchReport> {
  const { embedder, loadMs, machine } = context;
  const notes = [
    "autocannon runs in the server's process (one event loop), like a client on the same host",
  ];
  const corpus = await buildSquadCorpus(options.data, workDir, options.paragraphs);
  const questions = sampleQuestions(corpus.questions, options.questions);
  const store = await openBenchStore(workDir, embedder);
  try {
    log(`ingesting ${corpus.paragraphs} paragraphs into ${workDir}`);
    const ingest = {
      ...(await measureIngest(store, corpus.manifestPath)),
      peak_rss_mib: peakRssMib(),
    };
    if (ingest.chunks === 0)
      notes.push("--store already held this corpus: the first ingest wrote nothing");

    log(`asking ${questions.length} questions in process`);
    const answers = await measureAnswers(store.deps, questions);
    const stages = await measureStages(store, questions.slice(0, STAGE_QUESTIONS));
    const query = { ...answers, stages, peak_rss_mib: peakRssMib() };
    const model = store.deps.verifier ?? loadVerifier(SHIPPED_VERIFIER);
    log(model ? `verifier ${model.version} on and off` : "no verifier model to measure");
    const verifier = model ? await measureVerifier(store.deps, model, questions) : null;

    log("the ledger's cost");
    const ledger = await measureLedger(store.deps, questions.slice(0, 40), {
      appendSeconds: options.quick ? 3 : 5,
    });

    log(`HTTP load at concurrency 1 and 16, ${options.durationS} s each`);
    const runs = await measureHttp(store, sampleQuestions(corpus.questions, HTTP_QUESTIONS), {
      connections: [1, 16],
      durationS: options.durationS,
    });
    const http = { runs, peak_rss_mib: peakRssMib() };

    const realChunks = await readCurrentChunks(store.deps.db);
    log(`baseline (${options.baseline}) over ${realChunks.length} chunks`);
    const baseline = await runBaseline(embedder, realChunks, questions, {
      mode: options.baseline,
      k: store.deps.policy.candidateChunks,
    });

    const real = { db: store.deps.db, chunks: realChunks };
    const scaleQuestions = questions.slice(0, options.scaleQuestions);
    const scale = await measureScale(options.sizes, real, embedder, scaleQuestions, log);
    return {
      mode: options.quick ? "quick" : "full",
      startedAt: new Date().toISOString(),
      machine,
      dataset: {
        path: options.data,
        paragraphs: corpus.paragraphs,
        questions_asked: questions.length,
        store: options.store ?? "temporary directory (deleted afterwards)",
      },
      embedder: { model: embedder.modelId, load_ms: loadMs },
      ingest,
      query,
      verifier,
      ledger,
      http,
      scale,
      baseline,
      ratio: {
        p50: round(query.p50_ms / baseline.query.p50_ms),
        p99: round(query.p99_ms / baseline.query.p99_ms),
        qps: round(query.qps / baseline.query.qps),
        ingest_chunks_per_s:
          baseline.ingest.mode === "fromTexts"
            ? round(ingest.chunks_per_s / baseline.ingest.chunks_per_s)
            : null,
        ingest_chunks_per_s_excl_embed: round(
          ingest.chunks_per_s_excl_embed / baseline.ingest.chunks_per_s_excl_embed,
        ),
      },
      peak_rss_mib: peakRssMib(),
      notes,
      total_s: 0,
    };
  } finally {
    await store.close();
  }
}

/** Drizzle errors carry the whole statement and its parameters; the cause is what matters. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `\ncaused by: ${error.cause.message}` : "";
  return `${error.message.split("\n")[0]!.slice(0, 300)}${cause}\n${error.stack?.split("\n").slice(1, 6).join("\n") ?? ""}`;
}

main().catch((error: unknown) => {
  console.error(describeError(error));
  process.exitCode = 1;
});
