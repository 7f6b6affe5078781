import { createRoute, z } from "@hono/zod-openapi";
import { IngestBusyError } from "../../db/ingest-runs.ts";
import { AppError } from "../../errors.ts";
import { describeIngestRun, IngestInputError, requestIngestRun } from "../../ingestion/runs.ts";
import { IngestRun, IngestRunRequest } from "../../ingestion/schema.ts";
import { requiresScope } from "../middleware/auth.ts";
import { Problem, problemResponses } from "../openapi-schemas.ts";
import type { App, RouteDeps } from "../types.ts";

export const route = createRoute({
  method: "post",
  path: "/v1/ingest-runs",
  ...requiresScope("ingest"),
  summary: "Ingest a manifest, or remove a source, inside the server",
  description:
    "Starts the run in the background and answers at once; poll the run at `Location`. The " +
    "manifest is read from the server's filesystem, so its path must be absolute there. One run " +
    "at a time: a second one, from here or from `npm run ingest`, is refused with 409. The run " +
    "is the caller's tenant's: manifest sources without a `tenant` become its sources, and a " +
    "manifest or removal naming another tenant's source is refused with 400.",
  request: {
    body: { required: true, content: { "application/json": { schema: IngestRunRequest } } },
  },
  responses: {
    202: {
      description: "The run, recorded and started",
      headers: z.object({ Location: z.string().openapi({ example: "/v1/ingest-runs/run_..." }) }),
      content: { "application/json": { schema: IngestRun } },
    },
    ...problemResponses(400, 401, 403, 503),
    409: {
      description: "Another run is going (problem `INGEST_RUNNING`)",
      content: { "application/problem+json": { schema: Problem } },
    },
  },
});

export function registerCreateIngestRun(app: App, deps: RouteDeps) {
  app.openapi(route, async (c) => {
    const row = await requestIngestRun(deps, c.req.valid("json"), c.get("caller").tenant).catch(
      (error: unknown) => {
        throw toAppError(error);
      },
    );
    const run = describeIngestRun(row, deps.ingestion.progress(row.id));
    return c.json(run, 202, { Location: run.links.self });
  });
}

function toAppError(error: unknown): unknown {
  if (error instanceof IngestBusyError) return new AppError("INGEST_RUNNING", error.message);
  if (error instanceof IngestInputError)
    return new AppError("VALIDATION_FAILED", error.message, {
      invalidFields: [{ path: error.field, message: error.message }],
    });
  return error;
}
