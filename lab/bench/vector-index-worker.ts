import { parentPort, workerData } from "node:worker_threads";
import { buildVectorIndex, type VectorIndex } from "../../src/retrieval/vector-index.ts";

/**
 * Builds a store's HNSW graph on its own thread while the main thread copies rows into PGlite:
 * the graph the server would build (src's buildVectorIndex, same parameters and insertion
 * order), grown batch by batch, then named for the store's corpus state and saved where
 * createDeps looks for it.
 */
export type VectorIndexMessage =
  | { kind: "add"; ids: string[]; vectors: Float32Array }
  | { kind: "save"; dir: string; fingerprint: string };

export type VectorIndexReply =
  | { kind: "added"; count: number }
  | { kind: "saved"; count: number; busy_ms: number }
  | { kind: "failed"; message: string };

const { model, dimension } = workerData as { model: string; dimension: number };
const port = parentPort!;
let index: VectorIndex | null = null;
let busyMs = 0;

port.on("message", (message: VectorIndexMessage) => {
  void handle(message).catch((error: unknown) =>
    port.postMessage({
      kind: "failed",
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    } satisfies VectorIndexReply),
  );
});

async function handle(message: VectorIndexMessage): Promise<void> {
  const t = performance.now();
  if (message.kind === "add") {
    const items = message.ids.map((chunkId, i) => ({
      chunkId,
      vector: message.vectors.subarray(i * dimension, (i + 1) * dimension),
    }));
    if (index) index.add(items);
    else index = buildVectorIndex(items, { model, dimension, fingerprint: "" });
    busyMs += performance.now() - t;
    port.postMessage({ kind: "added", count: index.state.count } satisfies VectorIndexReply);
    return;
  }
  index ??= buildVectorIndex([], { model, dimension, fingerprint: "" });
  index.describe(message.fingerprint);
  await index.save(message.dir);
  busyMs += performance.now() - t;
  port.postMessage({
    kind: "saved",
    count: index.state.count,
    busy_ms: Math.round(busyMs),
  } satisfies VectorIndexReply);
}
