import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createHash } from "node:crypto";
import { connect } from "node:net";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import { queryRows } from "../../src/db/query.ts";
import { openPgliteThread, type PgliteThread } from "../../src/db/pglite-thread.ts";
import { StoreLockedError } from "../../src/db/store-lock.ts";

/**
 * A server's embedded store runs in a thread of its own, reached over PostgreSQL's protocol: the
 * same store on disk as in process, the same ownership, and its work off the caller's thread.
 */
describe("PGlite in its own thread", () => {
  const open: DatabaseHandle[] = [];
  const dirs: string[] = [];
  const fresh = () => {
    const root = mkdtempSync(join(tmpdir(), "verity-thread-"));
    dirs.push(root);
    return join(root, "pglite");
  };
  const track = (handle: DatabaseHandle) => (open.push(handle), handle);
  afterEach(async () => {
    for (const handle of open.splice(0)) await handle.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  // Socket directories are made under os.tmpdir(): this file's own, so other files' servers
  // running meanwhile do not count.
  const ownTmp = mkdtempSync(join(tmpdir(), "verity-thread-tmp-"));
  const previousTmp = process.env.TMPDIR;
  beforeAll(() => void (process.env.TMPDIR = ownTmp));
  afterAll(() => {
    if (previousTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previousTmp;
    rmSync(ownTmp, { recursive: true, force: true });
  });
  const socketDirs = () => readdirSync(ownTmp).filter((n) => n.startsWith("verity-pglite-"));

  it("writes what an in-process open reads back: rows, bytes, JSON, and no rolled-back work", async () => {
    const dir = fresh();
    const threaded = await openDatabase({ dataDir: dir, role: "server", ownThread: true });
    track(threaded);
    expect(threaded.kind).toBe("pglite");
    await threaded.migrate();
    const { db } = threaded;
    await db.execute(sql`create table t (id int primary key, v bytea, j jsonb)`);
    const bytes = new Uint8Array([0, 1, 127, 128, 255]);
    await db.execute(
      sql`insert into t values (1, ${Buffer.from(bytes)}, ${'{"a": [1, 2]}'}::jsonb)`,
    );
    await expect(
      db.transaction(async (tx) => {
        await tx.execute(sql`insert into t values (2, null, null)`);
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    await open.pop()!.close();
    expect(socketDirs().length).toBe(0);

    const direct = track(await openDatabase({ dataDir: dir, role: "audit" }));
    await direct.migrate(); // the migrations the thread applied are recorded: nothing to redo
    const rows = await queryRows<{ id: number; v: Uint8Array; j: unknown }>(
      direct.db,
      sql`select id, v, j from t order by id`,
    );
    expect(rows.map((r) => r.id)).toEqual([1]);
    expect([...new Uint8Array(rows[0]!.v)]).toEqual([...bytes]);
    expect(rows[0]!.j).toEqual({ a: [1, 2] });
  });

  it("owns the store like an in-process open: a second opener is refused until it closes", async () => {
    const dir = fresh();
    track(await openDatabase({ dataDir: dir, role: "server", ownThread: true }));
    await expect(openDatabase({ dataDir: dir, role: "ingest" })).rejects.toBeInstanceOf(
      StoreLockedError,
    );
    await open.pop()!.close();
    track(await openDatabase({ dataDir: dir, role: "ingest" }));
  });

  it("fails to open a store that is not one, saying why, and leaves no lock or socket behind", async () => {
    const root = mkdtempSync(join(tmpdir(), "verity-thread-"));
    dirs.push(root);
    const dir = join(root, "pglite");
    writeFileSync(dir, "not a directory");
    // The same reason an in-process open gives, naming the path.
    await expect(openDatabase({ dataDir: dir, ownThread: true })).rejects.toThrow(dir);
    expect(existsSync(`${dir}.lock`)).toBe(false);
    expect(socketDirs()).toEqual([]);
  });

  it("keeps the caller's event loop turning while a statement runs, where in process it stops", async () => {
    // A statement of a few hundred milliseconds of CPU in the database; timers every 5 ms here.
    const heavy = sql`select count(*) from generate_series(1, 3000000) g where g % 7 = 3`;
    const ticksDuring = async (handle: DatabaseHandle) => {
      await handle.db.execute(sql`select 1`);
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      try {
        await handle.db.execute(heavy);
      } finally {
        clearInterval(timer);
      }
      return ticks;
    };
    const threaded = track(await openDatabase({ dataDir: fresh(), ownThread: true }));
    const inProcess = track(await openDatabase({ dataDir: fresh() }));
    const [threadTicks, processTicks] = [await ticksDuring(threaded), await ticksDuring(inProcess)];
    expect(processTicks).toBeLessThanOrEqual(1);
    expect(threadTicks).toBeGreaterThanOrEqual(10);
  });

  describe("its protocol bridge", () => {
    // One store for these: the outer afterEach removes what fresh() made after every test.
    const root = mkdtempSync(join(tmpdir(), "verity-bridge-"));
    let thread: PgliteThread;
    beforeAll(async () => void (thread = await openPgliteThread(join(root, "pglite"))));
    afterAll(async () => {
      await thread.close();
      rmSync(root, { recursive: true, force: true });
    });

    it("answers pipelined statements in order, an error among them failing only its own", async () => {
      const { client } = thread;
      // postgres.js sends these without waiting: they reach the thread as one batch.
      const results = await Promise.all([
        client`select 1 as n`,
        client`select no_such_function() as n`.catch((error: Error) => error),
        client`select ${2}::int as n`,
        client.unsafe("select 3 as n"),
      ]);
      expect(results[0]).toEqual([{ n: 1 }]);
      expect((results[1] as Error).message).toMatch(/no_such_function/);
      expect([...(results[2] as unknown[])]).toEqual([{ n: 2 }]);
      expect([...(results[3] as unknown[])]).toEqual([{ n: 3 }]);
    });

    it("takes a statement that arrives in many pieces: an 8 MB parameter, whole", async () => {
      const text = "0123456789abcdef".repeat(512 * 1024);
      const [row] =
        await thread.client`select length(${text}::text) as n, md5(${text}::text) as md5`;
      expect(row).toEqual({ n: text.length, md5: createHash("md5").update(text).digest("hex") });
    });

    it("rolls back what a connection left open when a new one replaces it", async () => {
      const socketDir = (thread.client.options.host as string[])[0]!;
      const second = postgres({ host: socketDir, port: 5432, username: "postgres", max: 1 });
      try {
        await thread.client`create table t (id int)`;
        let inside!: () => void;
        const started = new Promise<void>((resolve) => (inside = resolve));
        const abandoned = thread.client
          .begin(async (tx) => {
            await tx`insert into t values (1)`;
            inside();
            await new Promise(() => {}); // never commits: its connection is replaced
          })
          .catch((error: Error) => error);
        await started;
        // The thread serves one connection at a time: this one takes the old one's place.
        expect(await second`select count(*)::int as n from t`).toEqual([{ n: 0 }]);
        expect(await abandoned).toBeInstanceOf(Error);
        await second`insert into t values (2)`;
        expect(await second`select id from t`).toEqual([{ id: 2 }]);
      } finally {
        await second.end();
      }
    });

    it("ends a connection that sends a length no message can have, and serves the next", async () => {
      const socketDir = (thread.client.options.host as string[])[0]!;
      const closed = await new Promise<boolean>((resolve, reject) => {
        const socket = connect(join(socketDir, ".s.PGSQL.5432"));
        socket.once("error", reject);
        socket.once("close", () => resolve(true));
        const header = Buffer.alloc(8);
        header.writeInt32BE(-1, 0); // a startup "length" of -1
        socket.write(header);
      });
      expect(closed).toBe(true);
      expect(await thread.client`select 1 as n`).toEqual([{ n: 1 }]);
    });

    it("declines an encrypted connection in the protocol's words: one byte, N", async () => {
      const socketDir = (thread.client.options.host as string[])[0]!;
      const reply = await new Promise<Buffer>((resolve, reject) => {
        const socket = connect(join(socketDir, ".s.PGSQL.5432"));
        socket.once("error", reject);
        socket.once("data", (data: Buffer) => (socket.destroy(), resolve(data)));
        const sslRequest = Buffer.alloc(8);
        sslRequest.writeInt32BE(8, 0);
        sslRequest.writeInt32BE(80877103, 4);
        socket.write(sslRequest);
      });
      expect(reply.toString()).toBe("N");
    });
  });
});
