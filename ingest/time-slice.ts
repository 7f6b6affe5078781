import { setImmediate as nextTurn } from "node:timers/promises";

/** How long ingestion may hold the event loop before it lets I/O (answers, health checks) run. */
const DEFAULT_SLICE_MS = 1;

/**
 * A point at which a long run of work gives the event loop a turn, if it has held it for a slice.
 * Ingestion runs inside the server too, and PGlite's statements are synchronous WebAssembly
 * behind promises: a chain of them (or of synchronous file reads) never reaches the I/O phase,
 * so without these turns every request waits for the whole run. Turning only once a slice has
 * passed keeps a run of thousands of quick steps (an unchanged re-ingest) from paying a turn each.
 */
export function timeSlicer(sliceMs = DEFAULT_SLICE_MS): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < sliceMs) return;
    await nextTurn();
    since = performance.now();
  };
}
