import { writeFile, mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { answerQuestion } from "../src/answer/compose.ts";
import { loadConfig } from "../src/config.ts";
import { createDeps } from "../src/deps.ts";
import { loadManifest } from "../ingest/manifest.ts";
import { ingestManifest } from "../ingest/pipeline.ts";
import { bestThreshold, percentile, scoreAt, sweep, type Outcome } from "./metrics.ts";
import { prepareSquad } from "./squad.ts";

const USAGE = `Usage: npm run eval -- --dataset squad2 --data FILE [--limit N] [--store DIR] [--out report.json]`;

/**
 * `npm run eval`: ingest a dataset into an isolated store through the real pipeline, ask every
 * question through the same answerQuestion as POST /v1/answers (threshold 0, so the refusal
 * decision can be replayed at every threshold), and report accuracy and the threshold sweep.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dataset: { type: "string" },
      data: { type: "string" },
      limit: { type: "string" },
      store: { type: "string" },
      out: { type: "string" },
    },
  });
  if (values.dataset !== "squad2" || !values.data) throw new Error(USAGE);
  const store = resolve(values.store ?? join(".verity-eval", values.dataset));
  await mkdir(store, { recursive: true });
  const corpus = await prepareSquad(values.data, join(store, "corpus"));
  const config = loadConfig({ VERITY_DATA_DIR: store, LOG_LEVEL: "warn" });
  const deps = await createDeps(config);
  try {
    const t0 = performance.now();
    const summary = await ingestManifest({
      db: deps.database.db,
      embedder: deps.embedder,
      manifest: await loadManifest(corpus.manifestPath),
      ingestedBy: "eval",
    });
    await deps.index.refresh();
    console.error(
      `ingest: ${summary.files.added} added, ${summary.files.unchanged} unchanged, ${summary.chunks.embedded} chunks embedded in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const limit = values.limit ? Number(values.limit) : Infinity;
    const questions = [...corpus.questions].sort((a, b) => (a.id < b.id ? -1 : 1)).slice(0, limit);
    const policy = { ...deps.policy, threshold: 0 };
    const outcomes: Outcome[] = [];
    for (const [i, q] of questions.entries()) {
      const started = performance.now();
      const answer = await answerQuestion(
        { db: deps.database.db, embedder: deps.embedder, searchable: deps.index.current, policy },
        { question: q.question },
      );
      const latencyMs = performance.now() - started;
      const bestScore =
        answer.status === "answered"
          ? Math.max(...answer.citations.map((c) => c.score))
          : (answer.reason?.bestScore ?? null);
      outcomes.push({
        id: q.id,
        answerable: q.answerable,
        goldAnswers: q.goldAnswers,
        bestScore: answer.reason?.code === "UNVERIFIED_EVIDENCE" ? null : bestScore,
        citations: answer.citations.map((c) => ({ quote: c.quote, score: c.score })),
        latencyMs,
      });
      if ((i + 1) % 250 === 0) console.error(`asked ${i + 1}/${questions.length}`);
    }

    const points = sweep(outcomes);
    const atDefault = scoreAt(outcomes, deps.policy.threshold);
    const best = bestThreshold(points);
    const bestPrecise = bestThreshold(points, 0.9);
    const report = {
      dataset: values.dataset,
      data: values.data,
      questions: outcomes.length,
      ...atDefault,
      latency_ms: {
        p50: percentile(
          outcomes.map((o) => o.latencyMs),
          50,
        ),
        p95: percentile(
          outcomes.map((o) => o.latencyMs),
          95,
        ),
      },
      always_refuse_accuracy: scoreAt(outcomes, 1.01).accuracy,
      best: best,
      best_with_precision_0_9: bestPrecise,
      sweep: points.map(({ threshold, accuracy, coverage, answered_precision }) => ({
        threshold,
        accuracy,
        coverage,
        answered_precision,
      })),
    };
    const fmt = (p: {
      threshold: number;
      accuracy: number;
      coverage: number;
      answered_precision: number;
    }) =>
      `t=${p.threshold.toFixed(2)} accuracy=${p.accuracy.toFixed(3)} coverage=${p.coverage.toFixed(3)} answered_precision=${p.answered_precision.toFixed(3)}`;
    console.log(`${values.dataset}: ${outcomes.length} questions`);
    console.log(`  default policy   ${fmt(atDefault)}`);
    console.log(`  best accuracy    ${fmt(best)}`);
    console.log(`  best @ prec>=0.9 ${fmt(bestPrecise)}`);
    console.log(`  always refuse    accuracy=${report.always_refuse_accuracy.toFixed(3)}`);
    console.log(
      `  latency p50 ${report.latency_ms.p50.toFixed(1)} ms, p95 ${report.latency_ms.p95.toFixed(1)} ms`,
    );
    if (values.out) await writeFile(values.out, JSON.stringify(report, null, 2));
  } finally {
    await deps.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
