import { createRoute } from "@hono/zod-openapi";
import { AppError } from "../../errors.ts";
import { recordReview } from "../../review/reviews.ts";
import { Review, ReviewRequest } from "../../review/schema.ts";
import { requiresScope } from "../middleware/auth.ts";
import { IdParam, problemResponses } from "../openapi-schemas.ts";
import type { App, RouteDeps } from "../types.ts";

export const route = createRoute({
  method: "post",
  path: "/v1/answers/{id}/reviews",
  ...requiresScope("audit"),
  summary: "Record a reviewer's verdict on an answer, in the ledger",
  description:
    "Any answer of the caller's tenant may be reviewed, queued or not, and more than once: each " +
    "verdict is its own ledger record. Another tenant's answer is 404, as a missing one.",
  request: {
    params: IdParam("ans"),
    body: { required: true, content: { "application/json": { schema: ReviewRequest } } },
  },
  responses: {
    201: {
      description: "The review, with the index of its ledger record",
      content: { "application/json": { schema: Review } },
    },
    ...problemResponses(400, 401, 403, 404, 503),
  },
});

export function registerCreateReview(app: App, deps: RouteDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const { tenant, keyId } = c.get("caller");
    const review = await recordReview(deps.db, id, c.req.valid("json"), {
      tenant,
      keyId,
      requestId: c.get("requestId") ?? null,
    });
    if (!review) throw new AppError("NOT_FOUND", `No answer with id ${id}.`);
    return c.json(review, 201);
  });
}
