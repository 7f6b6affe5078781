import { z } from "@hono/zod-openapi";
import { safeText } from "../text/safe-text.ts";

export const AnswerRequest = z
  .object({
    question: safeText(z.string().trim().min(3).max(2000)).openapi({
      example: "How long do password reset links stay valid?",
    }),
    sourceIds: z
      .array(safeText(z.string().min(1).max(100)))
      .min(1)
      .max(50)
      .optional()
      .openapi({ example: ["acme-handbook"] }),
  })
  .strict()
  .openapi("AnswerRequest");
export type AnswerRequest = z.infer<typeof AnswerRequest>;

export const Citation = z
  .object({
    id: z.string().openapi({ example: "cit_3Jd0c2vQ8kq1" }),
    sourceId: z.string(),
    documentId: z.string(),
    versionId: z.string(),
    chunkId: z.string(),
    uri: z.string(),
    title: z.string(),
    path: z.string(),
    trust: z.string(),
    quote: z.string(),
    start: z
      .number()
      .int()
      .openapi({ description: "Offset of the quote in the version text (UTF-16 code units)" }),
    end: z.number().int(),
    sha256: z.string().openapi({ description: "sha256 of the cited version's text" }),
    chunkSha256: z.string(),
    score: z.number().openapi({ description: "Support of the quote for the question, 0..1" }),
    verified: z.literal(true),
    suspectedInjection: z.boolean().openapi({
      description:
        "The cited chunk reads like instructions to a model (flagged at ingest): it is quoted as data, never followed",
    }),
  })
  .openapi("Citation");
export type Citation = z.infer<typeof Citation>;

export const RefusalCode = z.enum([
  "NO_SEARCHABLE_TERMS",
  "NO_QUESTION_CONTENT",
  "UNSUPPORTED_LANGUAGE",
  "NO_EVIDENCE",
  "LOW_SUPPORT",
  "UNVERIFIED_EVIDENCE",
]);
export type RefusalCode = z.infer<typeof RefusalCode>;

export const RefusalReason = z
  .object({ code: RefusalCode, message: z.string(), bestScore: z.number().nullable() })
  .openapi("RefusalReason");
export type RefusalReason = z.infer<typeof RefusalReason>;

export const AnswerSentence = z
  .object({
    text: z.string().openapi({
      description:
        'The sentence as read: the quote itself, or a table row read with its header ("Plan: Team; Trash retention: 60 days") while its citations quote the row exactly',
    }),
    citationIds: z.array(z.string()).openapi({
      description:
        "Every source stating this sentence: identical sentences of several documents are one sentence",
    }),
  })
  .openapi("AnswerSentence");
export type AnswerSentence = z.infer<typeof AnswerSentence>;

const Confidence = z.number().nullable().openapi({
  description:
    "Calibrated probability (0..1) that the answer is correct, from the policy's isotonic map fitted on the public evaluation sets; null for a refusal or when the policy has no map",
});

export const AnswerPart = z
  .object({
    question: z.string(),
    status: z.enum(["answered", "refused"]),
    reason: RefusalReason.nullable(),
    confidence: Confidence,
    sentenceIndexes: z
      .array(z.number().int())
      .openapi({ description: "Which of the answer's `sentences` answer this part" }),
  })
  .openapi("AnswerPart");
export type AnswerPart = z.infer<typeof AnswerPart>;

export const AnswerStatus = z.enum(["answered", "partial", "refused"]).openapi({
  description:
    "`partial`: a question asking several things (see `parts`) was answered for some and refused for others",
});
export type AnswerStatus = z.infer<typeof AnswerStatus>;

export const Answer = z
  .object({
    id: z.string().openapi({ example: "ans_Qm4mS2aX0cQ9" }),
    status: AnswerStatus,
    question: z.string(),
    answer: z.string().nullable(),
    reason: RefusalReason.nullable().openapi({
      description: "Why it was refused; for `partial`, the reason of the first refused part",
    }),
    confidence: Confidence,
    support: z.number().nullable().openapi({
      description:
        "Raw support score of the weakest answer sentence, each at its best-scoring source (what the refusal threshold applies to); null for a refusal, see reason.bestScore",
    }),
    sentences: z.array(AnswerSentence),
    citations: z.array(Citation),
    parts: z.array(AnswerPart).openapi({
      description:
        "For a question asking several things, each part with its own status; empty for a single question",
    }),
    policy: z.object({
      threshold: z.number().openapi({
        description: "The threshold this input was held to (claims may have their own)",
      }),
      targetPrecision: z.number().nullable(),
      verifier: z
        .string()
        .nullable()
        .openapi({ description: "Version of the answerability verifier, null for the heuristic" }),
      embeddingModel: z.string(),
      hash: z.string().openapi({
        description:
          "SHA-256 of the policy in force (canonical JSON), as `GET /v1/policy` shows it",
      }),
    }),
    createdAt: z.string(),
  })
  .openapi("Answer");
export type Answer = z.infer<typeof Answer>;

/**
 * An answer as recorded and returned over HTTP: with the index of its ledger record, whose payload
 * holds this very body (canonical JSON), so `GET /v1/audit/proof/:answerId` can prove it.
 */
export const RecordedAnswer = Answer.extend({
  ledger: z.object({
    index: z.number().int().openapi({ description: "Index of the answer's record in the ledger" }),
  }),
}).openapi("RecordedAnswer");
export type RecordedAnswer = z.infer<typeof RecordedAnswer>;
