import type { MiddlewareHandler } from "hono";
import { AppError } from "../../errors.ts";
import type { AppEnv } from "../types.ts";

/** Requests a key may make per minute unless VERITY_RATE_LIMIT_PER_MINUTE says otherwise. */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 600;

type Bucket = { tokens: number; at: number };

/**
 * A token bucket per API key: `perMinute` requests a
 * minute on average, bursts up to the same number. Over it, 429 with `Retry-After` in whole
 * seconds until one request fits again. Buckets live in this process: behind several servers each
 * enforces its own share. Written here rather than taken from a package because the one Hono rate
 * limiter brings a storage layer this single-process budget does not need.
 */
export function rateLimit({
  perMinute,
  now = Date.now,
}: {
  perMinute: number;
  now?: () => number;
}): MiddlewareHandler<AppEnv> {
  const buckets = new Map<string, Bucket>();
  const perMs = perMinute / 60_000;
  return async function rateLimit(c, next) {
    // The anonymous caller exists only on loopback while no key does: a developer's own machine.
    const key = c.get("caller")?.keyId;
    if (!key) return next();
    const t = now();
    const bucket = buckets.get(key) ?? { tokens: perMinute, at: t };
    bucket.tokens = Math.min(perMinute, bucket.tokens + (t - bucket.at) * perMs);
    bucket.at = t;
    buckets.set(key, bucket);
    if (bucket.tokens < 1) {
      const retryAfterSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
      throw new AppError(
        "RATE_LIMITED",
        `This API key made more than ${perMinute} requests a minute; retry in ${retryAfterSeconds} s.`,
        { retryAfterSeconds },
      );
    }
    bucket.tokens -= 1;
    await next();
  };
}
