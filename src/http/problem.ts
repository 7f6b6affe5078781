import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Logger } from "pino";
import type { ZodError } from "zod";
import {
  AppError,
  PROBLEM_CONTENT_TYPE,
  databaseUnavailable,
  isDatabaseUnavailable,
  toProblem,
} from "../errors.ts";

/** zod issues -> a 400 naming every invalid field. */
export function validationError(error: ZodError): AppError {
  const invalidFields = error.issues.map((i) => ({
    path: i.path.join(".") || "(body)",
    message: i.message,
  }));
  const detail = invalidFields.map((f) => `${f.path}: ${f.message}`).join("; ");
  return new AppError("VALIDATION_FAILED", detail, { invalidFields });
}

/** Turn anything thrown into an `application/problem+json` response. */
export function problemResponse(c: Context, thrown: unknown, logger?: Logger): Response {
  const error = toAppError(thrown);
  if (error.code === "INTERNAL")
    logger?.error({ err: thrown, requestId: c.get("requestId") }, "unhandled error");
  else if (error.code === "DATABASE_UNAVAILABLE")
    logger?.warn({ err: thrown, requestId: c.get("requestId") }, "database unavailable");
  const headers: Record<string, string> = { "content-type": PROBLEM_CONTENT_TYPE };
  if (error.extra.retryAfterSeconds !== undefined)
    headers["retry-after"] = String(error.extra.retryAfterSeconds);
  if (error.extra.wwwAuthenticate) headers["www-authenticate"] = error.extra.wwwAuthenticate;
  return new Response(
    JSON.stringify(toProblem(error, c.get("requestId"), new URL(c.req.url).pathname)),
    {
      status: error.status,
      headers,
    },
  );
}

function toAppError(thrown: unknown): AppError {
  if (thrown instanceof AppError) return thrown;
  if (isDatabaseUnavailable(thrown)) return databaseUnavailable(thrown);
  if (thrown instanceof HTTPException) {
    if (thrown.status === 400)
      return new AppError("MALFORMED_JSON", thrown.message || "Malformed request body");
    if (thrown.status === 404) return new AppError("NOT_FOUND", thrown.message || "Not found");
    if (thrown.status === 415) return new AppError("UNSUPPORTED_MEDIA_TYPE", thrown.message);
  }
  return new AppError("INTERNAL", "An unexpected error occurred.", {}, { cause: thrown });
}
