import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseRetryAfter, toVerityApiError } from "../../client/errors.ts";
import { ClientAnswer, ClientProblem } from "../../client/schema.ts";
import { toDocuments, toRefusal } from "../../client/verity-retriever.ts";
import { RecordedAnswer } from "../../src/answer/schema.ts";
import { Problem } from "../../src/http/openapi-schemas.ts";

/**
 * The client's own schemas against the server's: every field the client requires is one the
 * server always sends, of a type the client accepts; and answers the server's schema accepts
 * parse on the client and map to Documents.
 */

type JsonSchema = {
  type?: string | string[];
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
};

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "output" }) as JsonSchema;

/** A schema as the alternatives it allows, one `type` each. */
function variants(s: JsonSchema): JsonSchema[] {
  if (s.anyOf) return s.anyOf.flatMap(variants);
  if (Array.isArray(s.type)) return s.type.map((type) => ({ ...s, type }));
  if (s.type === undefined && s.const !== undefined) return [{ ...s, type: typeof s.const }];
  return [s];
}

/** Where a value the server's schema allows would be rejected by the client's, as messages. */
function uncovered(client: JsonSchema, server: JsonSchema, at = "$"): string[] {
  const problems: string[] = [];
  const accepted = variants(client);
  for (const sent of variants(server)) {
    const match = accepted.find(
      (a) => a.type === sent.type || (a.type === "number" && sent.type === "integer"),
    );
    if (!match) {
      problems.push(`${at}: the server may send ${sent.type}`);
      continue;
    }
    const values = sent.enum ?? (sent.const !== undefined ? [sent.const] : null);
    if (match.enum && (!values || values.some((v) => !match.enum!.includes(v))))
      problems.push(`${at}: the server may send ${JSON.stringify(values ?? "any value")}`);
    if (match.const !== undefined && sent.const !== match.const)
      problems.push(`${at}: the client wants ${JSON.stringify(match.const)}`);
    if (sent.type === "array" && match.items && sent.items)
      problems.push(...uncovered(match.items, sent.items, `${at}[]`));
    for (const [key, schema] of Object.entries(match.properties ?? {})) {
      const required = match.required?.includes(key) ?? false;
      const serverProperty = sent.properties?.[key];
      if (required && !sent.required?.includes(key))
        problems.push(`${at}.${key}: required by the client, not always sent`);
      else if (serverProperty) problems.push(...uncovered(schema, serverProperty, `${at}.${key}`));
    }
  }
  return problems;
}

const citation = {
  id: "cit_1",
  sourceId: "acme-handbook",
  documentId: "doc_1",
  versionId: "ver_1",
  chunkId: "chk_1",
  uri: "https://acme.example/handbook",
  title: "Plans and Billing",
  path: "acme/handbook/billing.md",
  trust: "authoritative",
  quote: "Team | 60 days | 180 days",
  start: 10,
  end: 35,
  sha256: "a".repeat(64),
  chunkSha256: "b".repeat(64),
  score: 0.9,
  verified: true as const,
  suspectedInjection: false,
};
const base = {
  id: "ans_1",
  question: "Trash retention on Team, and the capital of France?",
  support: 0.9,
  policy: {
    threshold: 0.75,
    targetPrecision: null,
    verifier: null,
    embeddingModel: "use-lite@0.2.0",
    hash: "c".repeat(64),
  },
  createdAt: "2026-11-23T16:29:46.712Z",
  ledger: { index: 7 },
};
const noEvidence = { code: "NO_EVIDENCE" as const, message: "No passage.", bestScore: null };

