import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { createFakeEmbedder } from "../support/fake-embedder.ts";
import { json, startHarness, type Harness } from "../support/harness.ts";
import { expectProblem } from "../support/problem.ts";

const QUESTION = JSON.stringify({ question: "How long do password reset links stay valid?" });
const utf8 = (text: string) => new TextEncoder().encode(text);

/** A body that sends `first` and then nothing more, never ending: a stalled client. */
function stalledBody(first: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(first);
    },
  });
}

/** `total` bytes of JSON-ish filler made as they are read, counting how many were pulled. */
function streamedBody(total: number) {
  const chunk = utf8("a".repeat(16 * 1024));
  const state = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulled >= total) return controller.close();
      state.pulled += chunk.length;
      controller.enqueue(chunk);
    },
  });
  return { stream, state };
}

/**
 * What a client sending a body the API cannot take sees: 413 over the size limit without the
 * body being read, 415 for anything but UTF-8 JSON, 400 for bytes that are not UTF-8 text, 405
 * with `Allow` for a method a known path does not take, and 408 for a body that stops arriving.
 */
describe("request limits", () => {
  let h: Harness;
  /** The same app with small limits, as an operator may set them. */
  let strict: ReturnType<typeof createApp>;
  beforeAll(async () => {
    h = await startHarness("pglite", { embedder: createFakeEmbedder(64), template: "empty" });
    strict = createApp({
      ...h.deps,
      ingestion: h.ingestion,
      config: { ...h.deps.config, VERITY_MAX_BODY_BYTES: 1024, VERITY_BODY_TIMEOUT_MS: 300 },
    });
  });
  afterAll(() => h?.close());

  const post = (
    app: typeof strict,
    body: RequestInit["body"],
    headers: Record<string, string> = {},
  ) =>
    app.request("/v1/answers", {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
      ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
    } as RequestInit);

  it("answers 413 for a body over 64 KiB by default, and names the question field past 2000 characters", async () => {
    const big = JSON.stringify({ question: "a".repeat(64 * 1024) });
    const tooLarge = await expectProblem(await post(h.app, big), 413, "PAYLOAD_TOO_LARGE");
    expect(tooLarge.detail).toContain(String(64 * 1024));
    const long = await expectProblem(
      await post(h.app, JSON.stringify({ question: `Why ${"a".repeat(2000)}?` })),
      400,
      "VALIDATION_FAILED",
    );
    expect(long.detail).toMatch(/^question: /);
    expect(long.invalidFields).toEqual([expect.objectContaining({ path: "question" })]);
  });

  it("answers 413 without reading a body declared or streamed over the limit", async () => {
    const declared = Date.now();
    const res = await post(strict, stalledBody(utf8('{"question": "')), {
      "content-length": String(50 * 1024 * 1024),
    });
    await expectProblem(res, 413, "PAYLOAD_TOO_LARGE");
    expect(Date.now() - declared).toBeLessThan(1_000);
    const { stream, state } = streamedBody(20 * 1024 * 1024);
    await expectProblem(await post(strict, stream), 413, "PAYLOAD_TOO_LARGE");
    // The stream is pulled up to the limit, give or take what the streams buffer ahead.
    expect(state.pulled).toBeLessThan(256 * 1024);
  }, 10_000); // a stalled body must not stall the test

  it("accepts application/json with no charset or charset=utf-8, in any case", async () => {
    for (const type of [
      "application/json",
      "Application/JSON; Charset=UTF-8",
      'application/json;charset="utf-8"',
    ]) {
      const res = await post(h.app, QUESTION, { "content-type": type });
      expect(res.status, type).toBe(200);
    }
  });

  it("answers 415 for other media types and charsets, naming what it accepts", async () => {
    for (const type of [
      "application/json; charset=utf-16",
      "application/json; charset=latin1",
      "application/json; version=2",
      "application/vnd.api+json",
      "text/plain",
      "application/x-www-form-urlencoded",
      "",
    ]) {
      const body = await expectProblem(
        await post(h.app, QUESTION, { "content-type": type }),
        415,
        "UNSUPPORTED_MEDIA_TYPE",
      );
      expect(body.detail, type).toContain("application/json, with no charset or charset=utf-8");
    }
    const untyped = await h.app.request("/v1/ingest-runs", { method: "POST", body: "{}" });
    await expectProblem(untyped, 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it("answers 400 INVALID_BODY for a byte order mark or bytes that are not UTF-8", async () => {
    const bodies = {
      "UTF-8 BOM": Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8(QUESTION)]),
      "UTF-16 BOM": Uint8Array.from([0xff, 0xfe, ...utf8("{}")]),
      "a 0xFF byte": Uint8Array.from([...utf8('{"question": "caf'), 0xff, ...utf8('?"}')]),
      "an encoded surrogate": Uint8Array.from([
        ...utf8('{"question": "'),
        0xed,
        0xa0,
        0x80,
        0x22,
        0x7d,
      ]),
      "an overlong slash": Uint8Array.from([...utf8('{"question": "'), 0xc0, 0xaf, 0x22, 0x7d]),
    };
    for (const [name, bytes] of Object.entries(bodies)) {
      const body = await expectProblem(await post(h.app, bytes), 400, "INVALID_BODY");
      expect(body.detail, name).toMatch(/byte order mark|not valid UTF-8/);
    }
    // Without a body there is nothing to decode: the route says what is missing.
    const empty = await h.app.request("/v1/answers", { method: "POST" });
    expect((await expectProblem(empty, 400, "VALIDATION_FAILED")).detail).toContain("question");
  });

  it("answers 405 with Allow for a method a known path does not take, and 404 elsewhere", async () => {
    const cases: [string, string, string][] = [
      ["PUT", "/v1/answers", "POST"],
      ["GET", "/v1/answers", "POST"],
      ["DELETE", "/v1/answers/ans_x", "GET, HEAD"],
      ["POST", "/v1/citations/cit_x", "GET, HEAD"],
      ["PATCH", "/v1/ingest-runs", "POST"],
      ["OPTIONS", "/healthz", "GET, HEAD"],
      ["POST", "/openapi.json", "GET, HEAD"],
    ];
    for (const [method, path, allow] of cases) {
      const res = await h.app.request(path, { method, body: method === "GET" ? null : "x" });
      const body = await expectProblem(res, 405, "METHOD_NOT_ALLOWED");
      expect(res.headers.get("allow"), `${method} ${path}`).toBe(allow);
      expect(body.detail).toContain(method);
    }
    expect((await h.app.request("/healthz", { method: "HEAD" })).status).toBe(200);
    await expectProblem(await h.app.request("/v1/nothing", { method: "PUT" }), 404, "NOT_FOUND");
    await expectProblem(await h.app.request("/v1/answers/a/b"), 404, "NOT_FOUND");
  });

  it("derives Allow from the routes registered, not from a list", async () => {
    const app = createApp({ ...h.deps, ingestion: h.ingestion });
    app.put("/healthz", (c) => c.text("replaced"));
    const res = await app.request("/healthz", { method: "DELETE" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD, PUT");
  });

  it("answers 408 when a body stops arriving", async () => {
    for (const headers of [{ "content-length": "1000" }, {}] as Record<string, string>[]) {
      const started = Date.now();
      const res = await post(strict, stalledBody(utf8('{"question": "How long')), headers);
      const elapsed = Date.now() - started;
      const body = await expectProblem(res, 408, "REQUEST_TIMEOUT");
      expect(body.detail).toContain("300 ms");
      expect(elapsed).toBeGreaterThanOrEqual(250);
      expect(elapsed).toBeLessThan(3_000);
    }
  }, 10_000); // a stalled body must not stall the test
});
