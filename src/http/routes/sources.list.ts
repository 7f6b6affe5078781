import { createRoute, z } from "@hono/zod-openapi";
import { and, count, eq, inArray, isNull } from "drizzle-orm";
import type { Database } from "../../db/client.ts";
import { documents, sources } from "../../db/schema/index.ts";
import { AppError } from "../../errors.ts";
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
  summary: "The trusted sources answers may cite",
  responses: {
    200: {
      description: "Sources",
      content: { "application/json": { schema: z.object({ sources: z.array(Source) }) } },
    },
    ...problemResponses(503),
  },
});

export function registerListSources(app: App, deps: RouteDeps) {
  app.openapi(route, async (c) => {
    const rows = await deps.db
      .select({
        id: sources.id,
        name: sources.name,
        publisher: sources.publisher,
        uri: sources.uri,
        license: sources.license,
        trust: sources.trust,
        updatedAt: sources.updatedAt,
        documents: count(documents.id),
      })
      .from(sources)
      .leftJoin(documents, and(eq(documents.sourceId, sources.id), isNull(documents.removedAt)))
      .groupBy(sources.id)
      .orderBy(sources.id);
    return c.json(
      { sources: rows.map((r) => ({ ...r, updatedAt: r.updatedAt.toISOString() })) },
      200,
    );
  });
}

/** A filter naming an unknown source is a caller's mistake, not an empty search. */
export async function assertSourcesExist(db: Database, ids: string[]): Promise<void> {
  const found = await db.select({ id: sources.id }).from(sources).where(inArray(sources.id, ids));
  const known = new Set(found.map((r) => r.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new AppError("VALIDATION_FAILED", `sourceIds: unknown source(s) ${unknown.join(", ")}`, {
      invalidFields: [{ path: "sourceIds", message: `unknown source(s): ${unknown.join(", ")}` }],
    });
  }
}
