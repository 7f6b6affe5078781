import autocannon from "autocannon";
import { round, summarise, type LatencySummary } from "../shared/stats.ts";
import { machineCpuSeconds } from "./child.ts";
import type { ServerProcess } from "./server-process.ts";

/** One autocannon run against a server process. Latencies are of 2xx responses only. */
export type HttpRun = LatencySummary & {
  connections: number;
  duration_s: number;
  /** Every response received, whatever its status. */
  requests: number;
  /** 2xx responses per second of the run (LatencySummary's qps). */
  answers_per_s: number;
  /** Connection errors and timeouts (autocannon's errors, timeouts included). */
  errors: number;
  timeouts: number;
  non_2xx: number;
  /** The server process's resident set at the end of the run, its highest sample during it, and its peak since it started. */
  server_rss_mib: number | null;
  server_rss_max_during_mib: number | null;
  server_peak_rss_mib: number | null;
  /**
   * The server process's CPU time (every thread; not PostgreSQL's, which runs in processes of
   * its own) per 2xx answer, and in cores (CPU seconds per second of the run).
   */
  server_cpu_ms_per_answer: number | null;
  server_cores: number | null;
  /**
   * Share of the whole machine's CPU busy during the run (server, database, load generator and
   * anything else): near 1, the machine has none to spare and answers queue for it.
   */
  machine_busy: number | null;
};

/** What loadRun adds to a run from the server process and the machine. */
type ServerFigures =
  | "server_rss_mib"
  | "server_rss_max_during_mib"
  | "server_peak_rss_mib"
  | "server_cpu_ms_per_answer"
  | "server_cores"
  | "machine_busy";

/** How often the server's memory is sampled during a run. */
const SAMPLE_MS = 1000;

/**
 * Before the measured runs: the server's first requests run in code V8 has not yet optimised,
 * and in a 60 s run at 16 connections those few hundred slow answers are most of the slowest 1%.
 * A server in service has long passed them, so they are loaded (and reported) apart.
 */
export type WarmUp = { questions: string[]; connections: number; durationS: number };

/**
 * Load a running server with autocannon: the warm-up run first, when given, then each
 * concurrency in turn, from this process (the server runs in another, so the load generator
 * never shares its event loop). Bodies go round-robin over the questions across all connections
 * (a shared counter in setupRequest), so concurrent requests ask different things.
 */
export async function loadServer(
  server: ServerProcess,
  questions: string[],
  options: { connections: number[]; durationS: number; warmUp?: WarmUp },
): Promise<{ warm_up: HttpRun | null; runs: HttpRun[] }> {
  const { warmUp } = options;
  const warm_up = warmUp
    ? await loadRun(server, roundRobin(warmUp.questions), warmUp.connections, warmUp.durationS)
    : null;
  const runs: HttpRun[] = [];
  const body = roundRobin(questions);
  for (const connections of options.connections) {
    runs.push(await loadRun(server, body, connections, options.durationS));
  }
  return { warm_up, runs };
}

/** Request bodies asking each question in turn. */
function roundRobin(questions: string[]): () => string {
  let next = 0;
  return () => JSON.stringify({ question: questions[next++ % questions.length] });
}

/** One run at one concurrency, with the server's memory sampled while it lasts. */
async function loadRun(
  server: ServerProcess,
  body: () => string,
  connections: number,
  durationS: number,
): Promise<HttpRun> {
  let maxRss: number | null = null;
  const sampler = setInterval(() => {
    const rss = server.memory()?.rss_mib;
    if (rss !== undefined) maxRss = Math.max(maxRss ?? 0, rss);
  }, SAMPLE_MS);
  try {
    const cpuBefore = server.cpuSeconds();
    const machineBefore = machineCpuSeconds();
    const started = performance.now();
    const run = await loadOnce(server.url, body, connections, durationS);
    const wallS = (performance.now() - started) / 1000;
    const cpuAfter = server.cpuSeconds();
    const machineAfter = machineCpuSeconds();
    const memory = server.memory();
    const cpuS = cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null;
    const answers = run.n;
    return {
      ...run,
      server_rss_mib: memory?.rss_mib ?? null,
      server_rss_max_during_mib: maxRss,
      server_peak_rss_mib: memory?.peak_rss_mib ?? null,
      server_cpu_ms_per_answer:
        cpuS !== null && answers > 0 ? round((cpuS * 1000) / answers) : null,
      server_cores: cpuS !== null ? round(cpuS / wallS) : null,
      machine_busy:
        machineBefore && machineAfter && machineAfter.total > machineBefore.total
          ? round(
              (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total),
            )
          : null,
    };
  } finally {
    clearInterval(sampler);
  }
}

async function loadOnce(
  url: string,
  body: () => string,
  connections: number,
  durationS: number,
): Promise<Omit<HttpRun, ServerFigures>> {
  const latencies: number[] = [];
  let non2xx = 0;
  const started = performance.now();
  const options: autocannon.Options = {
    url,
    connections,
    duration: durationS,
    requests: [
      {
        method: "POST",
        path: "/v1/answers",
        headers: { "content-type": "application/json" },
        setupRequest: (request) => ({ ...request, body: body() }),
      },
    ],
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error, done) => (error ? reject(error) : resolve(done)));
    instance.on("response", (_client, statusCode, _bytes, responseTimeMs) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTimeMs);
      else non2xx += 1;
    });
  });
  const summary = summarise(latencies, performance.now() - started);
  return {
    ...summary,
    connections,
    duration_s: durationS,
    requests: latencies.length + non2xx,
    answers_per_s: summary.qps,
    errors: result.errors,
    timeouts: result.timeouts,
    non_2xx: non2xx,
  };
}
