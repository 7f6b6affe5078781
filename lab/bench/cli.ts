import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadVerifier } from "../../src/scoring/verifier.ts";
import type { Embedder } from "../../src/retrieval/embedder.ts";
import { round } from "../shared/stats.ts";
import { runBaseline } from "./baseline.ts";
import { measureStages } from "./breakdown.ts";
import { readCurrentChunks } from "./chunks.ts";
import { COMPOSITION_DESCRIPTION } from "./compose.ts";
import { buildSquadCorpus, sampleQuestions } from "./corpus.ts";
import { configuredEncoder, createConfiguredEmbedder } from "./embedder.ts";
import { loadServer, type WarmUp } from "./http.ts";
import { measureIngest } from "./ingest.ts";
import { measureReingest } from "./reingest.ts";
import { measureLedger } from "./ledger.ts";
import { measureLoad } from "./load.ts";
import { describeMachine, loadAverage, peakRssMib, type Machine } from "./machine.ts";
import { parseOptions, USAGE, type BenchOptions } from "./options.ts";
import { measureAnswers, WARM_UP_QUESTIONS } from "./query.ts";
import { loadRealCorpora } from "./real-passages.ts";
import { formatReport, type BenchReport } from "./report.ts";
import { measureScale } from "./scale.ts";
import { orderQuestions } from "./scale-questions.ts";
import { ensureScaleStore } from "./scale-store.ts";
import { startServer } from "./server-process.ts";
import { chunksByCorpus } from "./store-plan.ts";
import { openBenchStore } from "./store.ts";
import { measureVerifier } from "./verifier.ts";

/** The verifier artefact the repository ships, measured even while the policy leaves it off. */
const SHIPPED_VERIFIER = fileURLToPath(
  new URL("../../policy/verifier-model.json", import.meta.url),
);
/** How many questions the HTTP runs cycle through; more than a short run can ask. */
const HTTP_QUESTIONS = 2000;
/** Questions whose retrieval steps are timed apart (each is asked once more for that). */
const STAGE_QUESTIONS = 20;
/** The HTTP warm-up (http.ts WarmUp): at most this long, at this concurrency. */
const HTTP_WARM_UP_S = 15;
const HTTP_WARM_UP_CONNECTIONS = 16;

type Log = (message: string) => void;

/** Abstracts the quick run re-ingests (a full run takes all 5,183). */
const QUICK_REINGEST_DOCUMENTS = 1000;

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
  const embedder = await createConfiguredEmbedder();
  const loadMs = Math.round(performance.now() - t);
  const workDir = await mkdtemp(join(tmpdir(), "verity-bench-"));
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
    await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * The HTTP warm-up: other questions than the measured ones where the corpus has them (a small
 * corpus may not: then the measured ones), for as long as a measured run at most.
 */
function httpWarmUp(others: string[], measured: string[], durationS: number): WarmUp {
  return {
    questions: others.length > 0 ? others : measured,
    connections: HTTP_WARM_UP_CONNECTIONS,
    durationS: Math.min(HTTP_WARM_UP_S, durationS),
  };
}

