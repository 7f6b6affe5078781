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
import { createServer } from "node:net";
import { parentPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";

if (!parentPort) throw new Error("pglite-thread.worker.mjs must run as a worker thread");
const port = parentPort;

// Codes a client may send instead of a startup message (PostgreSQL's protocol, "Message Formats").
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const TERMINATE = 0x58; // 'X'

/**
 * One client connection, fed to PGlite a batch at a time: everything complete that has arrived is
 * executed in one call and answered in one write. PGlite's own socket server
 * (@electric-sql/pglite-socket) executes and answers each protocol message on its own, with a
 * task hop, a mutex turn and a write for each: a parameterised statement is five messages (one
 * answer at a time on the 100k bench store, recording an answer took ~0.9 ms less with this).
 * PostgreSQL's backend reads messages the same way from its socket buffer, so the replies are the
 * same bytes. Only this process's postgres.js connects (the socket's directory is private), but a
 * malformed length still ends the connection rather than the thread.
 */
class Connection {
  /** @param {import("node:net").Socket} socket @param {PGlite} db */
  constructor(socket, db) {
    this.socket = socket;
    this.db = db;
    /** What has arrived and is not yet executed, in the pieces it came in. */
    this.parts = [];
    this.buffered = 0;
    /** Bytes needed before the next message is whole: the first is an 8-byte header at least. */
    this.wanted = 8;
    this.started = false;
    this.closed = false;
    /** The batch being executed: data arriving meanwhile waits for the next. */
    this.running = Promise.resolve();
    socket.setNoDelay(true);
    socket.on("data", (data) => {
      this.parts.push(data);
      this.buffered += data.length;
      // A message still arriving (a batch of an ingest can be megabytes, in 64 kB pieces) is
      // joined once, when whole: joining at every piece made a 32 MB statement take 18 s.
      if (this.buffered >= this.wanted) this.running = this.running.then(() => this.drain());
    });
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      this.closed = true;
      // A client gone mid-transaction leaves PGlite's one session in it: roll back, as a
      // PostgreSQL backend does when its client disconnects.
      this.running = this.running.then(() => this.rollBackIfOpen());
    });
  }

  async drain() {
    while (!this.closed) {
      const batch = this.started ? this.takeMessages() : this.takeStartup();
      if (batch === null) return;
      const reply = await this.execute(batch.messages);
      if (reply.length > 0 && !this.closed) this.socket.write(reply);
      if (batch.terminate) {
        this.socket.end();
        return;
      }
    }
  }

  /** Everything that has arrived, as one buffer. */
  arrived() {
    if (this.parts.length > 1) this.parts = [Buffer.concat(this.parts)];
    return this.parts[0] ?? Buffer.alloc(0);
  }

  /** Drop the first `n` bytes, now executed; `wanted` is what the next message needs. */
  consume(n, wanted) {
    const rest = this.arrived().subarray(n);
    this.parts = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    this.wanted = wanted;
  }

  /** The first message: an encryption request (declined: a private socket), or the startup. */
  takeStartup() {
    const buffer = this.arrived();
    if (buffer.length < 8) return null;
    const length = buffer.readInt32BE(0);
    const code = buffer.readInt32BE(4);
    if (length < 8) return this.malformed();
    if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
      this.consume(8, 8);
      this.socket.write("N");
      return { messages: Buffer.alloc(0), terminate: false };
    }
    if (code === CANCEL_REQUEST) {
      this.socket.destroy();
      return null;
    }
    if (buffer.length < length) {
      this.wanted = length;
      return null;
    }
    const messages = buffer.subarray(0, length);
    this.consume(length, 5);
    this.started = true;
    return { messages, terminate: false };
  }

  /** Every complete message that has arrived, up to a Terminate (which ends the connection). */
  takeMessages() {
    const buffer = this.arrived();
    let end = 0;
    let terminate = false;
    // A message is a type byte and a length that counts itself: 5 bytes before its length is known.
    let wanted = 5;
    while (end + 5 <= buffer.length) {
      const type = buffer[end];
      const length = buffer.readInt32BE(end + 1);
      if (length < 4) return this.malformed();
      const next = end + 1 + length;
      if (next > buffer.length) {
        wanted = next - end;
        break;
      }
      if (type === TERMINATE) {
        terminate = true;
        break;
      }
      end = next;
    }
    if (end === 0 && !terminate) {
      this.wanted = wanted;
      return null;
    }
    const messages = buffer.subarray(0, end);
    this.consume(end, wanted);
    return { messages, terminate };
  }

  /** A length no message can have (it counts its own 4 bytes): nothing after it can be read. */
  malformed() {
    this.socket.destroy();
    return null;
  }

  /** PGlite's replies to `messages`, as one buffer; a failure here ends the connection. */
  async execute(messages) {
    if (messages.length === 0) return Buffer.alloc(0);
    const chunks = [];
    try {
      await this.db.runExclusive(() =>
        this.db.execProtocolRawStream(new Uint8Array(messages), {
          // A view of PGlite's memory, reused by the next call: copied now.
          onRawData: (chunk) => chunks.push(Buffer.from(chunk)),
        }),
      );
    } catch {
      this.socket.destroy();
      return Buffer.alloc(0);
    }
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  }

  async rollBackIfOpen() {
    try {
      if (!this.db.closed && this.db.isInTransaction()) await this.db.exec("ROLLBACK");
    } catch {
      // The store is closing or gone: nothing left to roll back.
    }
  }
}

let db;
let server;
try {
  db = await PGlite.create(workerData.dataDir);
  const store = db;
  // The host opens one connection (PGlite is one session); a new one replaces an old one that
  // the host has given up on, so two never interleave their statements.
  let current = null;
  server = createServer((socket) => {
    current?.socket.destroy();
    const previous = current;
    current = new Connection(socket, store);
    // The replaced connection's rollback runs before anything the new one sends.
    if (previous) current.running = previous.running.then(() => previous.rollBackIfOpen());
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(workerData.socketPath, resolve);
  });
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
    await new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (db && !db.closed) await db.close();
    port.postMessage({ closed: true });
  } catch (error) {
    port.postMessage({
      closed: false,
      message: error instanceof Error ? error.message : String(error),
    });
  }
});
