import type { MiddlewareHandler } from "hono";
import type { AccessControl, Refusal } from "../../auth/access.ts";
import { hasScope, type Scope } from "../../auth/keys.ts";
import { AppError } from "../../errors.ts";
import type { App, AppEnv } from "../types.ts";

/** The OpenAPI security scheme every protected route names. */
export const BEARER_AUTH = "bearerAuth";

/** `realm` of every challenge: one protection space, the whole API. */
const CHALLENGE = 'Bearer realm="verity"';

const REFUSALS: Record<Refusal, string> = {
  missing: "This endpoint needs an API key: send Authorization: Bearer <key>.",
  malformed: "The Authorization header holds no Verity API key: send Authorization: Bearer vk_….",
  invalid: "The API key is not valid.",
  revoked: "The API key was revoked.",
};

/**
 * Sets the request's `caller`, or answers 401 (problem+json, with a `WWW-Authenticate`
 * challenge). Mounted on /v1/*: the probes and /openapi.json stay public. Scopes are each
 * route's own business (requireScope).
 */
export function authenticate({ access }: { access: AccessControl }): MiddlewareHandler<AppEnv> {
  return async function authenticate(c, next) {
    const outcome = await access.authenticate(c.req.header("authorization"));
    if ("refused" in outcome) {
      const challenge =
        outcome.refused === "missing" ? CHALLENGE : `${CHALLENGE}, error="invalid_token"`;
      throw new AppError("UNAUTHENTICATED", REFUSALS[outcome.refused], {
        wwwAuthenticate: challenge,
      });
    }
    c.set("caller", outcome);
    await next();
  };
}

/** 403 unless the caller's key holds `scope` (or `admin`); runs before the route validates. */
export function requireScope({ scope }: { scope: Scope }): MiddlewareHandler<AppEnv> {
  return async function requireScope(c, next) {
    const caller = c.get("caller");
    if (!caller)
      throw new AppError("UNAUTHENTICATED", REFUSALS.missing, { wwwAuthenticate: CHALLENGE });
    if (!hasScope(caller.scopes, scope))
      throw new AppError(
        "FORBIDDEN",
        `This API key lacks the scope "${scope}" (it has: ${caller.scopes.join(", ") || "none"}).`,
        { wwwAuthenticate: `${CHALLENGE}, error="insufficient_scope", scope="${scope}"` },
      );
    await next();
  };
}

/**
 * What a route spreads into its createRoute to need `scope`: the check, and the OpenAPI security
 * requirement saying so (OpenAPI 3.1 lets a bearer requirement list the roles it needs).
 */
export function requiresScope(scope: Scope) {
  return {
    security: [{ [BEARER_AUTH]: [scope] }],
    middleware: [requireScope({ scope })],
  };
}

/** Declare the bearer scheme in the OpenAPI document. */
export function registerBearerAuth(app: App): void {
  app.openAPIRegistry.registerComponent("securitySchemes", BEARER_AUTH, {
    type: "http",
    scheme: "bearer",
    description:
      "A Verity API key (`npm run keys -- create`), as `Authorization: Bearer vk_…`. Not needed " +
      "while no key exists and the server listens on loopback only.",
  });
}
