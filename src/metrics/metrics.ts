import { Counter, Histogram, Registry } from "prom-client";

/**
 * The stages of answering one question (or one part of it), as `verity_answer_stage_seconds`
 * labels them. `retrieve` spans analyse, embed, lexical and dense (which run inside it) plus
 * fusion and the provenance read; `rescore` runs only with a cross-encoder; `record` is the
 * ledger append and answer row, once per request.
 */
export const STAGES = [
  "analyse",
  "embed",
  "lexical",
  "dense",
  "retrieve",
  "score",
  "rescore",
  "verify",
  "record",
] as const;
export type Stage = (typeof STAGES)[number];

/** Where a citation was checked: before it was cited, or when a reviewer traced it. */
export type VerificationCheck = "answer" | "trace";

/** Seconds: from a millisecond BM25 lookup to a slow cross-encoder pass. */
const STAGE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * What this process measures itself (the store's totals are read at scrape time instead, see
 * store-gauges.ts). Counts live as long as the process: Prometheus's rate() copes with restarts.
 * One registry per instance, never prom-client's global one: tests build many apps.
 */
export type Metrics = {
  registry: Registry;
  observeStage(stage: Stage, seconds: number): void;
  observeRequest(labels: { method: string; route: string; status: number }, seconds: number): void;
  /** One count per failure code of a citation that failed verification. */
  countVerificationFailures(check: VerificationCheck, failures: readonly string[]): void;
};

export function createMetrics(): Metrics {
  const registry = new Registry();
  const stages = new Histogram({
    name: "verity_answer_stage_seconds",
    help: "Time spent in each stage of answering, per question part (retrieve spans analyse, embed, lexical and dense)",
    labelNames: ["stage"] as const,
    buckets: STAGE_BUCKETS,
    registers: [registry],
  });
  const requests = new Histogram({
    name: "verity_http_request_duration_seconds",
    help: "HTTP requests by method, matched route pattern and status, and how long they took",
    labelNames: ["method", "route", "status"] as const,
    buckets: REQUEST_BUCKETS,
    registers: [registry],
  });
  const failures = new Counter({
    name: "verity_citation_verification_failures_total",
    help: "Failed checks of citations against the stored text and hashes, by where and failure code",
    labelNames: ["check", "code"] as const,
    registers: [registry],
  });
  return {
    registry,
    observeStage: (stage, seconds) => stages.observe({ stage }, seconds),
    observeRequest: ({ method, route, status }, seconds) =>
      requests.observe({ method, route, status: String(status) }, seconds),
    countVerificationFailures(check, codes) {
      for (const code of codes) failures.inc({ check, code });
    },
  };
}

/**
 * Run `work` and record how long it took as `stage`, whether it succeeds or throws. Without
 * `metrics` (evaluation and lab callers that build their deps by hand) it only runs `work`.
 */
export async function timeStage<T>(
  metrics: Metrics | undefined,
  stage: Stage,
  work: () => T | Promise<T>,
): Promise<T> {
  if (!metrics) return work();
  const started = performance.now();
  try {
    return await work();
  } finally {
    metrics.observeStage(stage, (performance.now() - started) / 1000);
  }
}
