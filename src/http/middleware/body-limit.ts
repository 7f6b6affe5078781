import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { AppError } from "../../errors.ts";

/**
 * 413 for a body over `maxBytes`: at once from a Content-Length, else as soon as the bytes read
 * pass it (Hono's bodyLimit reads a chunked body into a buffer of at most `maxBytes`).
 */
export function limitBody({ maxBytes }: { maxBytes: number }): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new AppError(
        "PAYLOAD_TOO_LARGE",
        `The request body is larger than ${maxBytes} bytes, the most this API accepts.`,
      );
    },
  });
}
