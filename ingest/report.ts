import { SingleBar, Presets } from "cli-progress";
import type { IngestProgress } from "../src/ingestion/schema.ts";
import type { IngestEvent, IngestSummary } from "./pipeline.ts";
import type { RemovalSummary } from "./remove-source.ts";

/**
 * A progress bar on a terminal; nothing on a pipe or in CI logs, where the summary suffices. It
 * follows a local run's events, or the progress a server reports for its run.
 */
export function createProgressReporter(stream: NodeJS.WriteStream) {
  if (!stream.isTTY)
    return {
      onEvent: (_event: IngestEvent) => {},
      onProgress: (_p: IngestProgress) => {},
      stop() {},
    };
  const bar = new SingleBar(
    {
      stream,
      format: "ingest [{bar}] {value}/{total} files | {file}",
      hideCursor: true,
      clearOnComplete: true,
    },
    Presets.shades_classic,
  );
  let started = false;
  return {
    onEvent(event: IngestEvent) {
      if (event.kind === "start") bar.start(event.totalFiles, 0, { file: "" });
      else bar.increment({ file: event.path });
    },
    onProgress(p: IngestProgress) {
      if (p.totalFiles === null) return;
      if (!started) bar.start(p.totalFiles, p.done, { file: p.lastFile ?? "" });
      else bar.update(p.done, { file: p.lastFile ?? "" });
      started = true;
    },
    stop: () => bar.stop(),
  };
}

export function formatSummary(s: IngestSummary): string {
  const f = s.files;
  const index = s.index
    ? `index ${s.index.rebuilt ? "rebuilt" : "unchanged"} (${s.index.chunks} chunks, ${ms(s.index.ms)})`
    : "index not refreshed";
  const lines = [
    `Ingest run ${s.runId}: ${f.seen} files seen — ${f.added} added, ${f.updated} updated, ${f.unchanged} unchanged, ${f.removed} removed, ${f.failed} failed.`,
    `Chunks: ${s.chunks.written} written, ${s.chunks.embedded} embedded, ${s.chunks.reused} reused from the vector cache, ${s.chunks.suspectedInjection} flagged as suspected prompt injection${s.chunks.reembedded > 0 ? `, ${s.chunks.reembedded} of unchanged files re-embedded (another encoder had embedded them)` : ""}.`,
    `Time: load ${ms(s.timingsMs.load)}, chunk ${ms(s.timingsMs.chunk)}, embed ${ms(s.timingsMs.embed)}, persist ${ms(s.timingsMs.persist)}, total ${ms(s.timingsMs.total)}; ${index}.`,
  ];
  for (const r of s.removed) lines.push(`  removed: ${r.source}:${r.path}`);
  for (const e of s.failures) lines.push(`  FAILED ${e.source}:${e.path}: ${e.error}`);
  return lines.join("\n");
}

export function formatRemoval(s: RemovalSummary): string {
  return `Removal run ${s.runId}: source ${s.source} removed, ${s.removed.length} documents no longer searched (their versions are kept).`;
}

function ms(x: number): string {
  return x >= 1000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`;
}
