import { createRoute } from "@hono/zod-openapi";
import { DocumentVersions } from "../../audit/schema.ts";
import { listDocumentVersions } from "../../audit/versions.ts";
import { AppError } from "../../errors.ts";
import { requiresScope } from "../middleware/auth.ts";
import { IdParam, problemResponses } from "../openapi-schemas.ts";
import type { App, RouteDeps } from "../types.ts";

export const route = createRoute({
  method: "get",
  path: "/v1/documents/{id}/versions",
  ...requiresScope("audit"),
  summary: "Every stored version of a document, with its hashes, times and who ingested it",
  description:
    "Superseded versions stay stored (old citations point into them), and so do the versions " +
    "of removed documents and sources: they are listed too, oldest first.",
  request: { params: IdParam("doc") },
  responses: {
    200: {
      description: "The document, its source and its versions",
      content: { "application/json": { schema: DocumentVersions } },
    },
    ...problemResponses(401, 403, 404, 503),
  },
});

export function registerListDocumentVersions(app: App, deps: RouteDeps) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const listed = await listDocumentVersions(deps.db, id, c.get("caller").tenant);
    if (!listed) throw new AppError("NOT_FOUND", `No document with id ${id}.`);
    return c.json(listed, 200);
  });
}
