import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { runInNewContext } from "node:vm";
import { setFlagsFromString } from "node:v8";
import { serve } from "@hono/node-server";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { warmUpAnswering } from "../../src/answer/warm-up.ts";
import { nodeServerTimeouts } from "../../src/http/middleware/timeouts.ts";
import { createFakeEmbedder } from "../support/fake-embedder.ts";
import { json, startHarness, type Harness } from "../support/harness.ts";
import { fuzzedRequest, type Fuzzed, type Operation } from "./http.fuzz.requests.ts";

/** A response, as judge() reads it. */
type Outcome = { status: number; contentType: string; allow: string | null; text: string };

const REQUEST_BOUND_MS = 5_000;

/** What is wrong with a response, or null: no 5xx, problem+json with a code for every error. */
function judge(request: Fuzzed, res: Outcome): string | null {
  if (res.status >= 500) return `${res.status}: ${res.text.slice(0, 300)}`;
  if (request.expected !== undefined && res.status !== request.expected)
    return `expected ${request.expected}, got ${res.status}: ${res.text.slice(0, 300)}`;
  if (res.status === request.never) return `${res.status}: ${res.text.slice(0, 300)}`;
  if (res.status === 405 && !res.allow) return "405 without Allow";
  if (res.status < 400) return null;
  if (!res.contentType.startsWith("application/problem+json"))
    return `${res.status} with content-type ${res.contentType}`;
  if (request.method === "HEAD") return null;
  try {
    const problem = JSON.parse(res.text) as { status?: unknown; code?: unknown };
    if (problem.status !== res.status || typeof problem.code !== "string")
      return `${res.status} with a problem that does not match: ${res.text.slice(0, 200)}`;
  } catch {
    return `${res.status} with a body that is not JSON: ${res.text.slice(0, 200)}`;
  }
  return null;
}

