import { readFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { openDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import {
  countCurrentChunks,
  findViolations,
  readChunkModel,
  readRuns,
  type CorpusFingerprint,
} from "./corpus-invariants.ts";
import { delay, startIngestProcess, waitFor } from "./ingest-process.ts";

/** A store as the CLI is pointed at it: the environment of `npm run ingest`. */
export type FaultStore = {
  kind: "pglite" | "postgres";
  dataDir: string;
  manifestPath: string;
  databaseUrl?: string;
};

export const STAGES = ["model load", "embedding", "persisting"] as const;
export type Stage = (typeof STAGES)[number];

/** Where a kill actually landed, read from the store afterwards (the aim is only an aim). */
export type Landed =
  | "model load"
  | "before the run started"
  | "loading"
  | "embedding"
  | "persisting"
  | "finishing"
  | "after it finished";

/** Rough durations of a run, to spread kills over a stage; refined from observed runs. */
export type Estimates = { readyMs: number; firstFileMs: number };

const envOf = (store: FaultStore): Record<string, string> => ({
  VERITY_DATA_DIR: store.dataDir,
  VERITY_MANIFEST: store.manifestPath,
  DATABASE_URL: store.databaseUrl ?? "",
  LOG_LEVEL: "info",
});

export function openStore(store: FaultStore): Promise<DatabaseHandle> {
  return openDatabase(
    store.databaseUrl
      ? { url: store.databaseUrl }
      : { dataDir: join(store.dataDir, "pglite"), role: "fault-lab" },
  );
}

/**
 * Start `npm run ingest` and SIGKILL it in `stage`, `at` (0..1) of the way through it: a delay
 * into model loading, a delay after the model is loaded (until the first file is written), or
 * once that share of the files is done.
 */
export async function killIngest(
  store: FaultStore,
  stage: Stage,
  at: number,
  est: Estimates,
  /** The `source:path` of files this run changes: the bar names one once it is written. */
  changed?: string[],
) {
  const started = Date.now();
  const run = startIngestProcess(["--by", "fault-lab"], envOf(store));
  const pid = await run.pid;
  let readyAt: number | null = null;
  void run.ready.then(() => (readyAt = Date.now()));
  let threadsAtReady = 0;
  void run.ready.then(async () => (threadsAtReady = await run.threads()));
  if (stage === "model load") {
    await delay(at * est.readyMs, run.exited);
  } else if (stage === "embedding") {
    await Promise.race([run.ready, run.exited]);
    // Until the first written file: unchanged ones are counted as they are read, before it.
    const firstWritten = changed
      ? () => changed.some((path) => run.output().includes(`| ${path}`))
      : () => run.filesDone() > 0;
    const until = waitFor(firstWritten, run.exited, 600_000);
    await delay(at * est.firstFileMs, until);
  } else if (changed) {
    // The bar is redrawn ten times a second and names the last file of each redraw, so count
    // from the first redraw naming a written one; files done after it are mostly writes too.
    // Aim short of the last file, so the kill leaves part of the run's writes undone.
    const target = Math.max(1, Math.min(changed.length - 1, Math.round(at * changed.length)));
    const written = () => changed.some((path) => run.output().includes(`| ${path}`));
    await waitFor(written, run.exited, 600_000);
    const first = run.filesDone();
    await waitFor(() => run.filesDone() >= first + target - 1, run.exited, 600_000);
  } else {
    await waitFor(() => run.filesDone() > 0, run.exited, 600_000);
    const total = Number(/\] \d+\/(\d+) files/.exec(run.output())?.[1] ?? 1);
    const target = Math.max(1, Math.round(at * total));
    await waitFor(() => run.filesDone() >= target, run.exited, 600_000);
  }
  const threadsAtKill = await run.threads();
  await run.kill();
  return {
    pid,
    ready: readyAt !== null,
    readyMs: readyAt === null ? null : readyAt - started,
    workersStarted: threadsAtReady > 0 && threadsAtKill > threadsAtReady,
    filesDone: run.filesDone(),
    output: run.output(),
  };
}
export type Kill = Awaited<ReturnType<typeof killIngest>>;

/** Run `npm run ingest` to the end; what its summary says the index holds. */
export async function rerunIngest(store: FaultStore) {
  const started = Date.now();
  const run = startIngestProcess(["--by", "fault-lab"], envOf(store));
  let readyAt = 0;
  void run.ready.then(() => (readyAt = Date.now()));
  const code = await run.exited;
  const output = run.output();
  const indexed = /index (?:rebuilt|unchanged) \((\d+) chunks/.exec(output);
  return {
    code,
    output,
    indexedChunks: indexed ? Number(indexed[1]) : null,
    readyMs: readyAt ? readyAt - started : null,
    runId: /Ingest run (run_[\w-]+)/.exec(output)?.[1] ?? null,
  };
}
export type Rerun = Awaited<ReturnType<typeof rerunIngest>>;

/**
 * After the kills and a complete rerun: where each kill landed, and every violated promise
 * (empty when the store is as a clean ingest would have left it, its runs settled and its
 * vector index holding every current chunk).
 */
export async function checkAfterRerun(
  store: FaultStore,
  kills: Kill[],
  rerun: Rerun,
  options: { expected: CorpusFingerprint; dimension: number },
): Promise<{ landed: Landed[]; violations: string[] }> {
  const violations: string[] = [];
  if (rerun.code !== 0)
    violations.push(`rerun exited ${rerun.code}:\n${rerun.output.slice(-2000)}`);
  const handle = await openStore(store);
  try {
    const runs = await readRuns(handle.db);
    const rerunRow = runs.find((r) => r.id === rerun.runId);
    const landed = kills.map((kill): Landed => {
      const row = runs.find((r) => r.process === `${kill.pid}@${hostname()}`);
      if (!row) return kill.ready ? "before the run started" : "model load";
      if (row.status === "finished") return "after it finished";
      if (row.status !== "aborted")
        violations.push(`killed run ${row.id} is ${row.status}, not aborted`);
      if (row.versions > 0) return rerunRow?.versions === 0 ? "finishing" : "persisting";
      return kill.workersStarted ? "embedding" : "loading";
    });
    violations.push(...(await findViolations(handle.db, options)));
    const current = await countCurrentChunks(handle.db);
    if (rerun.indexedChunks !== current)
      violations.push(`rerun's index holds ${rerun.indexedChunks} chunks, the store ${current}`);
    const manifest = JSON.parse(
      await readFile(join(store.dataDir, "index", "manifest.json"), "utf8").catch(() => "{}"),
    ) as { count?: number; model?: string };
    const model = await readChunkModel(handle.db);
    if (manifest.count !== current || manifest.model !== model)
      violations.push(
        `saved index holds ${manifest.count} chunks of ${manifest.model}, the store ${current}`,
      );
    return { landed, violations };
  } finally {
    await handle.close();
  }
}
