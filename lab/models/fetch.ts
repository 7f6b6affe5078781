import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream } from "node:stream/web";
import { MODEL_FILES } from "../../src/scoring/cross-encoder.ts";

export const HUB = "https://huggingface.co";

/** A hub repository name: `owner/model`, nothing that could climb out of the target folder. */
const REPO_NAME = /^[\w.-]+\/[\w.-]+$/;

export class FetchError extends Error {
  override name = "FetchError";
}

export type FetchOptions = {
  /** The hub repository, e.g. `cross-encoder/ms-marco-MiniLM-L6-v2`. */
  name: string;
  /** The folder models are kept in; the model lands in `<dir>/<owner>/<model>`. */
  dir: string;
  /** The hub's address (a mirror's, or an unreachable one in tests). */
  endpoint?: string;
  revision?: string;
  log?: (message: string) => void;
};

/** Why a request failed, in one line: fetch's own message ("fetch failed") says nothing. */
function describeNetworkError(error: unknown, url: string): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message ?? (error as Error).message;
  return `cannot reach ${new URL(url).host} (${reason})`;
}

async function download(url: string, path: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { redirect: "follow" });
  } catch (error) {
    throw new FetchError(describeNetworkError(error, url));
  }
  if (!response.ok || !response.body)
    throw new FetchError(`${url} answered HTTP ${response.status} ${response.statusText}`.trim());
  await mkdir(dirname(path), { recursive: true });
  try {
    await pipeline(
      Readable.fromWeb(response.body as ReadableStream<Uint8Array>),
      createWriteStream(path),
    );
  } catch (error) {
    throw new FetchError(`download of ${url} broke off: ${describeNetworkError(error, url)}`);
  }
}

/**
 * Download a model's files from the hub into a staging folder beside the target, and move it
 * into place only once every file arrived: a broken download never leaves a directory that
 * VERITY_VERIFIER_MODEL could name. Returns the model directory.
 */
export async function fetchModel(options: FetchOptions): Promise<string> {
  const { name, endpoint = HUB, revision = "main", log = () => {} } = options;
  if (!REPO_NAME.test(name) || name.includes(".."))
    throw new FetchError(`"${name}" is not a hub model name (owner/model)`);
  const target = resolve(options.dir, name);
  const staging = `${target}.partial-${process.pid}`;
  try {
    for (const file of MODEL_FILES) {
      const url = `${endpoint.replace(/\/+$/, "")}/${name}/resolve/${revision}/${file}`;
      log(`fetching ${name} ${file}`);
      await download(url, join(staging, file));
    }
    await rm(target, { recursive: true, force: true });
    await rename(staging, target);
    return target;
  } catch (error) {
    if (error instanceof FetchError)
      throw new FetchError(`could not fetch ${name}: ${error.message}`, { cause: error });
    throw error;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
