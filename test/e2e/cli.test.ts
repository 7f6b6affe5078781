import { spawn } from "node:child_process";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SAMPLE_SOURCES } from "../support/harness.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const TSX = join(ROOT, "node_modules", ".bin", "tsx");

type Run = { code: number | null; stdout: string; stderr: string };

function run(args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, args, { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${args.join(" ")} did not exit within ${timeoutMs} ms (an unclosed PGlite?)\n${stderr}`));
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** What a user does: `npm run ingest`, then `npm start`, on the embedded store, as processes. */
describe("command line", () => {
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "verity-cli-"));
    await cp(SAMPLE_SOURCES, join(dir, "sources"), { recursive: true });
    env = { VERITY_DATA_DIR: join(dir, "data"), VERITY_MANIFEST: join(dir, "sources", "sources.json"), DATABASE_URL: "" };
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it("ingests, then skips with --if-empty, and exits by itself each time", async () => {
    const first = await run(["ingest/cli.ts"], env);
    expect(first.stderr).not.toContain("Error");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/10 files seen — 10 added/);
    const again = await run(["ingest/cli.ts", "--if-empty"], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("skipping ingestion");
    const unchanged = await run(["ingest/cli.ts"], env);
    expect(unchanged.stdout).toMatch(/10 unchanged/);
    expect(unchanged.stdout).toMatch(/0 embedded/);
  });

  it("serves answers, then shuts down cleanly on SIGTERM", async () => {
    const child = spawn(TSX, ["src/main.ts"], { cwd: ROOT, env: { ...process.env, ...env, PORT: "0" } });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
      child.stdout.on("data", () => {
        const m = /"url":"(http:\/\/[^"]+)"/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    const res = await fetch(`${url}/v1/answers`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ question: "How long does a password reset link stay valid?" }),
    });
    const answer = (await res.json()) as { status: string; answer: string };
    expect(answer.status).toBe("answered");
    expect(answer.answer).toContain("30 minutes");
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("stops at start-up on a bad setting, naming the variable", async () => {
    const bad = await run(["src/main.ts"], { ...env, PORT: "not-a-port" });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("PORT");
  });
});
