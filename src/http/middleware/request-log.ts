import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { METHOD_NAME_ALL } from "hono/router";
import type { Logger } from "pino";
import type { Metrics } from "../../metrics/metrics.ts";
import type { AppEnv } from "../types.ts";

/** A request no route took (404, 405): one label, whatever path was asked. */
export const UNMATCHED_ROUTE = "unmatched";

/** Methods named as they are; any other becomes OTHER, so a client cannot mint new series. */
const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/**
 * The pattern of the route that took the request (`/v1/answers/:id`), never the path asked:
 * ids and a client's garbage stay out of logs and metric labels. Middleware is registered for
 * every method, so the route is the last match registered for one.
 */
export function routeOf(c: Context): string {
  const routes = matchedRoutes(c).filter((r) => r.method !== METHOD_NAME_ALL);
  return routes.at(-1)?.path ?? UNMATCHED_ROUTE;
}

/**
 * One JSON log line per request, once it has its response: method, route pattern, status,
 * duration and request id, and the caller's key id and tenant once authenticated. Never a
 * header, a body or a query string (they hold keys and questions). The same measurement feeds
 * `verity_http_request_duration_seconds`. Errors are still logged, with their cause, by the
 * error handler; this line only says how the request ended.
 */
export function requestLog({
  logger,
  metrics,
}: {
  logger: Logger;
  metrics?: Metrics;
}): MiddlewareHandler<AppEnv> {
  return async function requestLog(c, next) {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const method = KNOWN_METHODS.has(c.req.method) ? c.req.method : "OTHER";
    const route = routeOf(c);
    const { status } = c.res;
    metrics?.observeRequest({ method, route, status }, seconds);
    const caller = c.get("caller") as AppEnv["Variables"]["caller"] | undefined;
    logger.info(
      {
        requestId: c.get("requestId"),
        method,
        route,
        status,
        durationMs: Math.round(seconds * 1e6) / 1e3,
        ...(caller ? { keyId: caller.keyId, tenant: caller.tenant } : {}),
      },
      "request",
    );
  };
}
