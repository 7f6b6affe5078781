import { Worker } from "node:worker_threads";

/** Runs embedding batches on worker threads; each job returns raw (unnormalised) model rows. */
export interface EmbedWorkerPool {
  embed(texts: string[]): Promise<Float64Array[]>;
  close(): Promise<void>;
}

type Job = {
  id: number;
  texts: string[];
  resolve: (rows: Float64Array[]) => void;
  reject: (error: Error) => void;
};
type Slot = { worker: Worker; job: Job | null };
type Reply =
  | { id: number; ok: true; dimension: number; data: Float64Array }
  | { id: number; ok: false; message: string };

/**
 * Workers start lazily (a server that only embeds queries never pays for them) and each loads its
 * own copy of the model. Idle workers are unref'd so a forgotten close() cannot keep the process
 * alive; a busy one is ref'd so the process waits for the answer.
 */
export function createEmbedWorkerPool(
  size: number,
  workerUrl: URL,
  workerData?: unknown,
): EmbedWorkerPool {
  const slots: Slot[] = [];
  const queue: Job[] = [];
  let nextId = 0;
  let closed = false;

  function spawn(): Slot {
    const slot: Slot = { worker: new Worker(workerUrl, { workerData }), job: null };
    slot.worker.on("message", (reply: Reply) => finish(slot, reply));
    slot.worker.on("error", (error: Error) => fail(slot, error));
    slot.worker.on("exit", (code) => fail(slot, new Error(`embedding worker exited (${code})`)));
    slots.push(slot);
    return slot;
  }

  function pump(): void {
    while (queue.length > 0 && !closed) {
      const slot = slots.find((s) => s.job === null) ?? (slots.length < size ? spawn() : undefined);
      if (!slot) return;
      const job = queue.shift()!;
      slot.job = job;
      slot.worker.ref();
      slot.worker.postMessage({ id: job.id, texts: job.texts });
    }
  }

  function finish(slot: Slot, reply: Reply): void {
    const job = slot.job;
    if (!job || job.id !== reply.id) return;
    slot.job = null;
    slot.worker.unref();
    if (reply.ok) job.resolve(splitRows(reply.data, reply.dimension));
    else job.reject(new Error(`embedding worker failed: ${reply.message}`));
    pump();
  }

  // A crashed worker fails only its own job; the slot is dropped and respawned on demand.
  function fail(slot: Slot, error: Error): void {
    const at = slots.indexOf(slot);
    if (at === -1) return;
    slots.splice(at, 1);
    slot.job?.reject(error);
    slot.job = null;
    void slot.worker.terminate();
    pump();
  }

  return {
    embed(texts) {
      if (closed) return Promise.reject(new Error("embedder is closed"));
      return new Promise((resolve, reject) => {
        queue.push({ id: nextId++, texts, resolve, reject });
        pump();
      });
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new Error("embedder is closed"));
      const closing = slots.splice(0);
      for (const slot of closing) slot.job?.reject(new Error("embedder is closed"));
      await Promise.all(closing.map((slot) => slot.worker.terminate()));
    },
  };
}

function splitRows(data: Float64Array, dimension: number): Float64Array[] {
  const rows: Float64Array[] = [];
  for (let offset = 0; offset < data.length; offset += dimension) {
    rows.push(data.subarray(offset, offset + dimension));
  }
  return rows;
}
