import { setImmediate as nextTurn } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../src/db/query.ts";
import { connectionKinds, openBareStore } from "../support/databases.ts";

// postgres.js left the connection's close handler pointing into the last transaction, keeping
// what it returned reachable until the connection's next transaction: opening a store returned
// its whole corpus from one (gigabytes at a million chunks). patches/postgres+*.patch clears it.
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

describe.each(connectionKinds())("a transaction's result on %s", (kind) => {
  let store: Awaited<ReturnType<typeof openBareStore>>;
  beforeAll(async () => {
    store = await openBareStore(kind);
  });
  afterAll(() => store?.drop());

  it("is let go once the transaction has ended and its caller dropped it", async () => {
    const { db } = store.handle;
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
