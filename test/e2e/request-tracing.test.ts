import type { AddressInfo } from "node:net";
import net from "node:net";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { createApp } from "../../src/app.ts";
import { createApiKey } from "../../src/auth/manage.ts";
import { createLogger } from "../../src/logger.ts";
import { createFakeEmbedder } from "../support/fake-embedder.ts";
import { json, startHarness, type Harness } from "../support/harness.ts";
import { expectProblem } from "../support/problem.ts";

/** An id Verity made itself. */
const OWN_ID = /^req_[A-Za-z0-9_-]{16}$/;
const MISSING_ANSWER = "/v1/answers/ans_AAAAAAAAAAAAAAAA";

type LogLine = Record<string, unknown> & { msg: string };

/**
 * What an operator tracing a request sees: the `X-Request-Id` a client sent (when it is a safe
 * token) or Verity's own, in the response header and in problem bodies, and one JSON log line
 * per request naming it. Store-independent, so on PGlite only.
 */
describe("request ids and request log lines", () => {
  let h: Harness;
  let app: ReturnType<typeof createApp>;
  let output = "";
  const lines = (): LogLine[] =>
    output
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as LogLine);
  /** The one request line logged for `requestId`, checked to be the only one. */
  const requestLine = (requestId: string) => {
    const found = lines().filter((l) => l.msg === "request" && l.requestId === requestId);
    expect(found).toHaveLength(1);
    return found[0]!;
  };

  beforeAll(async () => {
    h = await startHarness("pglite", { embedder: createFakeEmbedder(64), template: "empty" });
    // The harness's app logs nothing: this one logs to a string, as a server logs to stdout.
    const logger = createLogger("info", { write: (line: string) => void (output += line) });
    app = createApp({ ...h.deps, logger, ingestion: h.ingestion });
  });
  afterAll(async () => h?.close());

  const get = (path: string, headers: Record<string, string> = {}) =>
    Promise.resolve(app.request(path, { headers }));

  describe("X-Request-Id", () => {
    it("echoes a client's safe id, in the header and in a problem body", async () => {
      const ok = await get("/healthz", { "x-request-id": "client-42.a:b_c" });
      expect(ok.status).toBe(200);
      expect(ok.headers.get("x-request-id")).toBe("client-42.a:b_c");

      const missing = await get(MISSING_ANSWER, { "x-request-id": "trace-7" });
      expect(missing.headers.get("x-request-id")).toBe("trace-7");
      expect((await expectProblem(missing, 404, "NOT_FOUND")).requestId).toBe("trace-7");

      const invalid = await app.request("/v1/answers", {
        method: "POST",
        headers: { "content-type": "application/json", "x-request-id": "trace-8" },
        body: "{}",
      });
      expect((await expectProblem(invalid, 400, "VALIDATION_FAILED")).requestId).toBe("trace-8");
    });

    it.each([
      ["too long", "a".repeat(65)],
      ["with spaces", "two words"],
      ["with a tab", "a\tb"],
      ["with a percent-encoded CR LF", "abc%0D%0ASet-Cookie:%20session=x"],
      ["non-ASCII", "réquête-1"],
      ["two ids, as repeated headers join", "abc, def"],
    ])("replaces an id %s by its own, everywhere the id shows", async (_, offered) => {
      const res = await get(MISSING_ANSWER, { "x-request-id": offered });
      const id = res.headers.get("x-request-id")!;
      expect(id).toMatch(OWN_ID);
      expect((await expectProblem(res, 404, "NOT_FOUND")).requestId).toBe(id);
      expect(requestLine(id).requestId).toBe(id);
      expect(output).not.toContain(offered);
    });

    it("makes a new id for every request that brings none", async () => {
      const ids = await Promise.all(
        [1, 2, 3].map(async () => (await get("/healthz")).headers.get("x-request-id")!),
      );
      for (const id of ids) expect(id).toMatch(OWN_ID);
      expect(new Set(ids).size).toBe(3);
    });

    it("replaces UTF-8 sent over the wire, and CR LF never gets past the HTTP parser", async () => {
      const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
      onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
      await new Promise((resolve) => server.once("listening", resolve));
      const { port } = server.address() as AddressInfo;
      const exchange = (idHeader: Buffer) =>
        new Promise<string>((resolve, reject) => {
          // write, not end: a client's FIN before the reply makes Node's server drop the
          // request (httpAllowHalfOpen is off); "Connection: close" ends the exchange instead.
          const socket = net.connect(port, "127.0.0.1", () =>
            socket.write(
              Buffer.concat([
                Buffer.from("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"),
                idHeader,
                Buffer.from("\r\n"),
              ]),
            ),
          );
          let raw = "";
          socket.on("data", (d) => (raw += d.toString("latin1")));
          socket.on("error", reject);
          socket.on("close", () => resolve(raw));
        });

      const utf8 = await exchange(Buffer.from("X-Request-Id: ünï-😀\r\n", "utf8"));
      expect(utf8).toMatch(/^HTTP\/1\.1 200 /);
      expect(utf8).toMatch(/\r\nx-request-id: req_[A-Za-z0-9_-]{16}\r\n/i);

      // A CR or LF inside a value, or a folded line, is refused by Node's parser (400) before
      // Verity sees the request: nothing of it is echoed.
      for (const injection of ["abc\nX-Evil: 1", "abc\rX-Evil: 1", "abc\r\n X-Evil: 1"]) {
        const raw = await exchange(Buffer.from(`X-Request-Id: ${injection}\r\n`));
        expect(raw).toMatch(/^HTTP\/1\.1 400 /);
        expect(raw).not.toMatch(/x-evil|x-request-id: abc/i);
      }
    });
  });

  describe("one log line per request", () => {
    it("says method, route pattern, status, duration and id; never the path, a body or a header", async () => {
      const res = await get(`${MISSING_ANSWER}?q=secret-query`, { "x-request-id": "log-1" });
      expect(res.status).toBe(404);
      const line = requestLine("log-1");
      expect(line).toEqual({
        level: 30,
        time: expect.any(String),
        msg: "request",
        requestId: "log-1",
        method: "GET",
        route: "/v1/answers/:id",
        status: 404,
        durationMs: expect.any(Number),
        // Loopback with no key yet: the anonymous admin of the default tenant.
        keyId: null,
        tenant: "default",
      });
      expect(line.durationMs).toBeGreaterThanOrEqual(0);
      expect(output).not.toContain("ans_AAAAAAAAAAAAAAAA");
      expect(output).not.toContain("secret-query");
    });

    it("names no route for a path none takes, and leaves public routes without a caller", async () => {
      await get("/nowhere/ans_BBBBBBBBBBBBBBBB", { "x-request-id": "log-2" });
      expect(requestLine("log-2")).toMatchObject({ route: "unmatched", status: 404 });
      expect(output).not.toContain("ans_BBBBBBBBBBBBBBBB");
      await app.request("/healthz", { method: "DELETE", headers: { "x-request-id": "log-3" } });
      expect(requestLine("log-3")).toMatchObject({
        method: "DELETE",
        route: "unmatched",
        status: 405,
      });
      await get("/healthz", { "x-request-id": "log-4" });
      const health = requestLine("log-4");
      expect(health).toMatchObject({ route: "/healthz", status: 200 });
      expect(health).not.toHaveProperty("keyId");
      expect(health).not.toHaveProperty("tenant");
    });

    it("names the key and tenant of an authenticated caller, never its token or question", async () => {
      const { key, token } = await createApiKey(h.deps, {
        tenant: "acme",
        scopes: ["answer"],
        by: "test",
      });
      const question = "Which zebra-striped plan includes unicorn support?";
      const res = await app.request("/v1/answers", {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "x-request-id": "log-5",
        },
        body: JSON.stringify({ question }),
      });
      expect(res.status, JSON.stringify(await json(res.clone()))).toBe(200);
      expect(requestLine("log-5")).toMatchObject({
        method: "POST",
        route: "/v1/answers",
        status: 200,
        keyId: key.id,
        tenant: "acme",
      });
      // Refused before any key is read: no caller to name.
      await get("/v1/sources", { "x-request-id": "log-6" });
      const refused = requestLine("log-6");
      expect(refused).toMatchObject({ route: "/v1/sources", status: 401 });
      expect(refused).not.toHaveProperty("keyId");
      expect(output).not.toContain(token);
      expect(output).not.toContain("zebra");
    });
  });
});
