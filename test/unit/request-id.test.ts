import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { isAcceptableRequestId, requestId } from "../../src/http/middleware/request-id.ts";
import type { AppEnv } from "../../src/http/types.ts";

const OWN_ID = /^req_[A-Za-z0-9_-]{16}$/;

describe("isAcceptableRequestId", () => {
  it.each([
    ["a UUID", "3f2b8c1e-5a4d-4e2f-9b7a-0c1d2e3f4a5b"],
    ["a ULID", "01HZX3K9Q7M2N4P6R8T0V2W4Y6"],
    ["a W3C traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"],
    ["Verity's own id", "req_Ab3-x_9QwErTyUiO"],
    ["dots and colons", "lb1.eu-west:12345"],
    ["one character", "x"],
    ["64 characters", "a".repeat(64)],
  ])("takes %s", (_, id) => {
    expect(isAcceptableRequestId(id)).toBe(true);
  });

  it.each([
    ["no header", undefined],
    ["an empty value", ""],
    ["65 characters", "a".repeat(65)],
    ["a space", "two words"],
    ["a tab", "a\tb"],
    ["CR LF and a header after it", "abc\r\nSet-Cookie: session=x"],
    ["a bare LF, as a forged log line", 'abc\n{"level":50,"msg":"forged"}'],
    ["percent-encoded CR LF", "abc%0D%0ASet-Cookie:x"],
    ["non-ASCII letters", "réquête-1"],
    ["an emoji", "id-😀"],
    ["a list of ids, as two headers join", "abc, def"],
    ["quotes and angle brackets", '"<script>"'],
    ["a path", "../../etc/passwd"],
    ["base64 padding", "YWJj="],
    ["a NUL", "abc\u0000"],
  ])("refuses %s", (_, id) => {
    expect(isAcceptableRequestId(id)).toBe(false);
  });
});

describe("requestId middleware", () => {
  const app = new Hono<AppEnv>();
  app.use(requestId());
  app.get("/", (c) => c.text(c.get("requestId")));
  // As problem+json responses are built: a plain Response, not through the context.
  app.get("/plain", () => new Response("{}", { status: 404 }));
  const get = (headers: Record<string, string> = {}) => app.request("/", { headers });

  it("keeps a client's safe id, for the handler and in the response header", async () => {
    const res = await get({ "x-request-id": "client-42" });
    expect(res.headers.get("x-request-id")).toBe("client-42");
    expect(await res.text()).toBe("client-42");
  });

  it("sets the header on a response built without the context too", async () => {
    const res = await app.request("/plain", { headers: { "x-request-id": "client-43" } });
    expect(res.status).toBe(404);
    expect(res.headers.get("x-request-id")).toBe("client-43");
  });

  it("makes its own id, a new one each request, when the client's is missing or unsafe", async () => {
    const seen = new Set<string>();
    const cases: Record<string, string>[] = [
      {},
      { "x-request-id": "a".repeat(65) },
      { "x-request-id": "a b" },
    ];
    for (const headers of cases) {
      const res = await get(headers);
      const id = res.headers.get("x-request-id")!;
      expect(id).toMatch(OWN_ID);
      expect(await res.text()).toBe(id);
      seen.add(id);
    }
    expect(seen.size).toBe(3);
  });

  it("takes another header name and generator", async () => {
    const custom = new Hono<AppEnv>();
    custom.use(requestId({ headerName: "X-Correlation-Id", generate: () => "fixed" }));
    custom.get("/", (c) => c.text(c.get("requestId")));
    const res = await custom.request("/", { headers: { "x-request-id": "ignored" } });
    expect(res.headers.get("x-correlation-id")).toBe("fixed");
    expect(res.headers.get("x-request-id")).toBeNull();
  });
});
