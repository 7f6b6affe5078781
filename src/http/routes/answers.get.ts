import { createRoute } from "@hono/zod-openapi";
import { findAnswerBody } from "../../answer/record.ts";
import { RecordedAnswer } from "../../answer/schema.ts";
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
    200: {
      description: "The stored answer",
      content: { "application/json": { schema: RecordedAnswer } },
    },
    ...problemResponses(401, 403, 404, 503),
  },
});

export function registerGetAnswer(app: App, deps: RouteDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const body = await findAnswerBody(deps.db, id, c.get("caller").tenant);
    if (body === null) throw new AppError("NOT_FOUND", `No answer with id ${id}.`);
    // Byte for byte what POST returned (and the ledger holds), so its hash matches the client's.
    return c.body(body, 200, { "content-type": "application/json" }) as never;
  });
}
