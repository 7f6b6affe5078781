import type { BaselineReport } from "./baseline.ts";
import type { StageBreakdown } from "./breakdown.ts";
import type { HttpRun } from "./http.ts";
import type { IngestMeasurement } from "./ingest.ts";
import type { LedgerReport } from "./ledger.ts";
import type { Machine } from "./machine.ts";
import type { QueryReport } from "./query.ts";
import type { ScaleStoreInfo } from "./scale-store.ts";
import type { LatencySummary } from "../shared/stats.ts";
import type { VerifierCost } from "./verifier.ts";

export type ScalePoint = Omit<ScaleStoreInfo, "dir"> & {
  synthetic: string | null;
  query: QueryReport;
  stages: StageBreakdown;
  peak_rss_mib: number;
};

export type BenchReport = {
  mode: "quick" | "full";
  startedAt: string;
  machine: Machine;
  dataset: { path: string; paragraphs: number; questions_asked: number; store: string };
  embedder: { model: string; load_ms: number };
  ingest: IngestMeasurement & { peak_rss_mib: number };
  query: QueryReport & { stages: StageBreakdown; peak_rss_mib: number };
  /** The shipped answerability verifier's cost per answer (null when no model file exists). */
  verifier: VerifierCost | null;
  /** What the answer ledger costs: answers without and with their record, and appends per second. */
  ledger: LedgerReport;
  http: { runs: HttpRun[]; peak_rss_mib: number };
  scale: ScalePoint[];
  baseline: BaselineReport;
  /** Verity divided by the baseline: p50 > 1 means Verity is slower, qps < 1 means fewer answers/s. */
  ratio: {
    p50: number;
    p99: number;
    qps: number;
    /** null when the baseline was fed stored vectors and so did not embed. */
    ingest_chunks_per_s: number | null;
    ingest_chunks_per_s_excl_embed: number;
  };
  peak_rss_mib: number;
  notes: string[];
  total_s: number;
};

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const pad = (cells: string[], widths: number[]) =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [pad(header, widths), ...rows.map((r) => pad(r, widths))].join("\n");
}

const stageText = (s: StageBreakdown) =>
  `query embedding ${ms(s.embed_p50_ms)} ms, BM25 ${ms(s.bm25_p50_ms)} ms, HNSW ${ms(s.ann_p50_ms)} ms`;

const latencyCells = (s: LatencySummary) => [
  ms(s.p50_ms),
  ms(s.p95_ms),
  ms(s.p99_ms),
  s.qps.toFixed(1),
];

