import { toVerityApiError, VerityResponseError } from "./errors.ts";
import { ClientAnswer } from "./schema.ts";

/** Long enough for an answer on a loaded server (p99 about a second), short enough for a bot. */
export const DEFAULT_TIMEOUT_MS = 30_000;

export type AskOptions = {
  /** Where Verity serves, e.g. `http://127.0.0.1:3000` (a path prefix is kept). */
  baseUrl: string;
  /** An API key (`vk_…_…`), sent as `Authorization: Bearer`; none for a keyless loopback server. */
  apiKey?: string;
  /** Answer from these sources only (an unknown id is a 400 VALIDATION_FAILED). */
  sourceIds?: string[];
  /** Give up after this many ms: the call rejects with a `TimeoutError` (DOMException). */
  timeout?: number;
  /** Cancels every request made with these options (a shutdown, say): rejects with `AbortError`. */
  signal?: AbortSignal;
  /** A fetch to use instead of the global one (a proxy agent, a test's in-process app). */
  fetch?: typeof globalThis.fetch;
};

/**
 * `POST /v1/answers`: the answer (or refusal) as validated JSON. An error status throws a
 * VerityApiError carrying the problem document; a 200 that is not an answer throws a
 * VerityResponseError.
 */
export async function askVerity(options: AskOptions, question: string): Promise<ClientAnswer> {
  const timeout = AbortSignal.timeout(options.timeout ?? DEFAULT_TIMEOUT_MS);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json, application/problem+json",
  };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  const body = JSON.stringify({
    question,
    ...(options.sourceIds ? { sourceIds: options.sourceIds } : {}),
  });
  const res = await (options.fetch ?? globalThis.fetch)(answersUrl(options.baseUrl), {
    method: "POST",
    headers,
    body,
    signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
  });
  if (!res.ok) throw await toVerityApiError(res);

  const requestId = res.headers.get("x-request-id");
  let json: unknown;
  try {
    json = await res.json();
  } catch (error) {
    throw new VerityResponseError(`Verity sent a 200 that is not JSON`, requestId, {
      cause: error,
    });
  }
  const parsed = ClientAnswer.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`);
    throw new VerityResponseError(
      `Verity sent a 200 that is not an answer (${issues.slice(0, 5).join("; ")})`,
      requestId,
      { cause: parsed.error },
    );
  }
  return parsed.data;
}

function answersUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/v1/answers`;
}
