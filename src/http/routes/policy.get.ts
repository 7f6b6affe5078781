import { createRoute, z } from "@hono/zod-openapi";
import { hashPolicy, Policy } from "../../answer/policy.ts";
import { requiresScope } from "../middleware/auth.ts";
import { problemResponses } from "../openapi-schemas.ts";
import type { App, RouteDeps } from "../types.ts";

export const PolicyDocument = z
  .object({
    hash: z.string().openapi({
      description:
        "SHA-256 (hex) of the policy's canonical JSON (RFC 8785): what every answer records as `policy.hash`",
    }),
    // Policy is a plain zod schema (made before zod-openapi extends zod): described, not .openapi().
    policy: Policy.describe(
      "The policy in force: the file VERITY_POLICY names, its defaults filled in and the environment's overrides (VERITY_THRESHOLD, VERITY_TARGET_PRECISION) applied",
    ),
  })
  .openapi("PolicyDocument");
export type PolicyDocument = z.infer<typeof PolicyDocument>;

/**
 * Scope `audit`: the policy is what a reviewer checks an answer's `policy.hash` against. Answer
 * clients already get each answer's threshold; the whole file also names the operator's
 * calibration runs (commands, dataset paths) and model files, which a bot does not need.
 */
export const route = createRoute({
  method: "get",
  path: "/v1/policy",
  ...requiresScope("audit"),
  summary: "The refusal policy in force and its hash",
  responses: {
    200: {
      description: "The effective policy, and the hash answers record",
      content: { "application/json": { schema: PolicyDocument } },
    },
    ...problemResponses(401, 403),
  },
});

export function registerGetPolicy(app: App, deps: RouteDeps) {
  // Loaded once at start-up and never changed: the same document for every request.
  const document: PolicyDocument = { hash: hashPolicy(deps.policy), policy: deps.policy };
  app.openapi(route, (c) => c.json(document, 200));
}
