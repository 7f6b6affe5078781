import { z } from "zod";

/**
 * What the client reads of Verity's HTTP contract, as its own small zod schemas: the server's
 * (src/answer/schema.ts) are built on @hono/zod-openapi and server text helpers, which a LangChain
 * app must not have to install. Unknown fields are dropped, so the server may add fields freely;
 * test/unit/client-schema.test.ts checks these accept what the server's schemas produce.
 */

export const ClientCitation = z.object({
  id: z.string(),
  sourceId: z.string(),
  documentId: z.string(),
  versionId: z.string(),
  chunkId: z.string(),
  uri: z.string(),
  title: z.string(),
  path: z.string(),
  trust: z.string(),
  quote: z.string(),
  start: z.number().int(),
  end: z.number().int(),
  sha256: z.string(),
  chunkSha256: z.string(),
  score: z.number(),
  verified: z.boolean(),
  suspectedInjection: z.boolean(),
});
export type ClientCitation = z.infer<typeof ClientCitation>;

export const ClientRefusalReason = z.object({
  /** NO_EVIDENCE, LOW_SUPPORT, ...: a string, so a code added later does not break clients. */
  code: z.string(),
  message: z.string(),
  bestScore: z.number().nullable(),
});
export type ClientRefusalReason = z.infer<typeof ClientRefusalReason>;

export const ClientAnswerPart = z.object({
  question: z.string(),
  status: z.enum(["answered", "refused"]),
  reason: ClientRefusalReason.nullable(),
  confidence: z.number().nullable(),
  sentenceIndexes: z.array(z.number().int()),
});
export type ClientAnswerPart = z.infer<typeof ClientAnswerPart>;

/** `POST /v1/answers`' 200 body (the server's RecordedAnswer), as far as the client reads it. */
export const ClientAnswer = z.object({
  id: z.string(),
  status: z.enum(["answered", "partial", "refused"]),
  question: z.string(),
  answer: z.string().nullable(),
  reason: ClientRefusalReason.nullable(),
  confidence: z.number().nullable(),
  sentences: z.array(z.object({ text: z.string(), citationIds: z.array(z.string()) })),
  citations: z.array(ClientCitation),
  parts: z.array(ClientAnswerPart),
  ledger: z.object({ index: z.number().int() }),
});
export type ClientAnswer = z.infer<typeof ClientAnswer>;

/** An RFC 9457 problem document, as every Verity error is sent. */
export const ClientProblem = z.object({
  type: z.string().optional(),
  title: z.string().optional(),
  status: z.number().int().optional(),
  detail: z.string().optional(),
  code: z.string(),
  requestId: z.string().optional(),
  invalidFields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type ClientProblem = z.infer<typeof ClientProblem>;
