import { createRoute, z } from "@hono/zod-openapi";
import { Registry } from "prom-client";
import type { Metrics } from "../../metrics/metrics.ts";
import { createStoreRegistry } from "../../metrics/store-gauges.ts";
import { requiresScope } from "../middleware/auth.ts";
import { problemResponses } from "../openapi-schemas.ts";
import type { App, RouteDeps } from "../types.ts";

export const route = createRoute({
  method: "get",
  path: "/metrics",
  ...requiresScope("admin"),
  summary: "Prometheus metrics (operator-wide: an admin key's)",
  responses: {
    200: {
      description: "Metrics in the Prometheus text format",
      content: { "text/plain": { schema: z.string() } },
    },
    ...problemResponses(401, 403, 503),
  },
});

/**
 * The store's totals, read at scrape time (store-gauges.ts), and what this process measured
 * itself: stage and request latencies, citation verification failures (metrics.ts).
 */
export function registerMetrics(app: App, deps: RouteDeps & { metrics: Metrics }) {
  const registry = Registry.merge([createStoreRegistry(deps.db), deps.metrics.registry]);
  app.openapi(route, async (c) => {
    const body = await registry.metrics();
    return c.text(body, 200, { "content-type": registry.contentType });
  });
}
