import type { ServerOptions } from "node:http";
import type { MiddlewareHandler } from "hono";
import { AppError } from "../../errors.ts";

/**
 * A request whose body has not all arrived `ms` after the request reached the app fails with 408:
 * its body stream errors, so whatever awaits it (body limit, JSON parsing) stops waiting. Without
 * this, a client declaring more bytes than it sends holds a request open until Node's own
 * requestTimeout. The rest of such a body is @hono/node-server's: after the response it reads and
 * drops it for up to 500 ms, then closes the connection (closing at once would reset it while the
 * client still sends, and the client could lose the response).
 */
export function bodyTimeout({ ms }: { ms: number }): MiddlewareHandler {
  return async function bodyTimeout(c, next) {
    const body = c.req.raw.body;
    if (!body) return next();
    const source = body.getReader();
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        timer = setTimeout(() => {
          timedOut = true;
          controller.error(
            new AppError(
              "REQUEST_TIMEOUT",
              `The request body did not arrive in full within ${ms} ms.`,
            ),
          );
        }, ms);
      },
      async pull(controller) {
        const chunk = await source.read();
        if (timedOut) return;
        if (chunk.done) {
          clearTimeout(timer);
          controller.close();
        } else controller.enqueue(chunk.value);
      },
      cancel(reason) {
        clearTimeout(timer);
        return source.cancel(reason);
      },
    });
    c.req.raw = new Request(c.req.raw, { body: stream, duplex: "half" } as RequestInit);
    try {
      await next();
    } finally {
      clearTimeout(timer);
    }
  };
}

/** How long a client has to send its request line and headers (Node's default is 60 s). */
export const HEADERS_TIMEOUT_MS = 10_000;

/**
 * Node's own limits, behind the app's: a client gets `headersMs` to send its headers and, with
 * its body, `headersMs + bodyMs` for the whole request, after which Node answers 408 and closes
 * the connection. Node checks them every `connectionsCheckingInterval` (30 s by default, which
 * would let a stalled request live that much longer).
 */
export function nodeServerTimeouts({
  bodyMs,
  headersMs = HEADERS_TIMEOUT_MS,
}: {
  bodyMs: number;
  headersMs?: number;
}): Pick<ServerOptions, "headersTimeout" | "requestTimeout" | "connectionsCheckingInterval"> {
  return {
    headersTimeout: headersMs,
    requestTimeout: headersMs + bodyMs,
    connectionsCheckingInterval: 1_000,
  };
}
