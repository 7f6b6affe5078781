import { spawn } from "node:child_process";
import { ROOT, SERVER_COMMAND } from "./run-tsx.ts";

export type RunningServer = {
  url: string;
  /** Everything the server printed so far (pino lines on stdout, errors on stderr). */
  output(): string;
  /** SIGTERM, then the exit code (0 is a clean shutdown). */
  stop(): Promise<number | null>;
};

/** Start the real server (`src/main.ts`) as a user does and wait for its "listening" line. */
export async function startServer(env: Record<string, string>): Promise<RunningServer> {
  const child = spawn(SERVER_COMMAND[0], SERVER_COMMAND[1], {
    cwd: ROOT,
    env: { ...process.env, PORT: "0", ...env },
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 90_000);
      child.stdout.on("data", () => {
        const m = /"url":"(http:\/\/[^"]+)"/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      void exited.then((code) => reject(new Error(`server exited (${code}):\n${output}`)));
    });
    return {
      url,
      output: () => output,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
        return exited;
      },
    };
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
}

/** Ask the sample corpus's password question over HTTP and expect its answer. */
export async function expectPasswordAnswer(url: string): Promise<void> {
  const res = await fetch(`${url}/v1/answers`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ question: "How long does a password reset link stay valid?" }),
  });
  const answer = (await res.json()) as { status: string; answer: string };
  if (answer.status !== "answered" || !answer.answer.includes("30 minutes"))
    throw new Error(`expected the 30-minute answer, got ${JSON.stringify(answer)}`);
}
