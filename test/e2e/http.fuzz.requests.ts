import fc from "fast-check";
import { escapePath, hostileText } from "../../lab/faults/hostile-requests.ts";
import { DEFAULT_MAX_BODY_BYTES } from "../../src/config.ts";

/*
 * The requests http.fuzz.test.ts sends: any method, bent paths, odd media types and charsets,
 * huge headers, and bodies well-formed, mistyped, broken, mis-encoded or too big; each with the
 * status the spec gives it where its method, size, media type or encoding alone settles it.
 */

/** One documented operation, as /openapi.json lists it. */
export type Operation = { key: string; method: string; template: string; takesJson: boolean };

/** A generated request and what the spec says of it, where the spec says something exact. */
export type Fuzzed = {
  op: Operation;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array;
  /** The status it must get, when its method, size, media type or encoding settles it. */
  expected?: number;
  /** A status it must not get (415 for an accepted media type). */
  never?: number;
};

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND"];
const utf8 = (text: string) => new TextEncoder().encode(text);
const BOM = [0xef, 0xbb, 0xbf];

/** Content types with whether the spec accepts them for a JSON body. */
const contentType: fc.Arbitrary<[string | undefined, boolean]> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<[string, boolean]>(["application/json", true]) },
  fc.constantFrom<[string | undefined, boolean]>(
    ["application/json; charset=utf-8", true],
    ["APPLICATION/JSON;CHARSET=UTF-8", true],
    ['application/json; charset="utf-8"', true],
    [undefined, true],
    ["application/json; charset=utf-16", false],
    ["application/json; charset=UTF-16LE", false],
    ["application/json; charset=iso-8859-1", false],
    ["application/json; charset=utf-8; charset=utf-16", false],
    ["application/json; boundary=x", false],
    ["application/problem+json", false],
    ["application/vnd.api+json", false],
    ["text/json", false],
    ["text/plain; charset=utf-8", false],
    ["application/x-www-form-urlencoded", false],
    ["multipart/form-data; boundary=xyz", false],
    ["*/*", false],
    ["", false],
  ),
  fc
    .string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)) })
    .filter((s) => !/^application\/json\s*(;|$)/i.test(s))
    .map((s): [string, boolean] => [s, false]),
);

/** A path parameter as a careless or hostile client sends it. */
const pathParam = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[a-z]{3}_[A-Za-z0-9_-]{1,20}$/) },
  fc.constantFrom("%00", "ans_%00", "%ED%A0%80", "%FF", "%", "..", "%2e%2e", "%2F", "%C0%AF"),
  hostileText.map((t) => escapePath(t.slice(0, 500))),
  fc.integer({ min: 200, max: 4_000 }).map((n) => "a".repeat(n)),
);

/** Ways to bend a documented path: traversal, NULs, case, slashes, unicode, length, queries. */
const bentPath = (path: string) =>
  fc.oneof(
    fc.constantFrom(
      `/..${path}`,
      `${path}/..`,
      `${path}/../../etc/passwd`,
      path.replace("/", "/%2e%2e/"),
      `${path}%00`,
      `${path}/%00`,
      `${path}/`,
      `/${path}`,
      path.toUpperCase(),
      `${path}/ünïcødé/😀`,
      `${path}?${"q=1&".repeat(500)}`,
      `${path};jsessionid=x`,
    ),
    fc.integer({ min: 1, max: 4_000 }).map((n) => `${path}/${"x".repeat(n)}`),
    hostileText.map((t) => `${path}?q=${escapePath(t.slice(0, 500))}`),
  );

