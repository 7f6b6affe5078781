import { isUtf8 } from "node:buffer";
import type { MiddlewareHandler } from "hono";
import { AppError } from "../../errors.ts";
import { isRouted } from "./method-not-allowed.ts";

/** Methods whose requests carry a body the routes read. */
const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

export const ACCEPTED_CONTENT_TYPE = "application/json, with no charset or charset=utf-8";

/**
 * `application/json`, alone or with `charset=utf-8` (any case, the value quoted or not), written
 * as the routes' own media-type check reads it (no blank before the `;`). JSON has no other
 * encoding (RFC 8259), yet a client naming one expects it decoded: refuse it rather than read
 * UTF-16 or Latin-1 bytes as UTF-8.
 */
export function isUtf8JsonType(header: string): boolean {
  return /^application\/json(;[ \t]*charset=("?)utf-8\2)?$/i.test(header.trim());
}

const startsWithBom = (bytes: Uint8Array) =>
  bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;

/**
 * Routed requests with a body are UTF-8 JSON text: 415 for any other Content-Type (or for a
 * body without one), 400 INVALID_BODY for bytes that are not UTF-8 or that start with a byte
 * order mark, which `Request.json()` would otherwise decode leniently (replacement characters,
 * a BOM dropped). The bytes read here are cached for the route's own JSON parsing.
 */
export function jsonOnly(): MiddlewareHandler {
  return async function jsonOnly(c, next) {
    if (!BODY_METHODS.has(c.req.method) || !isRouted(c)) return next();
    const type = c.req.header("content-type");
    if (type !== undefined && !isUtf8JsonType(type)) throw unsupported(`Content-Type ${type}`);
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (type === undefined) {
      if (bytes.length > 0) throw unsupported("A body without a Content-Type");
      return next();
    }
    if (startsWithBom(bytes))
      throw new AppError(
        "INVALID_BODY",
        "The body starts with a byte order mark: send JSON without one.",
      );
    if (!isUtf8(bytes)) throw new AppError("INVALID_BODY", "The body is not valid UTF-8.");
    return next();
  };
}

function unsupported(what: string): AppError {
  const shown = what.length > 200 ? `${what.slice(0, 200)}…` : what;
  return new AppError(
    "UNSUPPORTED_MEDIA_TYPE",
    `${shown} is not accepted: send ${ACCEPTED_CONTENT_TYPE}.`,
  );
}
