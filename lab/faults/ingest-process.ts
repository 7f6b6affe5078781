import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** What an `npm run ingest` process showed so far, as a user at a terminal sees it. */
export type IngestProcess = {
  /** The pid of the node process doing the work (the one `ingest_runs.process` names). */
  pid: Promise<number>;
  /** Resolves once the model is loaded (the "vector index ready" log line). */
  ready: Promise<void>;
  /** Files done according to the progress bar (0 until it is drawn). */
  filesDone(): number;
  output(): string;
  /** Threads of the process now (worker threads start when embedding starts). */
  threads(): Promise<number>;
  kill(): Promise<void>;
  exited: Promise<number | null>;
};

/**
 * Run `ingest/cli.ts` under a pseudo-terminal (util-linux `script`), so its progress bar is drawn
 * and says how far it is, whichever store it writes. Node runs the entry with tsx as a loader
 * (`node --import tsx`), so the pid `script` starts is the ingestion itself: SIGKILL reaches the
 * process that holds the store, not a wrapper that would leave it running.
 */
export function startIngestProcess(args: string[], env: Record<string, string>): IngestProcess {
  const command = ["exec", "node", "--import", "tsx", "ingest/cli.ts", ...args]
    .map((a) => (/^[\w./=:@-]+$/.test(a) ? a : `'${a.replaceAll("'", `'\\''`)}'`))
    .join(" ");
  const child = spawn("script", ["-qfec", command, "/dev/null"], {
    cwd: ROOT,
    env: { ...process.env, ...env, SHELL: "/bin/sh", COLUMNS: "200" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on("data", (d: Buffer) => {
    output += d.toString("utf8");
    if (output.includes('"msg":"vector index ready"')) markReady();
  });
  child.stderr.on("data", (d: Buffer) => (output += d.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));

  const pid = (async () => {
    // `script` forks the command as its one child; the shell execs node in its place.
    for (let i = 0; i < 500; i++) {
      const children = childrenOf(child.pid!);
      if (children.length > 0) return children[0]!;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no ingest process under script (${child.pid}):\n${output}`);
  })();

  return {
    pid,
    ready,
    filesDone() {
      const bars = [...output.matchAll(/\] (\d+)\/(\d+) files/g)];
      return bars.length ? Number(bars.at(-1)![1]) : 0;
    },
    output: () => output,
    async threads() {
      try {
        const status = readFileSync(`/proc/${await pid}/status`, "utf8");
        return Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      } catch {
        return 0;
      }
    },
    async kill() {
      try {
        process.kill(await pid, "SIGKILL");
      } catch (error) {
        // It finished before the kill: the caller finds the run finished.
        if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
      }
      await exited;
    },
    exited,
  };
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** Resolve after `ms`, or when `until` resolves first. */
export function delay(ms: number, until?: Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void until?.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Poll `condition` every 20 ms; false if the process exited or `timeoutMs` passed first. */
export async function waitFor(
  condition: () => boolean,
  exited: Promise<unknown>,
  timeoutMs: number,
): Promise<boolean> {
  let done = false;
  void exited.then(() => (done = true));
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (done || Date.now() > deadline) return condition();
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}
