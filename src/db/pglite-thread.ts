import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import postgres from "postgres";

const workerUrl = new URL("./pglite-thread.worker.mjs", import.meta.url);

/** How long closing waits for the thread to flush and close the store before it is stopped. */
const CLOSE_TIMEOUT_MS = 60_000;

/** A PGlite store served from its own thread, and the one connection this process has to it. */
export type PgliteThread = {
  client: postgres.Sql;
  /** Ends the connection, then closes the store in its thread (its writes flushed) and the thread. */
  close(): Promise<void>;
};

type Ready = { ready: true } | { ready: false; message: string };
type Closed = { closed: true } | { closed: false; message: string };

/**
 * Open the PGlite store in `dataDir` in a worker thread that serves it on a Unix socket in a new
 * private directory (mode 0700: only this user may connect), and connect to it with postgres.js.
 *
 * Why: PGlite executes every statement synchronously, in WebAssembly, on the thread that calls
 * it. In a server's own thread that is CPU the answers then wait for (parsing, planning, WAL,
 * the record's JSON), and under load it was a third of that thread's time. In a thread of its
 * own it runs beside answering, on the machine's other core.
 *
 * One connection: PGlite is one session, so statements and transactions take turns as they did
 * in process. The caller owns the store lock; this only opens what the lock allows.
 */
export async function openPgliteThread(dataDir: string): Promise<PgliteThread> {
  const socketDir = await mkdtemp(join(tmpdir(), "verity-pglite-"));
  const worker = new Worker(workerUrl, {
    workerData: { dataDir, socketPath: join(socketDir, ".s.PGSQL.5432") },
  });
  const exited = new Promise<number>((resolve) => worker.once("exit", resolve));
  try {
    const ready = await new Promise<Ready>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
      void exited.then((code) => reject(new Error(`the PGlite thread exited (code ${code})`)));
    });
    if (!ready.ready) throw new Error(ready.message);
  } catch (error) {
    await worker.terminate();
    await rm(socketDir, { recursive: true, force: true });
    throw error;
  }

  const client = postgres({
    host: socketDir,
    port: 5432,
    username: "postgres",
    database: "postgres",
    max: 1,
    onnotice: () => {},
    // The thread is in this process: if it cannot be reached it is gone, and waiting won't help.
    connect_timeout: 5,
    backoff: () => 0.05,
  });
  let closing: Promise<void> | null = null;
  return {
    client,
    close() {
      closing ??= (async () => {
        try {
          await client.end({ timeout: 5 });
          await closeStore(worker, exited);
        } finally {
          await worker.terminate();
          await rm(socketDir, { recursive: true, force: true });
        }
      })();
      return closing;
    },
  };
}

/** Ask the thread to close the store; throws if it could not, or did not within the timeout. */
async function closeStore(worker: Worker, exited: Promise<number>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const reply = await Promise.race([
      new Promise<Closed>((resolve) => {
        worker.on("message", (message: Closed | Ready) => {
          if ("closed" in message) resolve(message);
        });
        worker.postMessage("close");
      }),
      exited.then((code) => ({
        closed: false as const,
        message: `the PGlite thread exited (code ${code}) before closing the store`,
      })),
      new Promise<Closed>((resolve) => {
        timer = setTimeout(
          () => resolve({ closed: false, message: "the PGlite thread did not close the store" }),
          CLOSE_TIMEOUT_MS,
        );
      }),
    ]);
    if (!reply.closed) throw new Error(reply.message);
  } finally {
    clearTimeout(timer);
  }
}
