import { z } from "@hono/zod-openapi";
import { DocumentRef, SourceFileCheck } from "../audit/schema.ts";

/** What a reviewer gets for a citation: the quote in context, re-verified, with its provenance. */
export const CitationTrace = z
  .object({
    id: z.string(),
    answerId: z.string(),
    quote: z.string(),
    start: z.number().int(),
    end: z.number().int(),
    score: z.number(),
    context: z.object({ before: z.string(), after: z.string() }),
    verification: z.object({ verified: z.boolean(), failures: z.array(z.string()) }),
    sourceFile: SourceFileCheck.openapi({
      description:
        "The cited version's source file on disk, checked now: its bytes against rawSha256 and the text they give against the stored text",
    }),
    chunk: z.object({
      id: z.string(),
      ordinal: z.number().int(),
      start: z.number().int(),
      end: z.number().int(),
      sha256: z.string(),
      embeddingModel: z.string(),
      suspectedInjection: z.boolean().openapi({
        description: "Flagged at ingest: the chunk reads like instructions to a model",
      }),
    }),
    version: z.object({
      id: z.string(),
      version: z.number().int(),
      status: z.enum(["current", "superseded"]),
      sha256: z.string(),
      rawSha256: z.string(),
      mediaType: z.string(),
      ingestedAt: z.string(),
      ingestedBy: z.string(),
      supersededAt: z.string().nullable(),
      redactions: z
        .array(
          z.object({
            kind: z.string(),
            start: z.number().int(),
            end: z.number().int(),
          }),
        )
        .nullable()
        .openapi({
          description:
            "Personal data replaced at ingest, as offsets of the placeholders in the stored text; null when redaction was off",
        }),
    }),
    document: DocumentRef,
    source: z.object({
      id: z.string(),
      name: z.string(),
      publisher: z.string(),
      uri: z.string(),
      license: z.string(),
      trust: z.string(),
    }),
  })
  .openapi("CitationTrace");
export type CitationTrace = z.infer<typeof CitationTrace>;
