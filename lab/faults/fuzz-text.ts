import { cp, mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { serve } from "@hono/node-server";
import fc from "fast-check";
import { createIngestion } from "../../ingest/service.ts";
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { createDeps } from "../../src/deps.ts";
import { ingestSources } from "../shared/ingest-sources.ts";
import { hostileRequest, judgeResponse, sendHostile } from "./hostile-requests.ts";
import { ROOT } from "./ingest-process.ts";
import { createThrowawayDatabase } from "../shared/throwaway-database.ts";

const USAGE = `Usage: npm run faults:fuzz -- [--requests N] [--seed S] [--store pglite|postgres]
                                  [--concurrency C]

Serve the real app (createDeps, the sentence encoder, the sample corpus ingested) on a fresh
store, send N generated hostile requests over HTTP to every endpoint, and print the statuses
per endpoint. Exits 1 on any 5xx, app 4xx without a problem document, or dropped connection.
`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      requests: { type: "string", default: "3000" },
      seed: { type: "string", default: "20261130" },
      store: { type: "string", default: "pglite" },
      concurrency: { type: "string", default: "8" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const dir = await mkdtemp(join(tmpdir(), "verity-fuzz-"));
  await cp(join(ROOT, "sources"), join(dir, "sources"), { recursive: true });
  const database =
    values.store === "postgres" ? await createThrowawayDatabase("verity_fuzz") : null;
  const config = loadConfig({
    VERITY_DATA_DIR: join(dir, "data"),
    VERITY_MANIFEST: join(dir, "sources", "sources.json"),
    DATABASE_URL: database?.url,
    LOG_LEVEL: "silent",
  });
  const deps = await createDeps(config);
  const ingestion = createIngestion(deps);
  try {
    await ingestSources(deps, config.VERITY_MANIFEST, "fuzz");
    const app = createApp({ ...deps, ingestion });
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      return await fuzz(
        base,
        Number(values.requests),
        Number(values.seed),
        Number(values.concurrency),
        values.store,
      );
    } finally {
      server.close();
    }
  } finally {
    await ingestion.close();
    await deps.close();
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function fuzz(base: string, n: number, seed: number, concurrency: number, store: string) {
  const requests = fc.sample(hostileRequest, { seed, numRuns: n });
  const counts = new Map<string, Map<string, number>>();
  const problems: string[] = [];
  let nodeRefused = 0;
  let next = 0;
  const started = Date.now();
  const worker = async () => {
    while (next < requests.length) {
      const request = requests[next++]!;
      let outcome: string;
      try {
        const res = await sendHostile(request, (path, init) => fetch(`${base}${path}`, init));
        const wrong = await judgeResponse(res);
        outcome = String(res.status);
        // Node's HTTP parser refuses a request line over its 16 KB header limit itself, with a
        // bare 431, before the app sees the request (src/main.ts could answer it as a problem).
        if (res.status === 431 && !res.headers.get("content-type")) nodeRefused++;
        else if (wrong)
          problems.push(`${request.endpoint} ${request.path.slice(0, 120)}: ${wrong}`);
      } catch (error) {
        // A reset connection or a request fetch would not even send: a fault either way.
        outcome = "no response";
        problems.push(`${request.endpoint} ${request.path.slice(0, 120)}: ${String(error)}`);
      }
      const byStatus = counts.get(request.endpoint) ?? new Map<string, number>();
      byStatus.set(outcome, (byStatus.get(outcome) ?? 0) + 1);
      counts.set(request.endpoint, byStatus);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));

  let fiveXx = 0;
  console.log(
    `${store}: ${requests.length} hostile requests in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${seed})`,
  );
  for (const [endpoint, byStatus] of [...counts].sort()) {
    const line = [...byStatus].sort().map(([status, count]) => `${status}: ${count}`);
    console.log(`  ${endpoint.padEnd(26)} ${line.join(", ")}`);
    for (const [status, count] of byStatus) if (status.startsWith("5")) fiveXx += count;
  }
  console.log(
    `  5xx: ${fiveXx}; 431 from Node's HTTP parser (bare, before the app): ${nodeRefused}; ` +
      `other responses breaking the contract (4xx without a problem document, no response): ${problems.length}`,
  );
  for (const p of problems.slice(0, 20)) console.log(`  ${p}`);
  return problems.length > 0 || fiveXx > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
