import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestReference } from "../../lab/faults/corpus-invariants.ts";
import {
  checkAfterRerun,
  killIngest,
  rerunIngest,
  type FaultStore,
} from "../../lab/faults/kill-rerun.ts";
import { createPostgresDatabase, storeKinds } from "../support/postgres.ts";
import { SAMPLE_SOURCES } from "../support/harness.ts";

/** The sentence encoder's vector size: every stored chunk must carry one of that size. */
const DIMENSION = 512;

/**
 * An operator's `npm run ingest` is killed with SIGKILL (an OOM kill, a lost machine) and run
 * again. Twice here on each store: while the model loads, and halfway through writing the
 * documents. The rerun must finish the job as if nothing happened. `npm run faults:kill` runs
 * many more kills at seeded random points.
 */
describe.each(storeKinds())("npm run ingest killed and rerun, on %s", (kind) => {
  let dir: string;
  let store: FaultStore;
  let database: Awaited<ReturnType<typeof createPostgresDatabase>> | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "verity-kill-"));
    await cp(SAMPLE_SOURCES, join(dir, "sources"), { recursive: true });
    if (kind === "postgres") database = await createPostgresDatabase();
    store = {
      kind,
      dataDir: join(dir, "data"),
      manifestPath: join(dir, "sources", "sources.json"),
      databaseUrl: database?.url,
    };
  });
  afterAll(async () => {
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it("leaves a store that one rerun completes into what a clean ingest gives", async () => {
    const estimates = { readyMs: 3_000, firstFileMs: 10_000 };
    const duringModelLoad = await killIngest(store, "model load", 0.5, estimates);
    const duringPersist = await killIngest(store, "persisting", 0.5, estimates);
    expect(duringPersist.filesDone).toBeGreaterThan(0);
    expect(duringPersist.filesDone).toBeLessThan(10);

    const rerun = await rerunIngest(store);
    expect(rerun.code, rerun.output).toBe(0);
    expect(rerun.output).toMatch(/10 files seen/);
    const { landed, violations } = await checkAfterRerun(
      store,
      [duringModelLoad, duringPersist],
      rerun,
      { expected: await ingestReference(store.manifestPath), dimension: DIMENSION },
    );
    expect(violations).toEqual([]);
    expect(landed).toEqual(["model load", "persisting"]);
  }, 600_000);
});