export function formatReport(r: BenchReport): string {
  const m = r.machine;
  const i = r.ingest;
  const b = r.baseline;
  const out: string[] = [];
  out.push(
    `Verity bench (${r.mode}) on ${m.cpus} x ${m.model}, ${m.memory_gib} GiB, Node ${m.node}, ${m.platform}`,
    `corpus: ${r.dataset.paragraphs} SQuAD 2.0 paragraphs -> ${i.files} files, ${i.chunks} chunks; embedder ${r.embedder.model} (load ${ms(r.embedder.load_ms)} ms)`,
    "",
    "Ingestion (real pipeline, PGlite)",
    table(
      ["stage", "ms", "share"],
      (["load", "chunk", "embed", "persist", "index", "other"] as const).map((s) => {
        const v = i[`${s}_ms`];
        return [s, String(v), `${((100 * v) / Math.max(1, i.total_ms)).toFixed(1)}%`];
      }),
    ),
    `total ${(i.total_ms / 1000).toFixed(1)} s = ${i.chunks_per_s.toFixed(1)} chunks/s (embedding alone ${i.embed_chunks_per_s.toFixed(1)} chunks/s)`,
    `re-ingest unchanged: ${i.reingest.total_ms} ms, ${i.reingest.files_unchanged} files unchanged, ${i.reingest.chunks_embedded} chunks embedded`,
    "",
    "Query latency (ms) and throughput",
    table(
      ["path", "n", "p50", "p95", "p99", "qps"],
      [
        ["in-process answerQuestion, c1", String(r.query.n), ...latencyCells(r.query)],
        ...r.http.runs.map((h) => [
          `HTTP POST /v1/answers, c${h.connections}`,
          String(h.n),
          ...latencyCells(h),
        ]),
        [
          `baseline similaritySearch k=${b.query.k}, c1`,
          String(b.query.n),
          ...latencyCells(b.query),
        ],
      ],
    ),
    `answered ${r.query.answered}/${r.query.n}; HTTP errors ${r.http.runs.map((h) => h.errors + h.non_2xx).join("/")}`,
    `retrieval steps (p50 of ${r.query.stages.n}): ${stageText(r.query.stages)}`,
    r.verifier === null
      ? "verifier: no model file"
      : `verifier ${r.verifier.model} (${r.verifier.n} questions asked both ways): answer p50 ${ms(r.verifier.heuristic_p50_ms)} ms without, ${ms(r.verifier.verifier_p50_ms)} ms with (${r.verifier.added_p50_ms >= 0 ? "+" : ""}${r.verifier.added_p50_ms.toFixed(2)} ms); its own scoring p50 ${r.verifier.scoring_p50_ms.toFixed(3)} ms`,
    `ledger (${r.ledger.answer_with_ledger.n} questions, each composed alone then asked with its record): answer p50 ${ms(r.ledger.answer_without_record.p50_ms)} ms without the record, ${ms(r.ledger.answer_with_ledger.p50_ms)} ms with the ledger append (+${r.ledger.record_p50_ms.toFixed(1)} ms); records appended/s by ${r.ledger.appends.map((a) => `${a.writers} writer(s): ${a.per_s.toFixed(0)}`).join(", ")}`,
    "",
    "Scale (in-process answerQuestion, c1)",
    table(
      [
        "chunks",
        "real",
        "synthetic",
        "build s",
        "MiB",
        "p50",
        "p95",
        "p99",
        "qps",
        "embed",
        "bm25",
        "ann",
        "RSS MiB",
      ],
      r.scale.map((s) => [
        String(s.chunks),
        String(s.real_chunks),
        String(s.synthetic_chunks),
        `${((s.generate_ms + s.index_build_ms) / 1000).toFixed(1)}${s.cached ? " (cached)" : ""}`,
        String(s.store_mib),
        ...latencyCells(s.query),
        ms(s.stages.embed_p50_ms),
        ms(s.stages.bm25_p50_ms),
        ms(s.stages.ann_p50_ms),
        String(s.peak_rss_mib),
      ]),
    ),
    "build s: generate + index build on first use (cached stores show that first build); embed/bm25/ann: p50 ms of the retrieval steps",
    ...[...new Set(r.scale.map((s) => s.synthetic).filter((s) => s !== null))].map((s) => `* ${s}`),
    "",
    `Baseline: ${b.description}`,
    table(
      ["", "Verity", "baseline", "Verity/baseline"],
      [
        ...(r.ratio.ingest_chunks_per_s === null
          ? []
          : [
              [
                "ingest chunks/s (with embedding)",
                i.chunks_per_s.toFixed(1),
                b.ingest.chunks_per_s.toFixed(1),
                r.ratio.ingest_chunks_per_s.toFixed(2),
              ],
            ]),
        [
          "ingest chunks/s (excluding embedding)",
          i.chunks_per_s_excl_embed.toFixed(1),
          b.ingest.chunks_per_s_excl_embed.toFixed(1),
          r.ratio.ingest_chunks_per_s_excl_embed.toFixed(2),
        ],
        ["query p50 ms", ms(r.query.p50_ms), ms(b.query.p50_ms), r.ratio.p50.toFixed(2)],
        ["query p99 ms", ms(r.query.p99_ms), ms(b.query.p99_ms), r.ratio.p99.toFixed(2)],
        ["query qps", r.query.qps.toFixed(1), b.query.qps.toFixed(1), r.ratio.qps.toFixed(2)],
      ],
    ),
    "",
    `peak RSS ${r.peak_rss_mib} MiB; total ${r.total_s.toFixed(0)} s`,
    ...r.notes.map((n) => `note: ${n}`),
  );
  return out.join("\n");
}
