import { ClientProblem } from "./schema.ts";

/**
 * Verity answered with an error status: its problem document (RFC 9457) as fields. `code` is
 * Verity's (UNAUTHENTICATED, FORBIDDEN, VALIDATION_FAILED, RATE_LIMITED, DATABASE_UNAVAILABLE,
 * ...), or `HTTP_<status>` when something in between answered without one (a proxy's 502 page).
 */
export class VerityApiError extends Error {
  override readonly name = "VerityApiError";
  readonly status: number;
  readonly code: string;
  readonly requestId: string | null;
  readonly detail: string | null;
  readonly title: string | null;
  readonly invalidFields: { path: string; message: string }[];
  /** From `Retry-After` (429, 503): seconds to wait before asking again, null when not sent. */
  readonly retryAfterSeconds: number | null;

  constructor(fields: {
    status: number;
    code: string;
    requestId: string | null;
    detail: string | null;
    title: string | null;
    invalidFields?: { path: string; message: string }[];
    retryAfterSeconds: number | null;
  }) {
    super(
      `Verity ${fields.status} ${fields.code}: ${fields.detail ?? fields.title ?? "no detail"}`,
    );
    this.status = fields.status;
    this.code = fields.code;
    this.requestId = fields.requestId;
    this.detail = fields.detail;
    this.title = fields.title;
    this.invalidFields = fields.invalidFields ?? [];
    this.retryAfterSeconds = fields.retryAfterSeconds;
  }
}

/** A 200 whose body is not a Verity answer: a wrong `baseUrl`, or a server of another version. */
export class VerityResponseError extends Error {
  override readonly name = "VerityResponseError";
  constructor(
    message: string,
    readonly requestId: string | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The error for a response that is not OK, read from its problem document when it has one. */
export async function toVerityApiError(res: Response, now = Date.now()): Promise<VerityApiError> {
  const text = await res.text().catch(() => "");
  let problem: ClientProblem | null = null;
  try {
    const parsed = ClientProblem.safeParse(JSON.parse(text));
    if (parsed.success) problem = parsed.data;
  } catch {
    // Not JSON: described by its status alone.
  }
  return new VerityApiError({
    status: res.status,
    code: problem?.code ?? `HTTP_${res.status}`,
    requestId: problem?.requestId ?? res.headers.get("x-request-id"),
    detail: problem?.detail ?? (text.slice(0, 200) || null),
    title: problem?.title ?? (res.statusText || null),
    invalidFields: problem?.invalidFields,
    retryAfterSeconds: parseRetryAfter(res.headers.get("retry-after"), now),
  });
}

/** `Retry-After` is delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === "") return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}
