import type { Context, Hono, MiddlewareHandler } from "hono";
import { METHOD_NAME_ALL } from "hono/router";
import { matchedRoutes } from "hono/route";
import { AppError } from "../../errors.ts";
import { problemResponse } from "../problem.ts";

/** The app's registered routes and its router, read at request time (after every register call). */
type Routes = Pick<Hono, "routes" | "router">;

/**
 * True when a route (not only middleware, which is registered for every method) matched this
 * request's method and path.
 */
export function isRouted(c: Context): boolean {
  return matchedRoutes(c).some((route) => route.method !== METHOD_NAME_ALL);
}

/**
 * The methods the app's routes answer on `path`, from the routes themselves: HEAD wherever GET is
 * (Hono answers HEAD with the GET route). Middleware and `app.all` routes count for no method.
 */
export function allowedMethods({ routes, router }: Routes, path: string): string[] {
  const methods = new Set(routes.map((r) => r.method).filter((m) => m !== METHOD_NAME_ALL));
  const allowed = [...methods].filter((method) =>
    router.match(method, path)[0].some(([[, route]]) => route.method !== METHOD_NAME_ALL),
  );
  if (allowed.includes("GET")) allowed.push("HEAD");
  return allowed.sort();
}

/**
 * 405 with an `Allow` header for a known path asked with a method none of its routes takes; an
 * unknown path falls through to the app's 404.
 */
export function methodNotAllowed({ app }: { app: Routes }): MiddlewareHandler {
  return async function methodNotAllowed(c, next) {
    if (isRouted(c)) return next();
    const allowed = allowedMethods(app, c.req.path);
    if (allowed.length === 0) return next();
    const method = c.req.method.slice(0, 40);
    const res = problemResponse(
      c,
      new AppError(
        "METHOD_NOT_ALLOWED",
        `${method} is not allowed on ${c.req.path}; it takes ${allowed.join(", ")}.`,
      ),
    );
    res.headers.set("allow", allowed.join(", "));
    return res;
  };
}
