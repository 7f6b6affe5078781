import { closeSync, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpuSecondsOf, exited, memoryOf, spawnScript, type ProcessMemory } from "./child.ts";

/**
 * The node flags `npm start` and `npm run serve` give the server (package.json; a unit test keeps
 * the two in step), so the bench measures the server users run. A young generation of 128 MiB
 * semi-spaces: under 16 concurrent requests each request's objects outlive the default 16 MiB
 * ones' scavenges, were promoted, and filled the old generation with garbage (old space grew to
 * four times its live objects under load). Measured: README, Performance.
 */
export const SERVER_NODE_FLAGS = ["--max-semi-space-size=128"] as const;

/** How long a server may take to open its store and answer /healthz (a 1M-chunk store is slow). */
const READY_TIMEOUT_MS = 30 * 60_000;
const POLL_MS = 250;
const STOP_TIMEOUT_MS = 120_000;

export type ServerProcess = {
  url: string;
  pid: number;
  /** From spawn until /healthz answered 200: module loading, createDeps, the indexes. */
  ready_ms: number;
  memory(): ProcessMemory | null;
  /** CPU seconds the server has used so far, every thread (null where /proc is missing). */
  cpuSeconds(): number | null;
  /** SIGTERM (the server's clean shutdown: last checkpoint, store closed), SIGKILL if it hangs. */
  stop(): Promise<void>;
};

/**
 * The real server (`src/main.ts`, as `npm run serve` starts it) in its own process on a free
 * loopback port, over the store that `env` names (VERITY_DATA_DIR, and DATABASE_URL or none).
 * Its log goes to `logFile`.
 */
export async function startServer(options: {
  env: Record<string, string | undefined>;
  logFile: string;
  heapMib?: number;
}): Promise<ServerProcess> {
  const port = await freePort();
  const fd = openSync(options.logFile, "a");
  const started = performance.now();
  const child = spawnScript("src/main.ts", [], {
    env: { HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "info", ...options.env },
    logFd: fd,
    heapMib: options.heapMib,
    nodeFlags: SERVER_NODE_FLAGS,
  });
  closeSync(fd);
  const gone = exited(child);
  const url = `http://127.0.0.1:${port}`;
  let exitCode: number | null | undefined;
  void gone.then((code) => (exitCode = code));
  const stop = async () => {
    if (exitCode !== undefined) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    await gone;
    clearTimeout(timer);
  };
  try {
    while (!(await healthy(url))) {
      if (exitCode !== undefined)
        throw new Error(`the server exited (${exitCode}) before it was ready`);
      if (performance.now() - started > READY_TIMEOUT_MS)
        throw new Error("the server never became ready");
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } catch (error) {
    await stop();
    const tail = readFileSync(options.logFile, "utf8").split("\n").slice(-20).join("\n");
    throw new Error(`${(error as Error).message}; its log (${options.logFile}) ends:\n${tail}`);
  }
  return {
    url,
    pid: child.pid!,
    ready_ms: Math.round(performance.now() - started),
    memory: () => memoryOf(child.pid!),
    cpuSeconds: () => cpuSecondsOf(child.pid!),
    stop,
  };
}

async function healthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/** A port nothing listens on now (the OS picks it; the server binds it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}
