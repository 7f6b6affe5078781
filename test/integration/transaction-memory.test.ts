import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import { queryRows } from "../../src/db/query.ts";
import { createPostgresDatabase, storeKinds } from "../support/postgres.ts";

// postgres.js left the connection's close handler pointing into the last transaction, keeping
// what it returned reachable until the connection's next transaction: opening a store returned
// its whole corpus from one (gigabytes at a million chunks). patches/postgres+*.patch clears it.
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

const stores = [
  "pglite",
  "pglite in a thread",
  ...(storeKinds().includes("postgres") ? ["postgres"] : []),
] as const;

describe.each(stores)("a transaction's result on %s", (store) => {
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    if (store === "postgres") {
      const pg = await createPostgresDatabase();
      handle = await openDatabase({ url: pg.url });
      cleanup = pg.drop;
    } else {
      const dir = await mkdtemp(join(tmpdir(), "verity-tx-memory-"));
      handle = await openDatabase({
        dataDir: join(dir, "pglite"),
        ownThread: store === "pglite in a thread",
      });
      cleanup = () => rm(dir, { recursive: true, force: true });
    }
  });
  afterAll(async () => {
    await handle?.close();
    await cleanup?.();
  });

  it("is let go once the transaction has ended and its caller dropped it", async () => {
    const { db } = handle;
    const read = async () => {
      const result = await db.transaction(async (tx) => ({
        rows: await queryRows<{ n: number }>(tx, sql`select generate_series(1, 1000) as n`),
      }));
      expect(result.rows).toHaveLength(1000);
      return new WeakRef(result);
    };
    const held = await read();
    // A WeakRef's target lives at least until the turn that made it ends.
    await nextTurn();
    collectGarbage();
    expect(held.deref()).toBeUndefined();
    // The connection still works, transactions included.
    expect(
      await db.transaction((tx) => queryRows<{ one: number }>(tx, sql`select 1 as one`)),
    ).toEqual([{ one: 1 }]);
  });
});
