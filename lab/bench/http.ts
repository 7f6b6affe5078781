import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import autocannon from "autocannon";
import { createIngestion } from "../../ingest/service.ts";
import { createApp } from "../../src/app.ts";
import { summarise, type LatencySummary } from "../shared/stats.ts";
import type { BenchStore } from "./store.ts";

export type HttpRun = LatencySummary & {
  connections: number;
  duration_s: number;
  errors: number;
  non_2xx: number;
};

/**
 * Serve the real app with @hono/node-server on an ephemeral port of 127.0.0.1 and load it with
 * autocannon at each concurrency. Bodies go round-robin over the questions across all
 * connections (a shared counter in setupRequest), so concurrent requests ask different things.
 */
export async function measureHttp(
  store: BenchStore,
  questions: string[],
  options: { connections: number[]; durationS: number },
): Promise<HttpRun[]> {
  const app = createApp({ ...store.deps, ingestion: createIngestion(store.deps) });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  try {
    const runs: HttpRun[] = [];
    for (const connections of options.connections) {
      runs.push(
        await loadOnce(`http://127.0.0.1:${port}`, questions, connections, options.durationS),
      );
    }
    return runs;
  } finally {
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
  }
}

async function loadOnce(
  url: string,
  questions: string[],
  connections: number,
  durationS: number,
): Promise<HttpRun> {
  let next = 0;
  const latencies: number[] = [];
  let non2xx = 0;
  const started = performance.now();
  const options: autocannon.Options = {
    url,
    connections,
    duration: durationS,
    requests: [
      {
        method: "POST",
        path: "/v1/answers",
        headers: { "content-type": "application/json" },
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({ question: questions[next++ % questions.length] }),
        }),
      },
    ],
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error, done) => (error ? reject(error) : resolve(done)));
    instance.on("response", (_client, statusCode, _bytes, responseTimeMs) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTimeMs);
      else non2xx += 1;
    });
  });
  const elapsedMs = performance.now() - started;
  return {
    ...summarise(latencies, elapsedMs),
    connections,
    duration_s: durationS,
    errors: result.errors + result.timeouts,
    non_2xx: non2xx,
  };
}
