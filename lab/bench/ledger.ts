import { answerQuestion, type Answered } from "../../src/answer/compose.ts";
import { askQuestion } from "../../src/answer/ask.ts";
import { recordAnswer } from "../../src/answer/record.ts";
import { DEFAULT_TENANT } from "../../src/auth/keys.ts";
import type { Deps } from "../../src/deps.ts";
import { newId } from "../../src/ids.ts";
import { round, summarise, type LatencySummary } from "../shared/stats.ts";

/** One concurrency level: how many callers, completions per second, and each call's latency. */
export type ConcurrentRun = { writers: number; per_s: number; n: number } & Pick<
  LatencySummary,
  "p50_ms" | "p99_ms"
>;

export type LedgerReport = {
  /** Composing the answer only: retrieval, scoring, verification; nothing written. */
  answer_without_record: LatencySummary;
  /** What POST /v1/answers runs: the same, then the ledger append with the answer's rows. */
  answer_with_ledger: LatencySummary;
  /** The record's share of an answer's p50. */
  record_p50_ms: number;
  /**
   * Answer records (ledger entry, answer row, citations) committed per second by concurrent
   * writers through recordAnswer, and how long each writer waited for its record to commit.
   */
  appends: ConcurrentRun[];
  /** Whole answers (composed and recorded, askQuestion) per second from concurrent askers. */
  asks: ConcurrentRun[];
};

/** Questions asked before timing starts (JIT, caches). */
const WARMUP = 5;
/** Concurrent callers at each level measured. */
const LEVELS = [1, 16, 64];

/**
 * The ledger's cost: answers composed without and with their record, alternately per question so
 * both see the same machine; record appends per second with 1, 16 and 64 concurrent writers
 * (each appends a real answer's record under a fresh id, as concurrent requests would); and
 * whole answers per second with as many concurrent askers.
 */
export async function measureLedger(
  deps: Deps,
  questions: string[],
  options: { appendSeconds: number },
): Promise<LedgerReport> {
  const input = (question: string) => ({ question, tenant: DEFAULT_TENANT });
  for (const q of questions.slice(0, WARMUP)) await askQuestion(deps, input(q));
  const without: number[] = [];
  const withLedger: number[] = [];
  for (const q of questions) {
    let t = performance.now();
    await answerQuestion(deps, input(q));
    without.push(performance.now() - t);
    t = performance.now();
    await askQuestion(deps, input(q));
    withLedger.push(performance.now() - t);
  }
  // Each series' throughput as if run alone: its own time, not the other's in between.
  const summary = (samples: number[]) =>
    summarise(
      samples,
      samples.reduce((s, x) => s + x, 0),
    );
  const answer_without_record = summary(without);
  const answer_with_ledger = summary(withLedger);
  const sample = await answerQuestion(deps, input(questions[0]!));
  const state = deps.index.current().index.state;
  const appendOne = () => recordAnswer(deps.db, withFreshIds(sample), ASKED, state);
  const appends = [];
  for (const writers of LEVELS) appends.push(await runConcurrently(writers, appendOne, options));
  let next = 0;
  const askOne = () => askQuestion(deps, input(questions[next++ % questions.length]!));
  const asks = [];
  for (const writers of LEVELS) asks.push(await runConcurrently(writers, askOne, options));
  return {
    answer_without_record,
    answer_with_ledger,
    record_p50_ms: round(answer_with_ledger.p50_ms - answer_without_record.p50_ms),
    appends,
    asks,
  };
}

const ASKED = {
  tenant: DEFAULT_TENANT,
  keyId: null,
  requestId: null,
  sourceIds: null,
  reviewReason: null,
};

/** The sample answer under new ids, as another request answering the same would record it. */
function withFreshIds(sample: Answered): Answered {
  const answer = {
    ...sample.answer,
    id: newId("ans"),
    citations: sample.answer.citations.map((c) => ({ ...c, id: newId("cit") })),
  };
  return { answer, evidence: sample.evidence };
}

/** `writers` callers each calling `call` in a loop for the given seconds. */
async function runConcurrently(
  writers: number,
  call: () => Promise<unknown>,
  options: { appendSeconds: number },
): Promise<ConcurrentRun> {
  const until = performance.now() + options.appendSeconds * 1000;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (performance.now() < until) {
        const t = performance.now();
        await call();
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = performance.now() - started;
  const { n, p50_ms, p99_ms } = summarise(latencies, elapsed);
  return { writers, per_s: round((n * 1000) / elapsed, 1), n, p50_ms, p99_ms };
}
