import { expectPasswordAnswer, startServer, type RunningServer } from "../support/server.ts";
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SAMPLE_SOURCES } from "../support/harness.ts";
import { ROOT, runTsx } from "../support/run-tsx.ts";

/**
 * A user's story on the embedded store: `npm start` owns it, so `npm run ingest` goes through
 * the server with --server, and a plain `npm run ingest` is turned away at once, naming the
 * owner. One server process for the whole file: each one loads the sentence model.
 */
describe("npm run ingest -- --server", () => {
  let dir: string;
  let env: Record<string, string>;
  let server: RunningServer;
  let url: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "verity-remote-"));
    await cp(SAMPLE_SOURCES, join(dir, "sources"), { recursive: true });
    env = { VERITY_DATA_DIR: join(dir, "data"), DATABASE_URL: "", LOG_LEVEL: "info" };
    server = await startServer(env);
    url = server.url;
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  // Run from another folder: the relative manifest path is the client's, sent made absolute.
  const ingest = (args: string[]) =>
    runTsx([join(ROOT, "ingest/cli.ts"), ...args], { ...env, VERITY_MANIFEST: "" }, 60_000, dir);

  it("ingests through the server, prints the local summary, exits 2 when a file failed", async () => {
    await writeFile(
      join(dir, "sources", "community", "broken.md"),
      Buffer.from([0xff, 0xfe, 0x00]),
    );
    const run = await ingest([
      "--server",
      url,
      "--manifest",
      "sources/sources.json",
      "--by",
      "carol",
    ]);
    expect(run.stdout).toMatch(/^Ingest run run_\S+: 11 files seen — 10 added, .* 1 failed\.$/m);
    expect(run.stdout).toMatch(/^Chunks: \d+ written, \d+ embedded/m);
    expect(run.stdout).toMatch(/index rebuilt \(\d+ chunks/);
    expect(run.stdout).toContain("FAILED community-tips:community/broken.md");
    expect(run.code).toBe(2);

    // The server answers from what it ingested, without a restart.
    await expectPasswordAnswer(url);
  });

  it("turns a direct ingest away at once, naming the server to go through", async () => {
    const started = Date.now();
    const direct = await ingest(["--manifest", "sources/sources.json"]);
    expect(direct.code).toBe(1);
    expect(direct.stderr).toContain("in use by a Verity server");
    expect(direct.stderr).toContain(`npm run ingest -- --server ${url}`);
    expect(Date.now() - started).toBeLessThan(20_000); // no model loaded, no waiting
  });

  it("removes a source through the server, and prints the server's problem when refused", async () => {
    const removal = await ingest(["--server", url, "--remove-source", "community-tips"]);
    expect(removal.stdout).toMatch(
      /^Removal run run_\S+: source community-tips removed, 1 documents/m,
    );
    expect(removal.code).toBe(0);

    const refused = await ingest(["--server", url, "--manifest", "no/such/manifest.json"]);
    if (refused.stderr.includes("Cannot reach")) console.error(server.output());
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("The server answered 400");
    expect(refused.stderr).toContain(`Cannot read manifest ${join(dir, "no/such/manifest.json")}`);
  });
});
