import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, runTsx } from "../support/run-tsx.ts";
import { createTinyCrossEncoder } from "../support/tiny-cross-encoder.ts";

/**
 * `npm run models`: what a user sees listing the suggested cross-encoders and fetching one. The
 * hub is a loopback server holding the tiny test model, or a port nothing listens on (offline).
 */
const CLI = "lab/models/cli.ts";
const NAME = "owner/tiny-ranker";

let model: Awaited<ReturnType<typeof createTinyCrossEncoder>>;
let hub: Server;
let hubUrl: string;
let closedUrl: string;
let dir: string;

const listen = (server: Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    }),
  );

beforeAll(async () => {
  model = await createTinyCrossEncoder({ labels: ["LABEL_0"], weights: {}, bias: [0] });
  dir = await mkdtemp(join(tmpdir(), "verity-models-"));
  const prefix = `/${NAME}/resolve/main/`;
  hub = createServer((req, res) => {
    const file = req.url?.startsWith(prefix) ? req.url.slice(prefix.length) : null;
    try {
      if (!file || file.includes("..")) throw new Error("not served");
      res.end(readFileSync(join(model.dir, file)));
    } catch {
      res.writeHead(404, "Not Found").end();
    }
  });
  hubUrl = await listen(hub);
  // A port that was just free: connecting to it is refused, like a hub out of reach.
  const closed = createServer();
  closedUrl = await listen(closed);
  await new Promise((resolve) => closed.close(resolve));
});

afterAll(async () => {
  await new Promise((resolve) => hub?.close(resolve));
  await rm(dir, { recursive: true, force: true });
  await model?.remove();
});

describe("npm run models", () => {
  it("is the script package.json names", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(pkg.scripts.models).toBe(`tsx ${CLI}`);
  });

  it("lists the suggested cross-encoders with their licences", async () => {
    const run = await runTsx([CLI, "list"]);
    expect(run.code).toBe(0);
    for (const name of [
      "cross-encoder/ms-marco-MiniLM-L6-v2",
      "cross-encoder/nli-deberta-v3-xsmall",
    ])
      expect(run.stdout).toMatch(new RegExp(`${name}\\s+Apache-2\\.0`));
  });

  it("fails offline with one line and a non-zero exit, leaving nothing behind", async () => {
    const run = await runTsx([CLI, "fetch", NAME, "--dir", dir, "--endpoint", closedUrl]);
    expect(run.code).toBe(1);
    const host = new URL(closedUrl).host;
    expect(run.stderr.trim().split("\n").at(-1)).toBe(
      `models: could not fetch ${NAME}: cannot reach ${host} (ECONNREFUSED)`,
    );
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(await readdir(dir)).toEqual([]);
  });

  it("names the file the hub does not have", async () => {
    const run = await runTsx([CLI, "fetch", "owner/absent", "--dir", dir, "--endpoint", hubUrl]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `models: could not fetch owner/absent: ${hubUrl}/owner/absent/resolve/main/config.json answered HTTP 404 Not Found`,
    );
    expect(await readdir(join(dir, "owner")).catch(() => [])).toEqual([]);
  });

  it("fetches a model into a directory VERITY_VERIFIER_MODEL can name", async () => {
    const run = await runTsx([CLI, "fetch", NAME, "--dir", dir, "--endpoint", hubUrl]);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.code).toBe(0);
    const target = join(dir, NAME);
    const onnx = await readFile(join(target, "onnx", "model.onnx"));
    expect(onnx.equals(await readFile(join(model.dir, "onnx", "model.onnx")))).toBe(true);
    const digest = createHash("sha256").update(onnx).digest("hex").slice(0, 12);
    expect(run.stdout.trim()).toBe(
      `cross-encoder:tiny-ranker@${digest} is ready: VERITY_VERIFIER_MODEL=${target}`,
    );
  });
});
