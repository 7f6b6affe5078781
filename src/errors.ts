/** Every failure a caller can see, by code; the map below decides its HTTP status. */
export const ErrorCode = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  INVALID_BODY: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  INGEST_RUNNING: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  DATABASE_UNAVAILABLE: 503,
  NOT_READY: 503,
  INTERNAL: 500,
} as const satisfies Record<string, number>;
export type ErrorCode = keyof typeof ErrorCode;

const TITLES: Record<ErrorCode, string> = {
  VALIDATION_FAILED: "Request validation failed",
  MALFORMED_JSON: "Malformed JSON body",
  INVALID_BODY: "Body is not UTF-8 JSON text",
  UNAUTHENTICATED: "Authentication required",
  FORBIDDEN: "Forbidden",
  NOT_FOUND: "Not found",
  METHOD_NOT_ALLOWED: "Method not allowed",
  REQUEST_TIMEOUT: "Request body too slow",
  INGEST_RUNNING: "An ingest run is already going",
  PAYLOAD_TOO_LARGE: "Request body too large",
  UNSUPPORTED_MEDIA_TYPE: "Unsupported media type",
  RATE_LIMITED: "Too many requests",
  DATABASE_UNAVAILABLE: "Database unavailable",
  NOT_READY: "Not ready",
  INTERNAL: "Internal server error",
};

export type InvalidField = { path: string; message: string };

/** The one error type of the application: it knows its status and its problem document. */
export class AppError extends Error {
  override name = "AppError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: {
      invalidFields?: InvalidField[];
      retryAfterSeconds?: number;
      /** The `WWW-Authenticate` challenge of a 401 or 403. */
      wwwAuthenticate?: string;
    } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get status(): number {
    return ErrorCode[this.code];
  }

  get title(): string {
    return TITLES[this.code];
  }
}

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** Seconds a client should wait before retrying when the database is away. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** The 503 for a database that cannot be reached (or cannot answer), with its Retry-After. */
export function databaseUnavailable(
  cause: unknown,
  message = "The database cannot be reached; retry shortly.",
): AppError {
  return new AppError(
    "DATABASE_UNAVAILABLE",
    message,
    { retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS },
    { cause },
  );
}

/** RFC 9457 problem document for an error. */
export function toProblem(error: AppError, requestId: string | undefined, instance?: string) {
  return {
    type: `https://verity.dev/problems/${error.code.toLowerCase().replaceAll("_", "-")}`,
    title: error.title,
    status: error.status,
    detail: error.message,
    code: error.code,
    requestId,
    ...(instance ? { instance } : {}),
    ...(error.extra.invalidFields ? { invalidFields: error.extra.invalidFields } : {}),
  };
}

/** Errors that mean "the database cannot be reached", as opposed to a bad query. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (
    let e: unknown = error, depth = 0;
    e && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") {
      if (
        [
          "ECONNREFUSED",
          "ECONNRESET",
          "ETIMEDOUT",
          "ENOTFOUND",
          "EPIPE",
          "CONNECT_TIMEOUT",
          "CONNECTION_CLOSED",
          "CONNECTION_ENDED",
          "CONNECTION_DESTROYED",
        ].includes(code)
      )
        return true;
      // Postgres classes 08 (connection exception), 57P0x (server shutting down / cannot connect
      // now) and 3D000 (the database does not exist: dropped or renamed under a running server).
      if (/^08/.test(code) || /^57P0[1-3]$/.test(code) || code === "3D000") return true;
    }
  }
  return false;
}
