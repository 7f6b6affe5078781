import { createRoute } from "@hono/zod-openapi";
import { recheckAnswer } from "../../audit/recheck.ts";
import { AnswerRecheck } from "../../audit/schema.ts";
import { AppError } from "../../errors.ts";
import { requiresScope } from "../middleware/auth.ts";
import { IdParam, problemResponses } from "../openapi-schemas.ts";
import type { App, RouteDeps } from "../types.ts";

export const route = createRoute({
  method: "post",
  path: "/v1/answers/{id}/recheck",
  ...requiresScope("audit"),
  summary: "Re-verify a past answer's citations against the current corpus",
  description:
    "Per citation: `still_supported` (the document's current version still holds the quote, " +
    "and every stored hash and its source file agree), `changed` or `removed`. The recheck is " +
    "itself recorded in the ledger, at `ledgerIndex`. No request body.",
  request: { params: IdParam("ans") },
  responses: {
    200: {
      description: "The recheck, as recorded",
      content: { "application/json": { schema: AnswerRecheck } },
    },
    ...problemResponses(401, 403, 404, 503),
  },
});

export function registerRecheckAnswer(app: App, deps: RouteDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const caller = c.get("caller");
    const recheck = await recheckAnswer(
      { db: deps.db, loadSourceText: deps.ingestion.loadSourceText },
      {
        answerId: id,
        actor: { tenant: caller.tenant, keyId: caller.keyId },
        requestId: c.get("requestId") ?? null,
      },
    );
    if (!recheck) throw new AppError("NOT_FOUND", `No answer with id ${id}.`);
    return c.json(recheck, 200);
  });
}
