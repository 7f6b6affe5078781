import { createRoute } from "@hono/zod-openapi";
import { askQuestion } from "../../answer/ask.ts";
import { AnswerRequest, RecordedAnswer } from "../../answer/schema.ts";
import { requiresScope } from "../middleware/auth.ts";
import { problemResponses } from "../openapi-schemas.ts";
import type { App, RouteDeps } from "../types.ts";

export const route = createRoute({
  method: "post",
  path: "/v1/answers",
  ...requiresScope("answer"),
  summary: "Answer a question from the trusted sources, or refuse with a reason",
  request: { body: { required: true, content: { "application/json": { schema: AnswerRequest } } } },
  responses: {
    200: {
      description:
        "An answer whose every sentence cites a verified span, or a refusal (status `refused`)",
      content: { "application/json": { schema: RecordedAnswer } },
    },
    ...problemResponses(400, 401, 403, 503),
  },
});

export function registerCreateAnswer(app: App, deps: RouteDeps) {
  app.openapi(route, async (c) => {
    const { tenant, keyId } = c.get("caller");
    const { body } = await askQuestion(
      deps,
      { ...c.req.valid("json"), tenant },
      { keyId, requestId: c.get("requestId") },
    );
    // The recorded bytes, not a re-serialisation: a client's hash of this body is the ledger's.
    return c.body(body, 200, { "content-type": "application/json" }) as never;
  });
}
