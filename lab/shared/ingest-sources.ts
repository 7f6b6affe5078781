import type { Deps } from "../../src/deps.ts";
import { loadManifest } from "../../ingest/manifest.ts";
import { ingestManifest } from "../../ingest/pipeline.ts";

/**
 * Bring a lab store up to date with a manifest through the real pipeline (idempotent: unchanged
 * files are skipped) and wait for the serving index to follow.
 */
export async function ingestSources(deps: Deps, manifestPath: string, by: string): Promise<void> {
  await ingestManifest({
    db: deps.db,
    embedder: deps.embedder,
    manifest: await loadManifest(manifestPath),
    ingestedBy: by,
  });
  await deps.index.refresh();
}
