import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { openDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import { createPostgresDatabase, storeKinds, type StoreKind } from "./postgres.ts";
import type { StoreTemplate } from "./templates.ts";

export { storeKinds, type StoreKind } from "./postgres.ts";

/** Where a store is, as a configuration names it: DATABASE_URL, or PGlite's data directory. */
export type TestStore = { url: string; dataDir?: undefined } | { url?: undefined; dataDir: string };

/**
 * A store of its own, copied from a template global-setup.ts built once for the whole run: a
 * PGlite data directory copied to `pgliteDir` (a temporary one by default), or a new database
 * created from the PostgreSQL template. `drop` removes it again.
 */
export async function copyTemplateStore(
  kind: StoreKind,
  template: StoreTemplate,
  pgliteDir?: string,
): Promise<TestStore & { drop(): Promise<void> }> {
  const source = inject("templates")[template];
  if (kind === "pglite") {
    const dataDir = pgliteDir ?? (await mkdtemp(join(tmpdir(), "verity-store-")));
    await copyDirectory(source.pglite, dataDir);
    return { dataDir, drop: () => rm(dataDir, { recursive: true, force: true }) };
  }
  if (!source.postgres)
    throw new Error("no PostgreSQL template: this run opted out with VERITY_TEST_POSTGRES=off");
  return createPostgresDatabase(source.postgres);
}

export type TestDatabase = {
  url: string | undefined;
  handle: DatabaseHandle;
  drop(): Promise<void>;
};

/** An open store of its own, migrated and empty unless `template` says it holds the sample. */
export async function createTestDatabase(
  kind: StoreKind,
  template: StoreTemplate = "empty",
): Promise<TestDatabase> {
  const store = await copyTemplateStore(kind, template);
  let handle: DatabaseHandle;
  try {
    handle = await openDatabase(store.url ? { url: store.url } : { dataDir: store.dataDir });
    await handle.migrate();
  } catch (error) {
    await store.drop();
    throw error;
  }
  return {
    url: store.url,
    handle,
    async drop() {
      await handle.close();
      await store.drop();
    },
  };
}

/**
 * `cp -R`: a PGlite data directory is a thousand small files, which fs.cp copies in JavaScript at
 * several times the CPU cost, paid for every store of the run.
 */
async function copyDirectory(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  await new Promise<void>((resolve, reject) =>
    execFile("cp", ["-R", `${from}/.`, to], (error) => (error ? reject(error) : resolve())),
  );
}

/** The ways a server meets its store: PGlite in process (CLI), in its own thread (server), PostgreSQL. */
export type ConnectionKind = "pglite in process" | "pglite in a thread" | "postgres";

export function connectionKinds(): ConnectionKind[] {
  return [
    "pglite in process",
    "pglite in a thread",
    ...(storeKinds().includes("postgres") ? (["postgres"] as const) : []),
  ];
}

/** A new, empty and unmigrated store reached the `kind` way; `drop` closes and removes it. */
export async function openBareStore(
  kind: ConnectionKind,
): Promise<{ handle: DatabaseHandle; drop(): Promise<void> }> {
  if (kind === "postgres") {
    const pg = await createPostgresDatabase();
    const handle = await openDatabase({ url: pg.url });
    return {
      handle,
      async drop() {
        await handle.close();
        await pg.drop();
      },
    };
  }
  const dir = await mkdtemp(join(tmpdir(), "verity-bare-"));
  const handle = await openDatabase({
    dataDir: join(dir, "pglite"),
    ownThread: kind === "pglite in a thread",
  });
  return {
    handle,
    async drop() {
      await handle.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
