import { mkdtemp, rm } from "node:fs/promises";
import { connect, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeServerTimeouts } from "../../src/http/middleware/timeouts.ts";
import { copyTemplateStore } from "../support/databases.ts";
import { startServer, type RunningServer } from "../support/server.ts";

/** What came back on a raw connection: the status line's code, the text, and when. */
type Exchange = { status: number; text: string; firstByteMs: number; closedMs: number | null };

/**
 * Open a TCP connection, let `send` write to it, and collect the response until it is whole (or,
 * with `untilClosed`, until the server closes the connection) or `waitMs` passes; times are from
 * the connection's opening.
 */
function exchange(
  url: string,
  send: (socket: Socket) => void,
  { untilClosed = false, waitMs = 8_000 } = {},
) {
  const { hostname, port } = new URL(url);
  return new Promise<Exchange>((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const started = Date.now();
    let text = "";
    let firstByteMs = -1;
    const finish = (closedMs: number | null) => {
      clearTimeout(timer);
      socket.destroy();
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, text, firstByteMs, closedMs });
    };
    const timer = setTimeout(() => finish(null), waitMs);
    socket.on("connect", () => send(socket));
    socket.on("data", (data) => {
      if (firstByteMs < 0) firstByteMs = Date.now() - started;
      text += data.toString("latin1");
      if (!untilClosed && isWhole(text)) finish(null);
    });
    // A server closing while the client still writes shows as a reset or a broken pipe.
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (firstByteMs >= 0 || ["ECONNRESET", "EPIPE"].includes(error.code ?? "")) return;
      clearTimeout(timer);
      reject(error);
    });
    socket.on("close", () => finish(Date.now() - started));
  });
}

/** Whether a response's head and all of its Content-Length have arrived. */
function isWhole(text: string): boolean {
  const end = text.indexOf("\r\n\r\n");
  const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end))?.[1];
  return end >= 0 && length !== undefined && text.length - end - 4 >= Number(length);
}

const head = (headers: string[]) =>
  ["POST /v1/answers HTTP/1.1", "Host: verity.test", "Content-Type: application/json", ...headers]
    .concat("", "")
    .join("\r\n");

function expectProblem(response: Exchange, status: number, code: string) {
  expect(response.status, response.text.slice(0, 300)).toBe(status);
  expect(response.text).toMatch(/content-type: application\/problem\+json/i);
  expect(response.text).toContain(`"code":"${code}"`);
}

/**
 * Clients that misbehave on the wire, against the real server process: one that promises more
 * body than it sends gets a 408 within the body timeout, and one that sends (or announces) far
 * too much gets a 413 at once; the server closes both connections rather than wait for the rest.
 */
describe("slow and oversized clients, over a real server", () => {
  let dir: string;
  let server: RunningServer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "verity-slow-client-"));
    await copyTemplateStore("pglite", "empty", join(dir, "data", "pglite"));
    server = await startServer({
      VERITY_DATA_DIR: join(dir, "data"),
      DATABASE_URL: "",
      VERITY_BODY_TIMEOUT_MS: "300",
    });
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("answers 408 to a client that declares 1000 bytes and sends 23", async () => {
    const body = '{"question": "How long ';
    expect(Buffer.byteLength(body)).toBe(23);
    const response = await exchange(
      server.url,
      (socket) => socket.write(head(["Content-Length: 1000"]) + body),
      { untilClosed: true },
    );
    expectProblem(response, 408, "REQUEST_TIMEOUT");
    expect(response.firstByteMs).toBeGreaterThanOrEqual(250);
    expect(response.firstByteMs).toBeLessThan(3_000);
    // The rest of the body never comes: the server stops waiting for it and hangs up.
    expect(response.closedMs, "the server closes the connection").not.toBeNull();
    expect(response.closedMs).toBeLessThan(response.firstByteMs + 3_000);
  });

  it("answers 408 to a chunked body that stops arriving", async () => {
    const response = await exchange(server.url, (socket) =>
      socket.write(`${head(["Transfer-Encoding: chunked"])}5\r\n{"que\r\n`),
    );
    expectProblem(response, 408, "REQUEST_TIMEOUT");
    expect(response.firstByteMs).toBeLessThan(3_000);
  });

  it("answers 413 at once to a declared 50 MB body, before it is sent", async () => {
    const response = await exchange(
      server.url,
      (socket) => {
        socket.write(head([`Content-Length: ${50 * 1024 * 1024}`]));
        socket.write('{"question": "');
      },
      { untilClosed: true },
    );
    expectProblem(response, 413, "PAYLOAD_TOO_LARGE");
    expect(response.firstByteMs).toBeLessThan(1_000);
    expect(response.closedMs, "the server closes the connection").not.toBeNull();
    expect(response.closedMs).toBeLessThan(response.firstByteMs + 3_000);
  });

  it("answers 413 to a 20 MB chunked body while it is still being sent", async () => {
    let written = 0;
    let writtenWhenAnswered = -1;
    const chunk = `${(64 * 1024).toString(16)}\r\n${"a".repeat(64 * 1024)}\r\n`;
    const response = await exchange(server.url, (socket) => {
      socket.write(head(["Transfer-Encoding: chunked"]));
      socket.once("data", () => (writtenWhenAnswered = written));
      const pump = () => {
        while (written < 20 * 1024 * 1024 && !socket.destroyed) {
          written += 64 * 1024;
          if (!socket.write(chunk)) return void socket.once("drain", pump);
        }
        if (!socket.destroyed) socket.write("0\r\n\r\n");
      };
      pump();
    });
    expectProblem(response, 413, "PAYLOAD_TOO_LARGE");
    expect(response.firstByteMs).toBeLessThan(3_000);
    expect(writtenWhenAnswered, "the client was still sending when the answer came").toBeLessThan(
      20 * 1024 * 1024,
    );
  });
});

/**
 * Node's own timeouts, as main.ts sets them (shortened here): a client that never finishes its
 * headers never reaches the app, and Node cuts it off (a bare 408, not a problem document).
 */
describe("Node's server timeouts", () => {
  it("closes a connection whose headers never end", async () => {
    const app = new Hono().get("/", (c) => c.text("ok"));
    const options = nodeServerTimeouts({ bodyMs: 300, headersMs: 300 });
    const server = serve({ fetch: app.fetch, port: 0, serverOptions: options });
    await new Promise<void>((resolve) => server.once("listening", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await exchange(
        `http://127.0.0.1:${port}`,
        (socket) => socket.write("GET / HTTP/1.1\r\nHost: verity.test\r\nX-Slow: "),
        { untilClosed: true },
      );
      expect(response.status).toBe(408);
      // Checked once a second (connectionsCheckingInterval), so at most about 1.3 s.
      expect(response.closedMs).not.toBeNull();
      expect(response.closedMs).toBeLessThan(3_000);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
