import { createRoute, z } from "@hono/zod-openapi";
import { traceCitation } from "../../citations/trace.ts";
import { AppError } from "../../errors.ts";
import { IdParam, problemResponses } from "../openapi-schemas.ts";
import type { App, RouteDeps } from "../types.ts";

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
    chunk: z.object({
      id: z.string(),
      ordinal: z.number().int(),
      start: z.number().int(),
      end: z.number().int(),
      sha256: z.string(),
      embeddingModel: z.string(),
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
    }),
    document: z.object({
      id: z.string(),
      path: z.string(),
      title: z.string(),
      removedAt: z.string().nullable(),
    }),
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

export const route = createRoute({
  method: "get",
  path: "/v1/citations/{id}",
  summary: "Trace a citation to the exact span of the exact source version, re-verified now",
  request: { params: IdParam("cit") },
  responses: {
    200: {
      description: "The citation with its context, version and source",
      content: { "application/json": { schema: CitationTrace } },
    },
    ...problemResponses(404, 503),
  },
});

export function registerGetCitation(app: App, deps: RouteDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const trace = await traceCitation(deps.db, id);
    if (!trace) throw new AppError("NOT_FOUND", `No citation with id ${id}.`);
    return c.json(trace, 200);
  });
}
