import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import lockfile from "proper-lockfile";
import { isProcessGone } from "./process-gone.ts";

/**
 * PGlite is one process's database: a second process opening the same data directory corrupts
 * it (its files change under the first one's page cache). So a process that opens a directory
 * owns it, through a lock next to it (`<dir>.lock`, kept fresh while the owner lives), and says
 * who it is in `<dir>.owner.json`, so a second process can name the owner and what to do instead.
 */

/** What a second process is told about the owner. */
export type StoreOwner = {
  pid: number;
  host: string;
  /** "server" or "ingest": decides the advice given to a second process. */
  role: string;
  command: string;
  startedAt: string;
  /** Where a server owner listens, once it does: ingest through it. */
  url?: string;
};

export type StoreLock = {
  /** Record facts learnt after opening (a server's URL) in the owner file. */
  describe(extra: Partial<StoreOwner>): void;
  release(): Promise<void>;
};

export class StoreLockedError extends Error {
  override name = "StoreLockedError";
}

/**
 * After this long without a refresh a lock counts as abandoned. Long on purpose: a live owner's
 * event loop can be busy for many seconds (loading WASM, embedding), and a short staleness would
 * hand its store to a second process. A dead owner on this host is detected by its pid instead.
 */
const STALE_MS = 60 * 60_000;

const ownerFile = (dir: string) => join(dirname(dir), `${basename(dir)}.owner.json`);
const lockFile = (dir: string) => join(dirname(dir), `${basename(dir)}.lock`);

function readOwner(dir: string): StoreOwner | null {
  try {
    return JSON.parse(readFileSync(ownerFile(dir), "utf8")) as StoreOwner;
  } catch {
    return null;
  }
}

/** A process on this host that no longer exists cannot own anything: its lock may be taken. */
function isDeadHere(owner: StoreOwner | null): boolean {
  return owner !== null && isProcessGone(owner.pid, owner.host);
}

/** `requester` is the role of the process asking ("ingest", "keys"): it decides the advice. */
export function describeOwner(dir: string, owner: StoreOwner | null, requester?: string): string {
  if (!owner) return `The embedded store ${dir} is in use by another Verity process.`;
  const who = `${owner.role === "server" ? "a Verity server" : `\`${owner.command}\``} (pid ${owner.pid} on ${owner.host}, since ${owner.startedAt}${owner.url ? `, ${owner.url}` : ""})`;
  const advice =
    owner.role === "server" && requester === "keys"
      ? "Stop it first: API keys are managed with the store closed (on PostgreSQL, both may run at once)."
      : owner.role === "server" && requester === "calibrate"
        ? "Stop it first: calibrate reads the reviews with the store closed (on PostgreSQL, both may run at once)."
        : owner.role === "server"
          ? `Ingest through it instead: npm run ingest -- --server ${owner.url ?? "<its URL>"}; or stop it first.`
          : "Wait for it to finish, or stop it first.";
  const elsewhere =
    owner.host === hostname()
      ? ""
      : ` If that process is gone, delete ${lockFile(dir)} (its host cannot be checked from here).`;
  return `The embedded store ${dir} is in use by ${who}. Only one process may open it. ${advice}${elsewhere}`;
}

/**
 * Take ownership of `dir` before anything reads its files; fail at once, naming the owner, when
 * another live process holds it. `onLost` runs if the lock is taken away while held (its file
 * deleted or left stale by a stopped clock): the store is no longer safe to write.
 */
export async function acquireStoreLock(
  dir: string,
  role: string,
  onLost: (error: Error) => void,
): Promise<StoreLock> {
  mkdirSync(dir, { recursive: true });
  const options = {
    stale: STALE_MS,
    lockfilePath: lockFile(dir),
    realpath: false,
    onCompromised: onLost,
  };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dir, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ELOCKED") throw error;
    const owner = readOwner(dir);
    if (!isDeadHere(owner)) throw new StoreLockedError(describeOwner(dir, owner, role));
    // The owner was killed before it could release; its lock is not stale yet, but it is dead.
    rmSync(lockFile(dir), { recursive: true, force: true });
    try {
      release = await lockfile.lock(dir, options);
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code !== "ELOCKED") throw again;
      throw new StoreLockedError(describeOwner(dir, readOwner(dir), role));
    }
  }
  let owner: StoreOwner = {
    pid: process.pid,
    host: hostname(),
    role,
    command: process.argv.slice(1).join(" "),
    startedAt: new Date().toISOString(),
  };
  writeFileSync(ownerFile(dir), JSON.stringify(owner, null, 2));
  return {
    describe(extra) {
      owner = { ...owner, ...extra };
      writeFileSync(ownerFile(dir), JSON.stringify(owner, null, 2));
    },
    async release() {
      rmSync(ownerFile(dir), { force: true });
      await release();
    },
  };
}
