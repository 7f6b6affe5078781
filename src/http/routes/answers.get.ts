import { createRoute } from "@hono/zod-openapi";
import { findAnswer } from "../../answer/record.ts";
import { Answer } from "../../answer/schema.ts";
import { AppError } from "../../errors.ts";
import { requiresScope } from "../middleware/auth.ts";
import { IdParam, problemResponses } from "../openapi-schemas.ts";
import type { App, RouteDeps } from "../types.ts";

export const route = createRoute({
  method: "get",
  path: "/v1/answers/{id}",
  ...requiresScope("answer"),
  summary: "The stored record of an answer, exactly as it was returned",
  request: { params: IdParam("ans") },
  responses: {
    200: { description: "The stored answer", content: { "application/json": { schema: Answer } } },
    ...problemResponses(401, 403, 404, 503),
  },
});

export function registerGetAnswer(app: App, deps: RouteDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const answer = await findAnswer(deps.db, id, c.get("caller").tenant);
    if (!answer) throw new AppError("NOT_FOUND", `No answer with id ${id}.`);
    return c.json(answer, 200);
  });
}
