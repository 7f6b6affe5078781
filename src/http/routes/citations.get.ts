import { createRoute } from "@hono/zod-openapi";
import { CitationTrace } from "../../citations/schema.ts";
import { traceCitation } from "../../citations/trace.ts";
import { AppError } from "../../errors.ts";
import { requiresScope } from "../middleware/auth.ts";
import { IdParam, problemResponses } from "../openapi-schemas.ts";
import type { App, RouteDeps } from "../types.ts";

export const route = createRoute({
  method: "get",
  path: "/v1/citations/{id}",
  ...requiresScope("answer"),
  summary: "Trace a citation to the exact span of the exact source version, re-verified now",
  request: { params: IdParam("cit") },
  responses: {
    200: {
      description: "The citation with its context, version and source",
      content: { "application/json": { schema: CitationTrace } },
    },
    ...problemResponses(401, 403, 404, 503),
  },
});

export function registerGetCitation(app: App, deps: RouteDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const trace = await traceCitation(deps.db, id, c.get("caller").tenant, {
      loadSourceText: deps.ingestion.loadSourceText,
    });
    if (!trace) throw new AppError("NOT_FOUND", `No citation with id ${id}.`);
    const { verified, failures } = trace.verification;
    if (!verified) deps.metrics?.countVerificationFailures("trace", failures);
    return c.json(trace, 200);
  });
}
