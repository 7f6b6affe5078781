import { setTimeout as sleep } from "node:timers/promises";
import { IngestRun, type IngestRunRequest } from "../src/ingestion/schema.ts";
import { createProgressReporter, formatRemoval, formatSummary } from "./report.ts";

/** How often the run is asked for while it goes. */
const POLL_MS = 300;
/** Tries per poll: a keep-alive socket closed by the server just as it is reused is no failure. */
const POLL_ATTEMPTS = 3;

/** A failure whose message says all a user needs (the server's problem detail, usually). */
export class ServerRunError extends Error {
  override name = "ServerRunError";
}

/**
 * `npm run ingest -- --server URL`: ask a running Verity to ingest (or remove a source), follow
 * the run with the same progress bar and print the same summary as a local run. The server reads
 * the manifest and its files from its own filesystem, so the path sent is absolute. Resolves to
 * the exit code: 0, or 2 when files failed.
 */
export async function ingestThroughServer(
  server: string,
  request: IngestRunRequest,
  out: { stdout: (line: string) => void; progress: NodeJS.WriteStream },
  /** The API key to send (VERITY_API_KEY); a server without keys on loopback needs none. */
  options: { apiKey?: string } = {},
): Promise<number> {
  let base: URL;
  try {
    base = new URL(server);
  } catch {
    throw new ServerRunError(`--server must be a URL such as http://127.0.0.1:3000, not ${server}`);
  }
  const authorization: Record<string, string> = options.apiKey
    ? { authorization: `Bearer ${options.apiKey}` }
    : {};
  const started = await call(base, new URL("/v1/ingest-runs", base), {
    method: "POST",
    headers: { "content-type": "application/json", ...authorization },
    body: JSON.stringify(request),
  });
  if (started.response.status !== 202) throw refusal(started.response, started.body);
  const location = new URL(started.response.headers.get("location") ?? "", base);

  const progress = createProgressReporter(out.progress);
  let run = IngestRun.parse(started.body);
  try {
    while (run.status === "running") {
      if (run.progress) progress.onProgress(run.progress);
      await sleep(POLL_MS);
      const polled = await poll(base, location, authorization);
      if (polled.response.status !== 200) throw refusal(polled.response, polled.body);
      run = IngestRun.parse(polled.body);
    }
    if (run.progress) progress.onProgress(run.progress);
  } finally {
    progress.stop();
  }

  if (run.status !== "finished" || !run.summary)
    throw new ServerRunError(`Run ${run.id} ${run.status}: ${run.error ?? "no summary recorded"}`);
  if (!("files" in run.summary)) {
    out.stdout(formatRemoval(run.summary));
    return 0;
  }
  out.stdout(formatSummary(run.summary));
  return run.summary.files.failed > 0 ? 2 : 0;
}

async function call(base: URL, url: URL, init?: RequestInit) {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    const cause = (error as { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new ServerRunError(`Cannot reach the Verity server at ${base.origin}: ${cause}`);
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { response, body };
}

async function poll(base: URL, url: URL, headers: Record<string, string>): ReturnType<typeof call> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(base, url, { headers });
    } catch (error) {
      if (attempt >= POLL_ATTEMPTS) throw error;
      await sleep(1_000);
    }
  }
}

/** The server's problem document, as one line a user can act on. */
function refusal(response: Response, body: unknown): ServerRunError {
  const problem = body as { title?: string; detail?: string } | null;
  const detail =
    typeof problem === "object" && problem?.detail ? problem.detail : String(body).slice(0, 500);
  const hint =
    response.status === 401 || response.status === 403
      ? " Set VERITY_API_KEY to a key with the ingest scope (npm run keys -- create)."
      : "";
  return new ServerRunError(
    `The server answered ${response.status}${problem?.title ? ` (${problem.title})` : ""}: ${detail}${hint}`,
  );
}
