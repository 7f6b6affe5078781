import { z } from "@hono/zod-openapi";
import { safeText } from "../text/safe-text.ts";

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    requestId: z.string().optional(),
    instance: z.string().optional(),
    invalidFields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi("Problem");

export const problemResponses = (...statuses: (400 | 401 | 403 | 404 | 503)[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description: "Problem details (RFC 9457)",
        content: { "application/problem+json": { schema: Problem } },
      },
    ]),
  );

export const IdParam = (prefix: string) =>
  z.object({
    id: safeText(z.string().min(1).max(100)).openapi({
      param: { name: "id", in: "path" },
      example: `${prefix}_...`,
    }),
  });
