import { createRoute, z } from "@hono/zod-openapi";
import { Gauge, Registry } from "prom-client";
import { countAnswersByOutcome } from "../../answer/record.ts";
import { countSuspectedInjections } from "../../db/documents.ts";
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
 * Metrics read from the store at scrape time, so every server process reports the same totals and
 * a restart loses nothing: answers by outcome (from their records) and the searchable chunks
 * flagged as suspected prompt injection. One registry per app: tests build many.
 */
export function registerMetrics(app: App, deps: RouteDeps) {
  const registry = new Registry();
  new Gauge({
    name: "verity_answers_recorded",
    help: "Answers recorded, by status and refusal code",
    labelNames: ["status", "reason"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await countAnswersByOutcome(deps.db)) {
        this.set({ status: row.status, reason: row.reasonCode ?? "none" }, row.n);
      }
    },
  });
  new Gauge({
    name: "verity_chunks_suspected_injection",
    help: "Searchable chunks flagged at ingest as reading like instructions to a model",
    registers: [registry],
    async collect() {
      this.set(await countSuspectedInjections(deps.db));
    },
  });
  app.openapi(route, async (c) => {
    const body = await registry.metrics();
    return c.text(body, 200, { "content-type": registry.contentType });
  });
}
