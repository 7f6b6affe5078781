import type { MiddlewareHandler } from "hono";
import { newId } from "../../ids.ts";
import type { AppEnv } from "../types.ts";

/**
 * What a client-supplied request id may be: 1 to 64 ASCII letters, digits and `. _ : -`. That
 * takes the ids clients and proxies send (a UUID is 36 characters, a ULID 26, a W3C traceparent
 * 55, Verity's own `req_…` 28) and nothing that could break where the id is copied to: no
 * whitespace or CR/LF (log and header injection), no quotes, `,` or `;` (header lists, CSV), no
 * `%`, `/` or `=` (encodings and paths), no non-ASCII (look-alike characters). Short, so a log
 * line or a ledger record cannot be padded with it.
 */
export const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Whether a client's `X-Request-Id` is used as it is, rather than replaced by Verity's own. */
export function isAcceptableRequestId(value: string | undefined): value is string {
  return value !== undefined && ACCEPTED_REQUEST_ID.test(value);
}

/**
 * Sets `requestId` for the rest of the request (problem bodies, logs, the ledger) and echoes it
 * in the response's `X-Request-Id`: the client's, when it is a short token of safe characters,
 * else a new `req_…` id, so whoever reads a log line sees one id per request, never a forged one.
 */
export function requestId({
  headerName = "X-Request-Id",
  generate = () => newId("req"),
}: { headerName?: string; generate?: () => string } = {}): MiddlewareHandler<AppEnv> {
  return async function requestId(c, next) {
    const offered = c.req.header(headerName);
    const id = isAcceptableRequestId(offered) ? offered : generate();
    c.set("requestId", id);
    await next();
    // After the response exists: one built as a plain Response (problem+json) has it too.
    c.header(headerName, id);
  };
}
