import fc from "fast-check";

/** One HTTP request a hostile or broken client might send, and the endpoint it aims at. */
export type HostileRequest = {
  endpoint: string;
  method: "GET" | "POST";
  path: string;
  contentType?: string;
  body?: string | Uint8Array;
};

/** Characters that have broken text handling somewhere: each is a test in itself. */
const NASTY = [
  "\u0000", // NUL: PostgreSQL text cannot hold it
  "\ud800", // lone high surrogate
  "\udfff", // lone low surrogate
  "\u0001\u0008\u001b[31m\u007f", // control characters, an ANSI escape
  "\u0085\u009f", // C1 controls
  "\u200f\u202e\u2066\u2069", // RTL mark, RTL override, isolates
  "\u200b\ufeff\u2028\u2029", // zero width space, BOM, line and paragraph separators
  "e\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301", // stacked combining marks
  "\u1100\u1161\u11a8", // Hangul jamo that NFC composes
  "👩‍👩‍👧‍👦🏳️‍🌈🇺🇳", // ZWJ sequences and flags
  "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", // astral letters
  "'; drop table answers; --",
  '"}\\',
  "%00%ED%A0%80",
  "../../../etc/passwd",
  "\r\n\r\nHTTP/1.1 200 OK",
];

/** Hostile text: nasty pieces mixed with ordinary words, any code unit, and now and then huge. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...NASTY),
  fc
    .array(
      fc.oneof(fc.constantFrom(...NASTY), fc.constantFrom("password", "reset", "refund ", "?")),
      {
        minLength: 1,
        maxLength: 8,
      },
    )
    .map((parts) => parts.join(" ")),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc
    .tuple(fc.constantFrom(...NASTY, "word "), fc.integer({ min: 1_000, max: 200_000 }))
    .map(([piece, n]) => piece.repeat(Math.ceil(n / piece.length)).slice(0, n)),
);

/** Anything a JSON field could hold instead of the string it should. */
const wrongType = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
);

const answerBody = fc.oneof(
  fc.record({ question: hostileText }),
  fc.record({ question: hostileText, sourceIds: fc.array(hostileText, { maxLength: 4 }) }),
  fc.record({
    question: fc.constant("How long do reset links stay valid?"),
    sourceIds: fc.array(hostileText, { minLength: 1, maxLength: 60 }),
  }),
  fc.record({ question: wrongType }),
  fc.record({
    question: hostileText,
    sourceIds: fc.oneof(wrongType, fc.array(wrongType, { maxLength: 3 })),
  }),
  fc.record({ question: hostileText, [`x`]: hostileText }),
  fc.constant({}),
  wrongType,
);

const ingestBody = fc.oneof(
  fc.record({ manifest: hostileText }),
  fc.record({ removeSource: hostileText, by: hostileText }),
  fc.record({ manifest: hostileText, removeSource: hostileText }),
  fc.record({ manifest: wrongType }),
  wrongType,
);

/** Bodies that are not JSON, or not quite: truncated, invalid UTF-8, escaped surrogates. */
const brokenJson: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.constantFrom(
    "",
    "{",
    '{"question": "unterminated',
    '{"question": "ok",}',
    "nul",
    '{"question": "\\ud800 escaped lone surrogate"}',
    '{"question": "\\u0000 escaped NUL"}',
    '{"question": "a", "question": "duplicate key"}',
    "[".repeat(10_000),
  ),
  fc.uint8Array({ maxLength: 64 }),
  fc.constant(
    Uint8Array.from([0x7b, 0x22, 0x71, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xed, 0xa0, 0x80, 0x22, 0x7d]),
  ),
  fc.string({ unit: "binary", maxLength: 60 }),
);

