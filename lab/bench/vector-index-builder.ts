import { Worker } from "node:worker_threads";
import type { VectorIndexMessage, VectorIndexReply } from "./vector-index-worker.ts";

/** Batches sent but not yet in the graph; past this, the sender waits (bounded memory). */
const MAX_IN_FLIGHT = 8;

export type VectorIndexBuilder = {
  /** Queue a batch; resolves once few enough batches are waiting. */
  add(items: { chunkId: string; vector: Float32Array }[]): Promise<void>;
  /** Wait for every batch, name the corpus state, save to `dir`. */
  save(dir: string, fingerprint: string): Promise<{ count: number; busy_ms: number }>;
  close(): Promise<void>;
};

/** The HNSW graph built on a worker thread (vector-index-worker.ts), fed in batches. */
export function startVectorIndexBuilder(model: string, dimension: number): VectorIndexBuilder {
  const worker = new Worker(new URL("./vector-index-worker.mjs", import.meta.url), {
    workerData: { model, dimension },
  });
  let inFlight = 0;
  let failure: Error | null = null;
  let wakeSender: (() => void) | null = null;
  let onSaved: ((reply: { count: number; busy_ms: number }) => void) | null = null;
  let onFailed: ((error: Error) => void) | null = null;

  const fail = (error: Error) => {
    failure = error;
    wakeSender?.();
    onFailed?.(error);
  };
  worker.on("error", fail);
  worker.on("message", (reply: VectorIndexReply) => {
    if (reply.kind === "added") {
      inFlight -= 1;
      wakeSender?.();
    } else if (reply.kind === "saved") onSaved?.(reply);
    else fail(new Error(`vector index worker: ${reply.message}`));
  });
  const post = (message: VectorIndexMessage, transfer: ArrayBuffer[] = []) =>
    worker.postMessage(message, transfer);

  return {
    async add(items) {
      if (failure) throw failure;
      if (items.length === 0) return;
      const vectors = new Float32Array(items.length * dimension);
      items.forEach((item, i) => vectors.set(item.vector, i * dimension));
      inFlight += 1;
      post({ kind: "add", ids: items.map((i) => i.chunkId), vectors }, [vectors.buffer]);
      while (inFlight > MAX_IN_FLIGHT && !failure) {
        await new Promise<void>((resolve) => (wakeSender = resolve));
        wakeSender = null;
      }
      if (failure) throw failure;
    },
    save(dir, fingerprint) {
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        onSaved = resolve;
        onFailed = reject;
        post({ kind: "save", dir, fingerprint });
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}
