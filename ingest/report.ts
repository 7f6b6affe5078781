import { SingleBar, Presets } from "cli-progress";
import type { IngestEvent, IngestSummary } from "./pipeline.ts";

/** A progress bar on a terminal; nothing on a pipe or in CI logs, where the summary suffices. */
export function createProgressReporter(stream: NodeJS.WriteStream) {
  if (!stream.isTTY) return { onEvent: (_event: IngestEvent) => {}, stop: () => {} };
  const bar = new SingleBar(
    {
      stream,
      format: "ingest [{bar}] {value}/{total} files | {file}",
      hideCursor: true,
      clearOnComplete: true,
    },
    Presets.shades_classic,
  );
  return {
    onEvent(event: IngestEvent) {
      if (event.kind === "start") bar.start(event.totalFiles, 0, { file: "" });
      else bar.increment({ file: event.path });
    },
    stop: () => bar.stop(),
  };
}

export function formatSummary(
  s: IngestSummary,
  index: { indexedChunks: number; rebuilt: boolean; indexMs: number },
): string {
  const f = s.files;
  const lines = [
    `Ingest run ${s.runId}: ${f.seen} files seen — ${f.added} added, ${f.updated} updated, ${f.unchanged} unchanged, ${f.removed} removed, ${f.failed} failed.`,
    `Chunks: ${s.chunks.written} written, ${s.chunks.embedded} embedded, ${s.chunks.reused} reused from the vector cache.`,
    `Time: load ${ms(s.timingsMs.load)}, chunk ${ms(s.timingsMs.chunk)}, embed ${ms(s.timingsMs.embed)}, persist ${ms(s.timingsMs.persist)}, total ${ms(s.timingsMs.total)}; index ${index.rebuilt ? "rebuilt" : "unchanged"} (${index.indexedChunks} chunks, ${ms(index.indexMs)}).`,
  ];
  for (const r of s.removed) lines.push(`  removed: ${r.source}:${r.path}`);
  for (const e of s.failures) lines.push(`  FAILED ${e.source}:${e.path}: ${e.error}`);
  return lines.join("\n");
}

function ms(x: number): string {
  return x >= 1000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`;
}
