import { OpenAPIHono } from "@hono/zod-openapi";
import { DEFAULT_BODY_TIMEOUT_MS, DEFAULT_MAX_BODY_BYTES, type Config } from "./config.ts";
import { AppError } from "./errors.ts";
import { limitBody } from "./http/middleware/body-limit.ts";
import { jsonOnly } from "./http/middleware/json-only.ts";
import { methodNotAllowed } from "./http/middleware/method-not-allowed.ts";
import { requestId } from "./http/middleware/request-id.ts";
import { requestLog } from "./http/middleware/request-log.ts";
import { bodyTimeout } from "./http/middleware/timeouts.ts";
import { authenticate, registerBearerAuth } from "./http/middleware/auth.ts";
import { DEFAULT_RATE_LIMIT_PER_MINUTE, rateLimit } from "./http/middleware/rate-limit.ts";
import { problemResponse, validationError } from "./http/problem.ts";
import { registerCreateAnswer } from "./http/routes/answers.create.ts";
import { registerGetAnswer } from "./http/routes/answers.get.ts";
import { registerListCheckpoints } from "./http/routes/audit.checkpoints.ts";
import { registerGetAnswerProof } from "./http/routes/audit.proof.ts";
import { registerRecheckAnswer } from "./http/routes/answers.recheck.ts";
import { registerGetCitation } from "./http/routes/citations.get.ts";
import { registerListDocumentVersions } from "./http/routes/documents.versions.ts";
import { registerHealth } from "./http/routes/health.ts";
import { registerCreateIngestRun } from "./http/routes/ingest-runs.create.ts";
import { registerGetIngestRun } from "./http/routes/ingest-runs.get.ts";
import { registerMetrics } from "./http/routes/metrics.get.ts";
import { registerGetPolicy } from "./http/routes/policy.get.ts";
import { registerCreateReview } from "./http/routes/reviews.create.ts";
import { registerListReviews } from "./http/routes/reviews.list.ts";
import { registerListSources } from "./http/routes/sources.list.ts";
import type { App, AppEnv, RouteDeps } from "./http/types.ts";
import { createMetrics } from "./metrics/metrics.ts";

/** The settings the HTTP layer reads itself: its request limits. */
export type HttpLimits = Pick<
  Config,
  "VERITY_MAX_BODY_BYTES" | "VERITY_BODY_TIMEOUT_MS" | "VERITY_RATE_LIMIT_PER_MINUTE"
>;

export function createApp(deps: RouteDeps & { config: HttpLimits }): App {
  const app: App = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error);
    },
  });
  // Deps built by hand (lab tools, some tests) bring no metrics: the app then keeps its own.
  const metrics = deps.metrics ?? createMetrics();
  app.use(requestId());
  // Outermost but for the id: the log line and latency cover every later middleware's refusal.
  app.use(requestLog({ logger: deps.logger, metrics }));
  // Every /v1 route needs a caller; /healthz, /readyz and /openapi.json stay public.
  app.use("/v1/*", authenticate({ access: deps.access }));
  app.use("/metrics", authenticate({ access: deps.access }));
  // Each key's budget is spent by the request before anything else is read.
  app.use(
    "/v1/*",
    rateLimit({
      perMinute: deps.config.VERITY_RATE_LIMIT_PER_MINUTE ?? DEFAULT_RATE_LIMIT_PER_MINUTE,
    }),
  );
  registerBearerAuth(app);
  // Limits, in the order a request meets them: a method the path takes, a body that arrives in
  // time and within size, then UTF-8 JSON text for the routes that read one.
  app.use(methodNotAllowed({ app }));
  app.use(bodyTimeout({ ms: deps.config.VERITY_BODY_TIMEOUT_MS ?? DEFAULT_BODY_TIMEOUT_MS }));
  app.use(limitBody({ maxBytes: deps.config.VERITY_MAX_BODY_BYTES ?? DEFAULT_MAX_BODY_BYTES }));
  app.use(jsonOnly());
  app.onError((error, c) => problemResponse(c, error, deps.logger));
  app.notFound((c) =>
    problemResponse(c, new AppError("NOT_FOUND", `No route for ${c.req.method} ${c.req.path}.`)),
  );

  registerCreateAnswer(app, deps);
  registerGetAnswer(app, deps);
  registerGetAnswerProof(app, deps);
  registerListCheckpoints(app, deps);
  registerRecheckAnswer(app, deps);
  registerGetCitation(app, deps);
  registerListDocumentVersions(app, deps);
  registerListSources(app, deps);
  registerCreateIngestRun(app, deps);
  registerGetIngestRun(app, deps);
  registerGetPolicy(app, deps);
  registerCreateReview(app, deps);
  registerListReviews(app, deps);
  registerMetrics(app, { ...deps, metrics });
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
