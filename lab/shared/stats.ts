/** Latency figures as every section of the report states them. */
export type LatencySummary = {
  n: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  mean_ms: number;
  qps: number;
};

/**
 * Nearest-rank percentile of unsorted samples: the smallest sample with at least p% of them at or
 * below it, so always one of the samples. 0 when there are none.
 */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** `elapsedMs` is wall time for the whole run, so qps includes any gaps between requests. */
export function summarise(latenciesMs: number[], elapsedMs: number): LatencySummary {
  const n = latenciesMs.length;
  const mean = n === 0 ? 0 : latenciesMs.reduce((s, x) => s + x, 0) / n;
  return {
    n,
    p50_ms: round(percentile(latenciesMs, 50)),
    p95_ms: round(percentile(latenciesMs, 95)),
    p99_ms: round(percentile(latenciesMs, 99)),
    mean_ms: round(mean),
    qps: elapsedMs > 0 ? round((n * 1000) / elapsedMs) : 0,
  };
}

/**
 * The lab's one rounding, to `digits` decimals. (Answers state scores with the serving code's
 * roundScore, four decimals; eval compares with those, so it uses that one for scores.)
 */
export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Run `fn` once per item, one at a time, timing each call. */
export async function timeSequentially<T>(
  items: T[],
  fn: (item: T) => Promise<unknown>,
): Promise<LatencySummary> {
  const latencies: number[] = [];
  const started = performance.now();
  for (const item of items) {
    const t = performance.now();
    await fn(item);
    latencies.push(performance.now() - t);
  }
  return summarise(latencies, performance.now() - started);
}