/** Requests and status counts per endpoint, and the slowest request, for the summary table. */
function createTally() {
  const rows = new Map<string, { statuses: Map<number, number>; maxMs: number }>();
  return {
    add(key: string, status: number, ms: number) {
      const row = rows.get(key) ?? { statuses: new Map(), maxMs: 0 };
      row.statuses.set(status, (row.statuses.get(status) ?? 0) + 1);
      row.maxMs = Math.max(row.maxMs, ms);
      rows.set(key, row);
    },
    table(title: string): string {
      const lines = [...rows].sort().map(([key, { statuses, maxMs }]) => {
        const total = [...statuses.values()].reduce((a, b) => a + b, 0);
        const counts = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`);
        return `${key.padEnd(28)} ${String(total).padStart(6)}  ${`${Math.round(maxMs)}`.padStart(6)}  ${counts.join(" ")}`;
      });
      return [
        title,
        `${"endpoint".padEnd(28)} ${"reqs".padStart(6)}  ${"max ms".padStart(6)}  statuses`,
        ...lines,
      ].join("\n");
    },
    get total() {
      return [...rows.values()].reduce(
        (sum, r) => sum + [...r.statuses.values()].reduce((a, b) => a + b, 0),
        0,
      );
    },
  };
}

/** A forced garbage collection: V8's own when the process has one, else turned on here. */
function collectGarbage(): () => void {
  if (typeof globalThis.gc === "function") return globalThis.gc;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

/** Memory after garbage collection has settled: ArrayBuffers are freed a turn after their owners. */
async function settledMemory(gc: () => void): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage();
}

/**
 * Malformed, oversized, mistyped and hostile requests (bodies, media types and charsets, huge
 * headers, every method, bent paths) at every endpoint /openapi.json lists: none gets a 5xx,
 * every error is problem+json with a code, none is slow, and where the method, size, media type or
 * encoding alone settles the answer (405, 413, 415, 400) that is the answer. Most go through
 * app.request(); some over real HTTP. Memory stays bounded over thousands of requests.
 */
describe("HTTP fuzzing of every endpoint", () => {
  let h: Harness;
  let ops: Operation[];
  const allowed = new Map<string, string[]>();
  beforeAll(async () => {
    h = await startHarness("pglite", { embedder: createFakeEmbedder(64), template: "empty" });
    await h.ingest();
    const doc = await json(await h.get("/openapi.json"));
    ops = Object.entries(
      doc.paths as Record<string, Record<string, { requestBody?: { content?: object } }>>,
    ).flatMap(([template, item]) =>
      Object.entries(item).map(([method, operation]) => ({
        key: `${method.toUpperCase()} ${template}`,
        method: method.toUpperCase(),
        template,
        takesJson: Boolean(
          operation.requestBody?.content && "application/json" in operation.requestBody.content,
        ),
      })),
    );
    // The document does not list itself.
    ops.push({
      key: "GET /openapi.json",
      method: "GET",
      template: "/openapi.json",
      takesJson: false,
    });
    for (const op of ops)
      allowed.set(op.template, [...(allowed.get(op.template) ?? []), op.method]);
    for (const methods of allowed.values()) if (methods.includes("GET")) methods.push("HEAD");
  });
  afterAll(() => h?.close());

  async function sendInProcess(request: Fuzzed): Promise<Outcome> {
    const res = await h.app.request(request.path, {
      method: request.method,
      headers: request.headers,
      body: request.body,
    });
    return {
      status: res.status,
      contentType: res.headers.get("content-type") ?? "",
      allow: res.headers.get("allow"),
      text: await res.text(),
    };
  }

  it("in process: no 5xx, problem+json errors, bounded time and memory", async () => {
    expect(ops.length).toBeGreaterThanOrEqual(8);
    const tally = createTally();
    const property = fc.asyncProperty(fuzzedRequest(ops, allowed), async (request) => {
      const started = performance.now();
      const res = await sendInProcess(request);
      const ms = performance.now() - started;
      tally.add(request.op.key, res.status, ms);
      expect(judge(request, res), `${request.method} ${request.path.slice(0, 200)}`).toBeNull();
      expect(ms).toBeLessThan(REQUEST_BOUND_MS);
    });
    const gc = collectGarbage();
    // Warm up first, as the server does before it listens (WordNet's tables, ~130 MB of heap, load
    // on the first answer otherwise), then JIT and caches; then measure a long run.
    warmUpAnswering();
    await fc.assert(property, { numRuns: 300, endOnFailure: true });
    const before = await settledMemory(gc);
    await fc.assert(property, { numRuns: 2_500, endOnFailure: true });
    const after = await settledMemory(gc);
    const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;
    const change = (key: keyof NodeJS.MemoryUsage) =>
      `${key} ${mb(before[key])} -> ${mb(after[key])}`;
    console.log(
      `${tally.table(`fuzzed in process: ${tally.total} requests, by the endpoint aimed at`)}\n` +
        `memory over the last 2,500 (after GC): ${(["heapUsed", "external", "arrayBuffers", "rss"] as const).map(change).join(", ")}`,
    );
    // What a request could leave behind lives on the heap or in ArrayBuffers (bodies). RSS also
    // follows the allocator's high-water mark and PGlite's WASM memory, which never shrinks.
    expect(after.heapUsed - before.heapUsed).toBeLessThan(20 * 2 ** 20);
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(8 * 2 ** 20);
    expect(after.rss - before.rss).toBeLessThan(100 * 2 ** 20);
  }, 60_000);

  it("over real HTTP: the same, through Node's HTTP server", async () => {
    const server = serve({
      fetch: h.app.fetch,
      port: 0,
      hostname: "127.0.0.1",
      serverOptions: nodeServerTimeouts({ bodyMs: 10_000 }),
    });
    await new Promise<void>((resolve) => server.once("listening", resolve));
    const { port } = server.address() as AddressInfo;
    const tally = createTally();
    try {
      await fc.assert(
        fc.asyncProperty(fuzzedRequest(ops, allowed).filter(withinNodeLimits), async (request) => {
          const started = performance.now();
          const res = await sendOverHttp(port, request);
          const ms = performance.now() - started;
          tally.add(request.op.key, res.status, ms);
          expect(judge(request, res), `${request.method} ${request.path.slice(0, 200)}`).toBeNull();
          expect(ms).toBeLessThan(REQUEST_BOUND_MS);
        }),
        { numRuns: 250, endOnFailure: true },
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    console.log(tally.table(`fuzzed over HTTP: ${tally.total} requests, by the endpoint aimed at`));
  }, 60_000);
});

/** Send a fuzzed request over a fresh connection with node:http, its path as a URL would send it. */
function sendOverHttp(port: number, request: Fuzzed): Promise<Outcome> {
  // As app.request() makes its URL, so that both send the same path ("//x" stays a path).
  const url = new URL(`http://127.0.0.1${request.path}`);
  // node:http frames a DELETE's or OPTIONS's body only with an explicit Content-Length.
  const headers = { ...request.headers };
  if (request.body) headers["content-length"] ??= String(request.body.length);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port,
        method: request.method,
        path: url.pathname + url.search,
        headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: header(res.headers, "content-type"),
            allow: header(res.headers, "allow") || null,
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    // A connection the server resets or refuses fails the property.
    req.on("error", reject);
    req.end(request.body);
  });
}

/** Node answers 431 itself past 16 KiB of request line and headers: stay well inside it. */
const withinNodeLimits = (request: Fuzzed) =>
  request.path.length +
    Object.entries(request.headers).reduce((n, [k, v]) => n + k.length + v.length + 4, 0) <
  12_000;

const header = (headers: IncomingHttpHeaders, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(", ") : (value ?? "");
};
