// Worker thread for pglite-thread.ts: owns one PGlite store and serves it, as PostgreSQL's wire
// protocol, on a Unix socket in a private directory; the host talks to it with postgres.js like
// to any PostgreSQL. PGlite runs its queries synchronously in WebAssembly on the calling thread:
// here that is this thread, so a server's answers never wait for the database's CPU work.
// Plain ESM JavaScript on purpose: Node runs it directly, with no TypeScript loader under tsx,
// vitest or a compiled build.
// Protocol (driven by pglite-thread.ts):
//   workerData: { dataDir, socketPath }
//   out: { ready: true } once it listens, or { ready: false, message } if the store did not open
//   in:  "close"  -> stops listening, closes the store (its last writes flushed), then
//   out: { closed: true } or { closed: false, message }
import { parentPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

if (!parentPort) throw new Error("pglite-thread.worker.mjs must run as a worker thread");
const port = parentPort;

let db;
let server;
try {
  db = await PGlite.create(workerData.dataDir);
  server = new PGLiteSocketServer({ db, path: workerData.socketPath });
  await server.start();
  port.postMessage({ ready: true });
} catch (error) {
  await db?.close().catch(() => {});
  port.postMessage({
    ready: false,
    message: error instanceof Error ? error.message : String(error),
  });
}

port.on("message", async (message) => {
  if (message !== "close") return;
  try {
    await server?.stop();
    if (db && !db.closed) await db.close();
    port.postMessage({ closed: true });
  } catch (error) {
    port.postMessage({
      closed: false,
      message: error instanceof Error ? error.message : String(error),
    });
  }
});