/** Bodies: well-formed for the schemas, wrongly typed, broken, mis-encoded or too big. */
const jsonText = fc.oneof(
  fc
    .constantFrom(
      "How long does a password reset link stay valid?",
      "How much does the Basic plan cost?",
      "What is the capital of France?",
    )
    .map((question) => JSON.stringify({ question })),
  fc.record({ question: hostileText }).map((v) => JSON.stringify(v)),
  fc
    .record({ question: hostileText, sourceIds: fc.array(hostileText, { maxLength: 3 }) })
    .map((v) => JSON.stringify(v)),
  fc.record({ manifest: hostileText }).map((v) => JSON.stringify(v)),
  fc.record({ removeSource: hostileText, by: hostileText }).map((v) => JSON.stringify(v)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.constantFrom("", "{", "nul", '{"question": "a",}', "[".repeat(10_000), '{"a":'.repeat(2_000)),
);
type Body = { bytes: Uint8Array; bom: boolean };
const body: fc.Arbitrary<Body | undefined> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 6, arbitrary: jsonText.map((t) => ({ bytes: utf8(t), bom: false })) },
  jsonText.map((t) => ({ bytes: Uint8Array.from([...BOM, ...utf8(t)]), bom: true })),
  jsonText.map((t) => ({ bytes: new Uint8Array(Buffer.from(t, "utf16le")), bom: false })),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => ({ bytes, bom: false })),
  fc
    .integer({ min: DEFAULT_MAX_BODY_BYTES - 100, max: 4 * DEFAULT_MAX_BODY_BYTES })
    .map((n) => ({ bytes: utf8(JSON.stringify({ question: "q".repeat(n) })), bom: false })),
);

/** Now and then a header the API does not expect, or a huge one; rarely a bad credential. */
const extraHeaders: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({}) },
  fc.dictionary(
    fc.constantFrom("x-filler", "accept", "accept-charset", "content-encoding", "x-forwarded-for"),
    fc.oneof(
      fc.constantFrom("gzip", "*/*", "utf-16", "127.0.0.1, 10.0.0.1", "\u00ff\u00fe"),
      fc.integer({ min: 1, max: 6_000 }).map((n) => "h".repeat(n)),
    ),
    { minKeys: 1, maxKeys: 2 },
  ),
  fc
    .constantFrom("Bearer nope", "Basic Zm9vOmJhcg==", "")
    .map((authorization) => ({ authorization })),
);

/** true now and then (1 in `n`). */
const rarely = (n: number) =>
  fc.oneof({ weight: n - 1, arbitrary: fc.constant(false) }, fc.constant(true));

/** Any request aimed at one of `ops`, and the status it must get when the spec settles it. */
export function fuzzedRequest(
  ops: Operation[],
  allowed: Map<string, string[]>,
): fc.Arbitrary<Fuzzed> {
  return fc.constantFrom(...ops).chain((op) =>
    fc
      .record({
        method: fc.oneof(
          { weight: 4, arbitrary: fc.constant(op.method) },
          fc.constantFrom(...METHODS),
        ),
        params: fc.array(pathParam, { minLength: 2, maxLength: 2 }), // a template's {params}
        bend: rarely(5),
        type: contentType,
        body,
        declareHuge: rarely(10),
        extra: extraHeaders,
      })
      .chain((r) => {
        let i = 0;
        const path = op.template.replace(/\{[^}]+\}/g, () => r.params[i++]!);
        return (r.bend ? bentPath(path) : fc.constant(path)).map((finalPath): Fuzzed => {
          const bodyless = r.method === "GET" || r.method === "HEAD";
          const sent = bodyless ? undefined : r.body;
          const headers: Record<string, string> = { ...r.extra };
          if (r.type[0] !== undefined) headers["content-type"] = r.type[0];
          if (sent && r.declareHuge) headers["content-length"] = String(64 * 1024 * 1024);
          const used = r.params.slice(0, i);
          const clean = !r.bend && used.every((p) => /^[a-z]{3}_[\w-]+$/.test(p));
          return {
            op,
            method: r.method,
            path: finalPath,
            headers,
            body: sent?.bytes,
            ...(clean && !("authorization" in headers)
              ? specFor(op, r.method, allowed, sent, r.type, r.declareHuge)
              : {}),
          };
        });
      }),
  );
}

/** What the spec says of a request on a documented path: its status, or one it must not get. */
function specFor(
  op: Operation,
  method: string,
  allowed: Map<string, string[]>,
  sent: Body | undefined,
  [type, accepted]: [string | undefined, boolean],
  declaredHuge: boolean,
): Pick<Fuzzed, "expected" | "never"> {
  if (!allowed.get(op.template)!.includes(method)) return { expected: 405 };
  if (method !== op.method || !op.takesJson || !sent) return {};
  if (declaredHuge || sent.bytes.length > DEFAULT_MAX_BODY_BYTES) return { expected: 413 };
  if (!accepted || (type === undefined && sent.bytes.length > 0)) return { expected: 415 };
  if (sent.bom) return { expected: 400 };
  return { never: 415 };
}
