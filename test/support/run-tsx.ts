import { spawn } from "node:child_process";
import { join } from "node:path";

export const ROOT = new URL("../../", import.meta.url).pathname;
export const TSX = join(ROOT, "node_modules", ".bin", "tsx");

/**
 * The server as one Node process with tsx's loader, for tests that stop it with a signal: through
 * the `tsx` wrapper a SIGTERM is relayed to a child process, and under load the wrapper sometimes
 * ended by the signal itself (exit 143) although the server had shut down cleanly.
 */
export const SERVER_COMMAND: [string, string[]] = [
  process.execPath,
  ["--import", "tsx", "src/main.ts"],
];

export type Run = { code: number | null; stdout: string; stderr: string };

/** Run a TypeScript entry point as a user's command would; a process that does not exit fails. */
export function runTsx(
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 150_000,
  cwd = ROOT,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, args, { cwd, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(
          `${args.join(" ")} did not exit within ${timeoutMs} ms (an unclosed PGlite?)\n${stderr}`,
        ),
      );
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
