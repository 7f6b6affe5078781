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
  })
  .openapi("Citation");
export type Citation = z.infer<typeof Citation>;

export const RefusalCode = z.enum([
  "NO_SEARCHABLE_TERMS",
  "NO_EVIDENCE",
  "LOW_SUPPORT",
  "UNVERIFIED_EVIDENCE",
]);
export type RefusalCode = z.infer<typeof RefusalCode>;

export const RefusalReason = z
  .object({ code: RefusalCode, message: z.string(), bestScore: z.number().nullable() })
  .openapi("RefusalReason");
export type RefusalReason = z.infer<typeof RefusalReason>;

export const AnswerSentence = z.object({ text: z.string(), citationIds: z.array(z.string()) });

export const Answer = z
  .object({
    id: z.string().openapi({ example: "ans_Qm4mS2aX0cQ9" }),
    status: z.enum(["answered", "refused"]),
    question: z.string(),
    answer: z.string().nullable(),
    reason: RefusalReason.nullable(),
    sentences: z.array(AnswerSentence),
    citations: z.array(Citation),
    policy: z.object({
      threshold: z.number(),
      targetPrecision: z.number().nullable(),
      verifier: z
        .string()
        .nullable()
        .openapi({ description: "Version of the answerability verifier, null for the heuristic" }),
      embeddingModel: z.string(),
    }),
    createdAt: z.string(),
  })
  .openapi("Answer");
export type Answer = z.infer<typeof Answer>;
