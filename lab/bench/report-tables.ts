import type { LatencySummary } from "../shared/stats.ts";
import type { HttpRun } from "./http.ts";
import type { LoadReport } from "./load.ts";
import type { ScalePoint } from "./scale.ts";

export const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const s = (millis: number) => (millis / 1000).toFixed(1);
const mib = (x: number | null) => (x === null ? "-" : String(x));

const pad = (cells: string[], widths: number[]) =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [pad(header, widths), ...rows.map((r) => pad(r, widths))].join("\n");
}

export const latencyCells = (l: LatencySummary) => [
  ms(l.p50_ms),
  ms(l.p95_ms),
  ms(l.p99_ms),
  l.qps.toFixed(1),
];

/** Where each store came from, how long it took to build, and what serving it cost. */
export function scaleTables(points: ScalePoint[]): string[] {
  const stores = table(
    ["chunks", "real", "composed", "reuse", "embed s", "build s", "graph s", "build peak", "MiB"],
    points.map((p) => [
      String(p.chunks),
      String(p.real_chunks),
      String(p.composed_chunks),
      p.composed_chunks > 0 ? `${p.sentence_reuse}x` : "-",
      s(p.embedding.embed_ms),
      `${s(p.timings.total_ms)}${p.cached ? " (cached)" : ""}`,
      s(p.timings.vector_index_ms),
      String(p.peak_rss_mib),
      String(p.store_mib),
    ]),
  );
  const measured = points.flatMap((p) => (p.measured ? [{ ...p, m: p.measured }] : []));
  const serving = table(
    [
      ...["chunks", "heap", "open s", "n", "answered", "p50", "p95", "p99", "qps"],
      ...["warm-up p50/p99", "embed", "bm25", "ann", "RSS open", "RSS after", "peak", "V8 heap"],
    ],
    measured.map(({ m, ...p }) => [
      String(p.chunks),
      p.heap_limit_mib === null ? "default" : String(p.heap_limit_mib),
      s(m.open_ms),
      String(m.query.n),
      String(m.query.answered),
      ...latencyCells(m.query),
      `${ms(m.query.warm_up.p50_ms)}/${ms(m.query.warm_up.p99_ms)}`,
      ms(m.stages.embed_p50_ms),
      ms(m.stages.bm25_p50_ms),
      ms(m.stages.ann_p50_ms),
      String(m.rss.after_open_mib),
      String(m.rss.after_answers_mib),
      String(m.rss.peak_mib),
      String(m.rss.heap_after_open_mib),
    ]),
  );
  return [
    "Scale stores (PGlite; build figures are from each store's first build)",
    stores,
    "reuse: composed sentences per distinct real sentence; embed s: embedding real chunks not yet in the vector cache; build s: rows, statistics and HNSW graph (graph s on a worker thread, overlapping the rows); build peak: the builder process's peak RSS (MiB)",
    "",
    "Scale answers (in-process askQuestion, c1, one fresh process per store; ms and MiB)",
    serving,
    `heap: the process's V8 heap limit (MiB); open s: createDeps (corpus, BM25 index, saved HNSW graph); n: questions timed, after ${measured[0]?.m.query.warm_up.n ?? 0} other questions answered first (warm-up p50/p99: those first answers after opening, not in the figures); embed/bm25/ann` +
      ": p50 of the retrieval steps; RSS open: after opening and a GC (Node and the modules alone, before opening: " +
      measured.map((p) => `${p.m.rss.before_open_mib}`).join("/") +
      " MiB); RSS after: after answering; peak: the process's peak; V8 heap: in use after opening",
    ...points.flatMap((p) => [
      ...(p.retried
        ? [
            `note: at ${p.chunks} chunks, ${p.retried}: measured again with a ${p.heap_limit_mib} MiB heap`,
          ]
        : []),
      ...(p.failure ? [`FAILED at ${p.chunks} chunks: ${p.failure}`] : []),
      ...(p.measured?.index_rebuilt
        ? [
            `warning: at ${p.chunks} chunks the saved HNSW graph was rebuilt (${p.measured.index_rebuilt})`,
          ]
        : []),
    ]),
  ];
}

const httpCells = (h: HttpRun) => [
  String(h.connections),
  String(h.duration_s),
  String(h.requests),
  h.answers_per_s.toFixed(1),
  ms(h.p50_ms),
  ms(h.p99_ms),
  String(h.errors),
  String(h.non_2xx),
  h.server_cpu_ms_per_answer?.toFixed(1) ?? "-",
  h.server_cores?.toFixed(2) ?? "-",
  h.machine_busy === null ? "-" : `${Math.round(h.machine_busy * 100)}%`,
  mib(h.server_rss_mib),
  mib(h.server_rss_max_during_mib),
  mib(h.server_peak_rss_mib),
];
const HTTP_HEADER = [
  ...["conns", "s", "requests", "answers/s", "p50", "p99", "errors", "non-2xx"],
  ...["CPU ms/answer", "cores", "machine busy", "RSS end", "RSS max", "peak"],
];

/** The measured runs, after the warm-up's row (when there was one). */
function httpRows(label: string, runs: HttpRun[], warmUp: HttpRun | null): string[][] {
  return [
    ...(warmUp ? [[`${label} (warm-up)`, ...httpCells(warmUp)]] : []),
    ...runs.map((h) => [label, ...httpCells(h)]),
  ];
}

export function httpTable(label: string, runs: HttpRun[], warmUp: HttpRun | null): string {
  return table(["server", ...HTTP_HEADER], httpRows(label, runs, warmUp));
}

export function loadTables(load: LoadReport): string[] {
  return [
    `HTTP load on the ${load.chunks}-chunk store (${load.real_chunks} real, ${load.composed_chunks} composed): POST /v1/answers`,
    table(
      ["database", ...HTTP_HEADER],
      load.series.flatMap((series) => httpRows(series.database, series.runs, series.warm_up)),
    ),
    ...load.series.map(
      (series) =>
        `${series.database}: store prepared in ${s(series.prepare_ms)} s${series.postgres_copy ? ` (COPY ${s(series.postgres_copy.copy_ms)} s, statistics ${s(series.postgres_copy.statistics_ms)} s)` : " (data directory copied)"}; server ready in ${s(series.server_ready_ms)} s at ${mib(series.server_rss_ready_mib)} MiB RSS`,
    ),
  ];
}

export const HTTP_NOTE =
  "HTTP: the real server (src/main.ts, LOG_LEVEL=info to a log file) in its own process; autocannon in the bench process. " +
  "warm-up: a run before the measured ones, over other questions, so their figures are of a server past its first few hundred answers (V8 has optimised the code by then); " +
  "p50/p99 (ms) of 2xx responses; errors include timeouts (10 s); CPU ms/answer and cores: the server process's CPU time (every thread, not PostgreSQL's own processes) per 2xx answer and per second of the run; machine busy: the share of all cores busy meanwhile (near 100%, answers queue for CPU); server RSS (MiB) at the end of each run, the highest 1 s sample during it, and the server's peak since it started";
