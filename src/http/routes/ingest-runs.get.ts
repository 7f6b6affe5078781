import { createRoute } from "@hono/zod-openapi";
import { AppError } from "../../errors.ts";
import { readIngestRun } from "../../ingestion/runs.ts";
import { IngestRun } from "../../ingestion/schema.ts";
import { requiresScope } from "../middleware/auth.ts";
import { IdParam, problemResponses } from "../openapi-schemas.ts";
import type { App, RouteDeps } from "../types.ts";

export const route = createRoute({
  method: "get",
  path: "/v1/ingest-runs/{id}",
  ...requiresScope("ingest"),
  summary: "An ingest run: its state, live progress, summary or error",
  request: { params: IdParam("run") },
  responses: {
    200: { description: "The run", content: { "application/json": { schema: IngestRun } } },
    ...problemResponses(401, 403, 404, 503),
  },
});

export function registerGetIngestRun(app: App, deps: RouteDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const run = await readIngestRun(deps, id, c.get("caller").tenant);
    if (!run) throw new AppError("NOT_FOUND", `No ingest run with id ${id}.`);
    return c.json(run, 200);
  });
}
