import { OpenAPIHono } from "@hono/zod-openapi";
import { requestId } from "hono/request-id";
import { AppError } from "./errors.ts";
import { problemResponse, validationError } from "./http/problem.ts";
import { registerCreateAnswer } from "./http/routes/answers.create.ts";
import { registerGetAnswer } from "./http/routes/answers.get.ts";
import { registerGetCitation } from "./http/routes/citations.get.ts";
import { registerHealth } from "./http/routes/health.ts";
import { registerCreateIngestRun } from "./http/routes/ingest-runs.create.ts";
import { registerGetIngestRun } from "./http/routes/ingest-runs.get.ts";
import { registerListSources } from "./http/routes/sources.list.ts";
import type { App, AppEnv, RouteDeps } from "./http/types.ts";

export function createApp(deps: RouteDeps): App {
  const app: App = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error);
    },
  });
  app.use(requestId());
  app.onError((error, c) => problemResponse(c, error, deps.logger));
  app.notFound((c) =>
    problemResponse(c, new AppError("NOT_FOUND", `No route for ${c.req.method} ${c.req.path}.`)),
  );

  registerCreateAnswer(app, deps);
  registerGetAnswer(app, deps);
  registerGetCitation(app, deps);
  registerListSources(app, deps);
  registerCreateIngestRun(app, deps);
  registerGetIngestRun(app, deps);
  registerHealth(app, deps);

  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Verity",
      version: "0.1.0",
      description: "Answers only with verified citations, or refuses.",
    },
  });
  return app;
}
