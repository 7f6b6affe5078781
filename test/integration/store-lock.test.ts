import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import { StoreLockedError } from "../../src/db/store-lock.ts";

/** A PGlite data directory has one owner: a second opener fails at once and touches nothing. */
describe("embedded store ownership", () => {
  const open: DatabaseHandle[] = [];
  const dirs: string[] = [];
  const fresh = () => {
    const root = mkdtempSync(join(tmpdir(), "verity-lock-"));
    dirs.push(root);
    return join(root, "pglite");
  };
  afterEach(async () => {
    for (const handle of open.splice(0)) await handle.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a second opener, naming the owner and what to do, and frees the store on close", async () => {
    const dir = fresh();
    const first = await openDatabase({ dataDir: dir, role: "server" });
    open.push(first);
    first.describeOwner({ url: "http://127.0.0.1:3000" });
    const error = await openDatabase({ dataDir: dir, role: "ingest" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreLockedError);
    const message = (error as Error).message;
    expect(message).toContain(`pid ${process.pid}`);
    expect(message).toContain("a Verity server");
    expect(message).toContain("npm run ingest -- --server http://127.0.0.1:3000");

    await first.migrate();
    await open.pop()!.close();
    const second = await openDatabase({ dataDir: dir, role: "ingest" });
    open.push(second);
    await second.migrate(); // the data the first owner wrote is intact and readable
  });

  it("takes over at once from an owner that was killed (its process is gone)", async () => {
    const dir = fresh();
    mkdirSync(`${dir}.lock`, { recursive: true }); // a fresh lock left by a kill -9
    const dead = {
      pid: 2 ** 22 + 12345,
      host: hostname(),
      role: "ingest",
      command: "x",
      startedAt: "then",
    };
    writeFileSync(`${dir}.owner.json`, JSON.stringify(dead));
    const handle = await openDatabase({ dataDir: dir, role: "server" });
    open.push(handle);
    const owner = JSON.parse(readFileSync(`${dir}.owner.json`, "utf8")) as { pid: number };
    expect(owner.pid).toBe(process.pid);
  });

  it("does not take over from an owner on another host it cannot check", async () => {
    const dir = fresh();
    mkdirSync(`${dir}.lock`, { recursive: true });
    const remote = { pid: 1, host: "elsewhere", role: "server", command: "x", startedAt: "now" };
    writeFileSync(`${dir}.owner.json`, JSON.stringify(remote));
    await expect(openDatabase({ dataDir: dir })).rejects.toThrow(/pid 1 on elsewhere/);
  });
});