// Typed as the server's own answer: the fixtures follow the contract at compile time too.
const partial: RecordedAnswer = {
  ...base,
  status: "partial",
  answer: "Plan: Team; Trash retention: 60 days.",
  reason: noEvidence,
  confidence: 0.7,
  sentences: [{ text: "Plan: Team; Trash retention: 60 days.", citationIds: ["cit_1", "cit_2"] }],
  citations: [citation, { ...citation, id: "cit_2", sourceId: "acme-policies" }],
  parts: [
    {
      question: "Trash retention on Team?",
      status: "answered",
      reason: null,
      confidence: 0.7,
      sentenceIndexes: [0],
    },
    {
      question: "the capital of France?",
      status: "refused",
      reason: noEvidence,
      confidence: null,
      sentenceIndexes: [],
    },
  ],
};
const refused: RecordedAnswer = {
  ...base,
  status: "refused",
  answer: null,
  reason: { code: "LOW_SUPPORT", message: "Below the threshold.", bestScore: 0.41 },
  confidence: null,
  support: null,
  sentences: [],
  citations: [],
  parts: [],
};

describe("the client's schemas", () => {
  it("accept every answer and problem the server's schemas allow", () => {
    expect(uncovered(jsonSchema(ClientAnswer), jsonSchema(RecordedAnswer))).toEqual([]);
    expect(uncovered(jsonSchema(ClientProblem), jsonSchema(Problem))).toEqual([]);
  });

  it("would notice a field the server does not send (the check is not vacuous)", () => {
    const stricter = ClientAnswer.extend({ tenant: z.string(), status: z.enum(["answered"]) });
    expect(uncovered(jsonSchema(stricter), jsonSchema(RecordedAnswer))).toEqual([
      '$.status: the server may send ["answered","partial","refused"]',
      "$.tenant: required by the client, not always sent",
    ]);
  });

  it("parse answers the server's schema accepts, and map them to Documents and refusals", () => {
    for (const answer of [partial, refused]) {
      const served = RecordedAnswer.parse(JSON.parse(JSON.stringify(answer)));
      expect(ClientAnswer.safeParse(served).success).toBe(true);
    }
    const docs = toDocuments(ClientAnswer.parse(partial));
    expect(docs.map((d) => [d.id, d.pageContent, d.metadata.sourceId])).toEqual([
      ["cit_1", "Team | 60 days | 180 days", "acme-handbook"],
      ["cit_2", "Team | 60 days | 180 days", "acme-policies"],
    ]);
    expect(docs[0]!.metadata).toMatchObject({
      answerId: "ans_1",
      answerStatus: "partial",
      ledgerIndex: 7,
      confidence: 0.7,
      sentence: "Plan: Team; Trash retention: 60 days.",
    });
    expect(toRefusal(ClientAnswer.parse(partial))).toMatchObject({
      status: "partial",
      reason: noEvidence,
      refusedParts: [{ question: "the capital of France?" }],
    });
    expect(toDocuments(ClientAnswer.parse(refused))).toEqual([]);
    expect(toRefusal(ClientAnswer.parse(refused))?.reason.code).toBe("LOW_SUPPORT");
  });
});

describe("client errors", () => {
  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("7", now)).toBe(7);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30);
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter("soon", now)).toBeNull();
  });

  it("describes a response that is not a problem document by its status", async () => {
    const res = new Response("<html>Bad Gateway</html>", {
      status: 502,
      statusText: "Bad Gateway",
      headers: { "x-request-id": "req_abc" },
    });
    expect(await toVerityApiError(res)).toMatchObject({
      status: 502,
      code: "HTTP_502",
      requestId: "req_abc",
      title: "Bad Gateway",
      retryAfterSeconds: null,
    });
  });
});

describe("client/", () => {
  it("imports nothing of the server: only @langchain/core, zod and its own files", () => {
    const dir = new URL("../../client/", import.meta.url).pathname;
    const imports = readdirSync(dir).flatMap((file) =>
      [...readFileSync(join(dir, file), "utf8").matchAll(/from\s+["']([^"']+)["']/g)].map(
        (m) => m[1]!,
      ),
    );
    const foreign = imports.filter(
      (s) => !/^\.\/[\w.-]+\.ts$/.test(s) && s !== "zod" && !s.startsWith("@langchain/core/"),
    );
    expect(foreign).toEqual([]);
  });
});
