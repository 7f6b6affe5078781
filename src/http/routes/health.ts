import { createRoute, z } from "@hono/zod-openapi";
import { checkStoreReadable } from "../../db/client.ts";
import { databaseUnavailable, isDatabaseUnavailable } from "../../errors.ts";
import { problemResponses } from "../openapi-schemas.ts";
import type { App, RouteDeps } from "../types.ts";

const Health = z
  .object({
    status: z.literal("ok"),
    database: z.literal("up"),
    indexedChunks: z.number().int(),
    embeddingModel: z.string(),
  })
  .openapi("Health");

const routeFor = (path: "/healthz" | "/readyz", summary: string) =>
  createRoute({
    method: "get",
    path,
    summary,
    responses: {
      200: { description: "Ready to answer", content: { "application/json": { schema: Health } } },
      ...problemResponses(503),
    },
  });

/**
 * Both probes check what answering needs: a reachable database and a loaded index. /healthz is
 * what support bots poll before routing traffic; /readyz is the orchestrator's readiness probe.
 */
export function registerHealth(app: App, deps: RouteDeps) {
  const handler = async () => {
    // Any failure of the store counts here, not only a lost connection: it cannot answer.
    await checkStoreReadable(deps.db).catch((error: unknown) => {
      throw databaseUnavailable(
        error,
        isDatabaseUnavailable(error)
          ? "The database cannot be reached."
          : `The store cannot be read: ${(error as { cause?: Error }).cause?.message ?? (error as Error).message}`,
      );
    });
    return {
      status: "ok" as const,
      database: "up" as const,
      indexedChunks: deps.index.current().index.state.count,
      embeddingModel: deps.embedder.modelId,
    };
  };
  app.openapi(routeFor("/healthz", "Ready to answer questions"), async (c) =>
    c.json(await handler(), 200),
  );
  app.openapi(routeFor("/readyz", "Readiness probe"), async (c) => c.json(await handler(), 200));
}