/** A path segment as sent on the wire: percent-escapes, broken ones, raw nasties, long ids. */
const pathId = fc.oneof(
  fc.constantFrom(
    "%00",
    "%ED%A0%80",
    "%FF",
    "%",
    "%%",
    "%E2%80%AE",
    "%2F",
    "..",
    "%C0%AF",
    "ans_%00",
  ),
  hostileText.map((t) => escapePath(t.slice(0, 5_000))),
  fc.string({ maxLength: 20 }).map((s) => `ans_${encodeURIComponent(s)}`),
  fc.integer({ min: 200, max: 20_000 }).map((n) => "a".repeat(n)),
);

const contentType = fc.constantFrom(
  "application/json",
  "application/json; charset=utf-8",
  "application/json; charset=latin1",
  "text/plain",
  "application/x-www-form-urlencoded",
  "",
);

const json = (value: unknown) => JSON.stringify(value);

/** One request to any endpoint, hostile in the way that endpoint can be. */
export const hostileRequest: fc.Arbitrary<HostileRequest> = fc.oneof(
  answerBody.map((b): HostileRequest => ({
    endpoint: "POST /v1/answers",
    method: "POST",
    path: "/v1/answers",
    contentType: "application/json",
    body: json(b),
  })),
  fc.tuple(brokenJson, contentType).map(([body, type]): HostileRequest => ({
    endpoint: "POST /v1/answers",
    method: "POST",
    path: "/v1/answers",
    contentType: type,
    body,
  })),
  ingestBody.map((b): HostileRequest => ({
    endpoint: "POST /v1/ingest-runs",
    method: "POST",
    path: "/v1/ingest-runs",
    contentType: "application/json",
    body: json(b),
  })),
  ...(["answers", "citations", "ingest-runs"] as const).map((kind) =>
    pathId.map((id): HostileRequest => ({
      endpoint: `GET /v1/${kind}/:id`,
      method: "GET",
      path: `/v1/${kind}/${id}`,
    })),
  ),
  fc
    .tuple(fc.constantFrom("/v1/sources", "/healthz", "/readyz", "/openapi.json"), pathId)
    .map(([path, query]): HostileRequest => ({
      endpoint: `GET ${path}`,
      method: "GET",
      path: `${path}?q=${query}&${query}`,
    })),
);

/**
 * Percent-escape text for a path the way a careless client would: lone surrogates as the three
 * bytes UTF-8 would give them (WTF-8), which no UTF-8 decoder accepts (encodeURIComponent throws).
 */
export function escapePath(text: string): string {
  let out = "";
  for (const ch of text) {
    const unit = ch.charCodeAt(0);
    if (ch.length === 1 && unit >= 0xd800 && unit <= 0xdfff) {
      const bytes = [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)];
      out += bytes.map((b) => `%${b.toString(16).toUpperCase()}`).join("");
    } else out += encodeURIComponent(ch);
  }
  return out;
}

/** Send a request through `fetchLike` (a server's URL with fetch, or an app's request()). */
export function sendHostile(
  request: HostileRequest,
  fetchLike: (path: string, init: RequestInit) => Response | Promise<Response>,
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (request.contentType) headers["content-type"] = request.contentType;
  return Promise.resolve(
    fetchLike(request.path, {
      method: request.method,
      headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
    }),
  );
}

/**
 * What is wrong with a response to a hostile request, or null: never a 5xx, and every 4xx an
 * RFC 9457 problem document whose status matches.
 */
export async function judgeResponse(res: Response): Promise<string | null> {
  const text = await res.text();
  if (res.status >= 500) return `${res.status}: ${text.slice(0, 300)}`;
  if (res.status < 400) return null;
  if (!res.headers.get("content-type")?.includes("application/problem+json"))
    return `${res.status} without problem+json: ${res.headers.get("content-type")}`;
  try {
    const problem = JSON.parse(text) as { status?: number; code?: string };
    if (problem.status !== res.status || typeof problem.code !== "string")
      return `${res.status} with a problem document that does not match: ${text.slice(0, 200)}`;
  } catch {
    return `${res.status} with a body that is not JSON: ${text.slice(0, 200)}`;
  }
  return null;
}
