import type { BaselineReport } from "./baseline.ts";
import type { StageBreakdown } from "./breakdown.ts";
import type { HttpRun } from "./http.ts";
import type { IngestMeasurement } from "./ingest.ts";
import type { ReingestMeasurement } from "./reingest.ts";
import type { LedgerReport } from "./ledger.ts";
import type { LoadReport } from "./load.ts";
import type { Machine } from "./machine.ts";
import type { QueryReport } from "./query.ts";
import {
  HTTP_NOTE,
  httpTable,
  latencyCells,
  loadTables,
  ms,
  scaleTables,
  table,
} from "./report-tables.ts";
import type { ScalePoint } from "./scale.ts";
import type { VerifierCost } from "./verifier.ts";

export type BenchReport = {
  mode: "quick" | "full";
  startedAt: string;
  machine: Machine;
  dataset: { path: string; paragraphs: number; questions_asked: number; store: string };
  /** The encoder of every measurement: VERITY_ENCODER's choice, in the bench and in its children. */
  embedder: { model: string; encoder: string; load_ms: number };
  /** --heap: the V8 heap limit of the scale points and servers; null for Node's default. */
  heap_limit_mib: number | null;
  ingest: IngestMeasurement & { peak_rss_mib: number };
  query: QueryReport & { stages: StageBreakdown; peak_rss_mib: number };
  /** The shipped answerability verifier's cost per answer (null when no model file exists). */
  verifier: VerifierCost | null;
  /** What the answer ledger costs: answers without and with their record, and appends per second. */
  ledger: LedgerReport;
  /** HTTP on the SQuAD corpus just ingested, against a server process. */
  http: {
    warm_up: HttpRun | null;
    runs: HttpRun[];
    server_ready_ms: number;
    server_rss_ready_mib: number | null;
  };
  /** An unchanged re-ingest of a real source's size (SciFact's abstracts as files). */
  reingest: ReingestMeasurement;
  /** The real corpora the scale stores start from. */
  real: { documents: number; chunks: number; by_corpus: Record<string, number> };
  /** How composed chunks and their vectors are made (the same for every size). */
  composition: string;
  scale: ScalePoint[];
  /** HTTP load on one scale store, per database; null when no database was asked for. */
  load: LoadReport | null;
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
  /** The bench process's own peak; stores and servers report theirs above. */
  peak_rss_mib: number;
  notes: string[];
  total_s: number;
};

const stageText = (s: StageBreakdown) =>
  `query embedding ${ms(s.embed_p50_ms)} ms, BM25 (${s.lexical}) ${ms(s.bm25_p50_ms)} ms, HNSW ${ms(s.ann_p50_ms)} ms`;

export function formatReport(r: BenchReport): string {
  const m = r.machine;
  const i = r.ingest;
  const b = r.baseline;
  const real = Object.entries(r.real.by_corpus).map(([corpus, n]) => `${corpus} ${n}`);
  return [
    `Verity bench (${r.mode}) on ${m.cpus} x ${m.model}, ${m.memory_gib} GiB, Node ${m.node}, ${m.platform}; load average ${m.load_avg.start} at start, ${m.load_avg.end} at end`,
    `corpus: ${r.dataset.paragraphs} SQuAD 2.0 paragraphs -> ${i.files} files, ${i.chunks} chunks; encoder ${r.embedder.encoder} = ${r.embedder.model} (load ${ms(r.embedder.load_ms)} ms)`,
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
    "Query latency (ms) and throughput on that corpus",
    table(
      ["path", "n", "p50", "p95", "p99", "qps"],
      [
        [
          `in-process askQuestion, first ${r.query.warm_up.n} after opening (warm-up)`,
          String(r.query.warm_up.n),
          ...latencyCells(r.query.warm_up),
        ],
        ["in-process askQuestion, c1", String(r.query.n), ...latencyCells(r.query)],
        [
          `baseline similaritySearch k=${b.query.k}, c1 (same warm-up)`,
          String(b.query.n),
          ...latencyCells(b.query),
        ],
      ],
    ),
    `answered ${r.query.answered}/${r.query.n}; retrieval steps (p50 of ${r.query.stages.n}): ${stageText(r.query.stages)}`,
    r.verifier === null
      ? "verifier: no model file"
      : `verifier ${r.verifier.model} (${r.verifier.n} questions asked both ways): answer p50 ${ms(r.verifier.heuristic_p50_ms)} ms without, ${ms(r.verifier.verifier_p50_ms)} ms with (${r.verifier.added_p50_ms >= 0 ? "+" : ""}${r.verifier.added_p50_ms.toFixed(2)} ms); its own scoring p50 ${r.verifier.scoring_p50_ms.toFixed(3)} ms`,
    `ledger (${r.ledger.answer_with_ledger.n} questions, each composed alone then asked with its record): answer p50 ${ms(r.ledger.answer_without_record.p50_ms)} ms without the record, ${ms(r.ledger.answer_with_ledger.p50_ms)} ms with the ledger append (+${r.ledger.record_p50_ms.toFixed(1)} ms); records appended/s by ${r.ledger.appends.map((a) => `${a.writers} writer(s): ${a.per_s.toFixed(0)}`).join(", ")}`,
    "",
    `HTTP on that corpus (server ready in ${(r.http.server_ready_ms / 1000).toFixed(1)} s at ${r.http.server_rss_ready_mib ?? "-"} MiB RSS)`,
    httpTable("SQuAD corpus, PGlite", r.http.runs, r.http.warm_up),
    "",
    `Unchanged re-ingest at a real source's size: ${r.reingest.files} SciFact abstracts as files, ${r.reingest.chunks} chunks (PGlite)`,
    `first ingest ${(r.reingest.first.total_ms / 1000).toFixed(1)} s = ${r.reingest.first.chunks_per_s.toFixed(0)} chunks/s with the static encoder, ${r.reingest.first.pipeline_chunks_per_s.toFixed(0)} chunks/s before the index (embed ${r.reingest.first.embed_ms} ms overlapping persist ${r.reingest.first.persist_ms} ms; index ${r.reingest.first.index_ms} ms); unchanged: ${r.reingest.unchanged_ms.join(", ")} ms = ${r.reingest.unchanged_chunks_per_s.toFixed(0)} chunks/s (fastest run)`,
    "",
    `Real corpora: ${r.real.documents} documents, ${r.real.chunks} chunks (${real.join(", ")}); every scale store holds the gold documents of the questions it is asked, then whole real documents (a seeded sample, or all), then composed chunks`,
    `* composed chunks: ${r.composition}`,
    "* real chunks' vectors: embedded by the encoder above, cached by (model id, text sha256)",
    `* measured processes' V8 heap limit: ${r.heap_limit_mib === null ? "Node's default" : `${r.heap_limit_mib} MiB (--heap)`}`,
    "",
    ...scaleTables(r.scale),
    "",
    ...(r.load ? [...loadTables(r.load), ""] : []),
    HTTP_NOTE,
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
    `bench process peak RSS ${r.peak_rss_mib} MiB; total ${r.total_s.toFixed(0)} s`,
    ...r.notes.map((n) => `note: ${n}`),
  ].join("\n");
}
