import { createRoute } from "@hono/zod-openapi";
import { AppError } from "../../errors.ts";
import { InvalidCursorError, listReviewQueue } from "../../review/reviews.ts";
import { ReviewQueuePage, ReviewQueueQuery } from "../../review/schema.ts";
import { requiresScope } from "../middleware/auth.ts";
import { problemResponses } from "../openapi-schemas.ts";
import type { App, RouteDeps } from "../types.ts";

export const route = createRoute({
  method: "get",
  path: "/v1/reviews",
  ...requiresScope("audit"),
  summary: "Answers waiting for review (borderline calls), or those reviewed",
  description:
    "An answer is queued when it was answered with support within the policy's `reviewMargin` " +
    "over its threshold, or refused for LOW_SUPPORT with a best score within it under the " +
    "threshold; it leaves `open` with its first verdict. Only the caller's tenant's answers, " +
    "oldest first.",
  request: { query: ReviewQueueQuery },
  responses: {
    200: {
      description: "One page of the queue",
      content: { "application/json": { schema: ReviewQueuePage } },
    },
    ...problemResponses(400, 401, 403, 503),
  },
});

export function registerListReviews(app: App, deps: RouteDeps) {
  app.openapi(route, async (c) => {
    const query = c.req.valid("query");
    const page = await listReviewQueue(deps.db, {
      ...query,
      tenant: c.get("caller").tenant,
    }).catch((error: unknown) => {
      if (!(error instanceof InvalidCursorError)) throw error;
      throw new AppError("VALIDATION_FAILED", error.message, {
        invalidFields: [{ path: "cursor", message: error.message }],
      });
    });
    return c.json(page, 200);
  });
}