/** Every measurement; main adds the machine's end state and the total time. */
async function run(
  options: BenchOptions,
  context: { embedder: Embedder; loadMs: number; machine: Machine },
  workDir: string,
  log: Log,
): Promise<BenchReport> {
  const { embedder, loadMs, machine } = context;
  const notes: string[] = [];
  const storeDir = options.store ?? join(workDir, "squad");
  const corpus = await buildSquadCorpus(options.data, workDir, options.paragraphs);
  // One seeded order: the measured questions first, the warm-up's after them, so none is both.
  const sampled = sampleQuestions(corpus.questions, options.questions + WARM_UP_QUESTIONS);
  const questions = sampled.slice(0, options.questions);
  const warmUp = sampled.slice(options.questions);
  const store = await openBenchStore(storeDir, embedder);
  const small = await (async () => {
    try {
      log(`ingesting ${corpus.paragraphs} paragraphs into ${storeDir}`);
      const ingest = {
        ...(await measureIngest(store, corpus.manifestPath)),
        peak_rss_mib: peakRssMib(),
      };
      if (ingest.chunks === 0)
        notes.push("--store already held this corpus: the first ingest wrote nothing");

      log(`asking ${questions.length} questions in process`);
      const answers = await measureAnswers(store.deps, questions, warmUp);
      const stages = await measureStages(store.deps, questions.slice(0, STAGE_QUESTIONS));
      const query = { ...answers, stages, peak_rss_mib: peakRssMib() };
      const model = store.deps.verifier ?? loadVerifier(SHIPPED_VERIFIER);
      log(model ? `verifier ${model.version} on and off` : "no verifier model to measure");
      const verifier = model ? await measureVerifier(store.deps, model, questions) : null;

      log("the ledger's cost");
      const ledger = await measureLedger(store.deps, questions.slice(0, 40), {
        appendSeconds: options.quick ? 3 : 5,
      });

      const realChunks = await readCurrentChunks(store.deps.db);
      log(`baseline (${options.baseline}) over ${realChunks.length} chunks`);
      const baseline = await runBaseline(embedder, realChunks, questions, {
        mode: options.baseline,
        k: store.deps.policy.candidateChunks,
        warmUp,
      });
      return { ingest, query, verifier, ledger, baseline };
    } finally {
      // The HTTP server below is another process: it must find the store closed.
      await store.close();
    }
  })();

  log(`HTTP on the SQuAD corpus at 1 and 16 connections, ${options.durationS} s each`);
  const http = await (async () => {
    const server = await startServer({
      env: { VERITY_DATA_DIR: storeDir, DATABASE_URL: undefined },
      logFile: join(workDir, "server-squad.log"),
      heapMib: options.heapMib,
    });
    try {
      const ready = server.memory();
      const httpQuestions = sampleQuestions(corpus.questions, HTTP_QUESTIONS * 2);
      const measured = httpQuestions.slice(0, HTTP_QUESTIONS);
      const { warm_up, runs } = await loadServer(server, measured, {
        connections: [1, 16],
        durationS: options.durationS,
        warmUp: httpWarmUp(httpQuestions.slice(HTTP_QUESTIONS), measured, options.durationS),
      });
      return {
        warm_up,
        runs,
        server_ready_ms: server.ready_ms,
        server_rss_ready_mib: ready?.rss_mib ?? null,
      };
    } finally {
      await server.stop();
    }
  })();

  const reingestDocuments = options.quick ? QUICK_REINGEST_DOCUMENTS : undefined;
  log(
    `re-ingest unchanged: SciFact abstracts as files (${reingestDocuments ?? "all"}), static encoder for the first ingest`,
  );
  const reingest = await measureReingest(join(workDir, "reingest"), {
    documents: reingestDocuments,
  });

  const corpora = await loadRealCorpora();
  const ordered = orderQuestions(corpora.questions);
  const texts = ordered.map((q) => q.question);
  const loadQuestions = texts.slice(0, HTTP_QUESTIONS);
  const scale = await measureScale(options.sizes, {
    corpora,
    embedder,
    questions: texts.slice(0, options.scaleQuestions),
    warmUp: texts.slice(options.scaleQuestions, options.scaleQuestions + WARM_UP_QUESTIONS),
    workDir,
    heapMib: options.heapMib,
    log,
  });
  const load =
    options.loadDatabases.length === 0
      ? null
      : await measureLoad(await ensureScaleStore(options.loadSize, { corpora, embedder, log }), {
          databases: options.loadDatabases,
          connections: options.loadConnections,
          durationS: options.durationS,
          questions: loadQuestions,
          warmUp: httpWarmUp(
            texts.slice(HTTP_QUESTIONS, HTTP_QUESTIONS * 2),
            loadQuestions,
            options.durationS,
          ),
          workDir,
          heapMib: options.heapMib,
          log,
        });
  const realByCorpus = chunksByCorpus(corpora.documents);
  const { ingest, query, baseline } = small;
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
    embedder: { model: embedder.modelId, encoder: configuredEncoder(), load_ms: loadMs },
    heap_limit_mib: options.heapMib ?? null,
    ...small,
    http,
    reingest,
    real: {
      documents: corpora.documents.length,
      chunks: Object.values(realByCorpus).reduce((a, b) => a + b, 0),
      by_corpus: realByCorpus,
    },
    composition: COMPOSITION_DESCRIPTION,
    scale,
    load,
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
