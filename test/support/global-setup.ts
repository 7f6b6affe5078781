import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { storeKinds } from "./postgres.ts";
import { runTsx, type Run } from "./run-tsx.ts";
import {
  buildEmptyPgliteTemplate,
  buildPostgresTemplate,
  ingestSampleCorpus,
  readStoredVectors,
  SAMPLE_INGESTED_BY,
  SAMPLE_MANIFEST,
} from "./templates.ts";

/**
 * Once per run of the integration and e2e suites, build each store a test may start from, so no
 * test file pays for initialising a database or for embedding the sample corpus again; each test
 * copies the template it needs (databases.ts) and owns the copy.
 *
 * The PGlite sample store is made the way a user makes one: `npm run ingest` on a fresh data
 * directory, as a process, with the real encoder. cli.test.ts checks what that run printed. The
 * PostgreSQL sample is ingested through the same pipeline with the vectors that run stored.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = await mkdtemp(join(tmpdir(), "verity-templates-"));
  const dropPostgres: (() => Promise<void>)[] = [];
  const teardown = async () => {
    for (const drop of dropPostgres) await drop();
    await rm(root, { recursive: true, force: true });
  };
  const postgresTemplate = async (fill: Parameters<typeof buildPostgresTemplate>[0]) => {
    const template = await buildPostgresTemplate(fill);
    dropPostgres.push(template.drop);
    return template.name;
  };
  const usePostgres = storeKinds().includes("postgres");
  try {
    const cliData = join(root, "cli-data");
    const [firstIngest, emptyPglite, emptyPostgres] = await settled(
      runTsx(
        ["ingest/cli.ts", "--by", SAMPLE_INGESTED_BY],
        { VERITY_DATA_DIR: cliData, VERITY_MANIFEST: SAMPLE_MANIFEST, DATABASE_URL: "" },
        300_000,
      ),
      buildEmptyPgliteTemplate(join(root, "empty")),
      usePostgres ? postgresTemplate(async () => {}) : Promise.resolve(null),
    );
    if (firstIngest.code !== 0)
      throw new Error(`npm run ingest failed:\n${formatRun(firstIngest)}`);
    // Where ingest/cli.ts keeps PGlite for VERITY_DATA_DIR (openConfiguredDatabase).
    const samplePglite = join(cliData, "pglite");
    const samplePostgres = usePostgres
      ? await postgresTemplate(async (handle) =>
          ingestSampleCorpus(handle, await readStoredVectors(samplePglite)),
        )
      : null;
    project.provide("firstIngest", firstIngest);
    project.provide("templates", {
      empty: { pglite: emptyPglite, postgres: emptyPostgres },
      sample: { pglite: samplePglite, postgres: samplePostgres },
    });
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}

function formatRun(run: Run): string {
  return `exit code ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
}

/** Every result once all have finished, so a failure is not cleaned up while another runs. */
async function settled<T extends unknown[]>(
  ...promises: { [K in keyof T]: Promise<T[K]> }
): Promise<T> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as T;
}
