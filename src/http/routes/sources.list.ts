import { createRoute, z } from "@hono/zod-openapi";
import { listSources } from "../../db/sources.ts";
import { requiresScope } from "../middleware/auth.ts";
import { problemResponses } from "../openapi-schemas.ts";
import type { App, RouteDeps } from "../types.ts";

export const Source = z
  .object({
    id: z.string(),
    name: z.string(),
    publisher: z.string(),
    uri: z.string(),
    license: z.string(),
    trust: z.enum(["authoritative", "reviewed", "community"]),
    documents: z.number().int().openapi({ description: "Documents currently indexed" }),
    updatedAt: z.string(),
  })
  .openapi("Source");

export const route = createRoute({
  method: "get",
  path: "/v1/sources",
  ...requiresScope("answer"),
  summary: "The trusted sources answers may cite",
  responses: {
    200: {
      description: "Sources",
      content: { "application/json": { schema: z.object({ sources: z.array(Source) }) } },
    },
    ...problemResponses(401, 403, 503),
  },
});

export function registerListSources(app: App, deps: RouteDeps) {
  app.openapi(route, async (c) => {
    const rows = await listSources(deps.db, c.get("caller").tenant);
    return c.json(
      { sources: rows.map((r) => ({ ...r, updatedAt: r.updatedAt.toISOString() })) },
      200,
    );
  });
}
