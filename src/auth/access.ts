import type { Logger } from "pino";
import { ConfigError } from "../config.ts";
import type { Database } from "../db/client.ts";
import { findApiKey, hasActiveApiKey } from "../db/api-keys.ts";
import type { ApiKeyRow } from "../db/schema/index.ts";
import { DEFAULT_TENANT, parseApiKey, verifyApiKey, type Scope } from "./keys.ts";
import { keysChangedCount } from "./manage.ts";

/** Who is calling: a key, or (`keyId` null) anyone on loopback while no key exists. */
export type Caller = { keyId: string | null; tenant: string; scopes: Scope[] };

/** The caller of a store without keys, served on loopback only. */
export const ANONYMOUS_ADMIN: Caller = { keyId: null, tenant: DEFAULT_TENANT, scopes: ["admin"] };

/** Why a request was not let in; the HTTP layer words it. */
export type Refusal = "missing" | "malformed" | "invalid" | "revoked";

export type AccessControl = {
  /** The caller a request's `Authorization` header makes, or why it makes none. */
  authenticate(authorization: string | undefined): Promise<Caller | { refused: Refusal }>;
};

/**
 * How long "some key exists" is believed without asking the store again: keys made by another
 * process (PostgreSQL) close an open loopback server within this; revoking the last key reopens
 * it after as long. "No key exists" is never cached, so a new key is required at once.
 */
export const KEYS_EXIST_CACHE_MS = 5_000;

const LOOPBACK = /^(localhost|::1|\[::1\]|127(\.\d{1,3}){3})$/i;

/** Whether the server only listens where no other machine can reach it. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host.trim());
}

/** Keys remembered by id at most, on a store without other writers; forgotten all at once when full. */
const KEYS_REMEMBERED = 10_000;

/**
 * A request needs a key when any key can authenticate, when VERITY_BOOTSTRAP_KEY is set, or when
 * the server listens beyond loopback; otherwise it is served as the anonymous admin of `default`.
 * A key that is presented is always checked, so a wrong one is refused even then.
 *
 * With `otherWriters` false (an embedded store: only this process writes it, and `npm run keys`
 * cannot open it while a server does) the keys change only through this process, so what was
 * read is remembered until it changes a key (keysChangedCount): no request then waits for the
 * store, where a lookup would queue behind the answers being recorded on its one connection.
 * Otherwise (PostgreSQL, where any process may make or revoke a key) every request asks it.
 */
export function createAccessControl(options: {
  db: Database;
  host: string;
  bootstrapKey?: string;
  keysExistCacheMs?: number;
  otherWriters?: boolean;
}): AccessControl {
  const { db, keysExistCacheMs = KEYS_EXIST_CACHE_MS, otherWriters = true } = options;
  const alwaysRequired = Boolean(options.bootstrapKey) || !isLoopbackHost(options.host);
  let keysSeenUntil = 0;
  // What was read since `readAt` (a keysChangedCount), forgotten as soon as a key changes; a read
  // during which a key changed (the count moved) is not kept.
  let readAt = -1;
  let anyKey: boolean | null = null;
  const rows = new Map<string, ApiKeyRow | null>();
  const current = () => {
    if (otherWriters) return false;
    if (readAt !== keysChangedCount()) {
      readAt = keysChangedCount();
      anyKey = null;
      rows.clear();
    }
    return true;
  };

  async function keysRequired(): Promise<boolean> {
    if (alwaysRequired) return true;
    if (current()) {
      if (anyKey !== null) return anyKey;
      const at = readAt;
      const exists = await hasActiveApiKey(db);
      if (at === keysChangedCount()) anyKey = exists;
      return exists;
    }
    if (Date.now() < keysSeenUntil) return true;
    if (!(await hasActiveApiKey(db))) return false;
    keysSeenUntil = Date.now() + keysExistCacheMs;
    return true;
  }

  async function keyRow(id: string): Promise<ApiKeyRow | null> {
    if (!current()) return findApiKey(db, id);
    if (rows.has(id)) return rows.get(id)!;
    const at = readAt;
    const row = await findApiKey(db, id);
    if (at === keysChangedCount()) {
      if (rows.size >= KEYS_REMEMBERED) rows.clear();
      rows.set(id, row);
      if (row && !row.revokedAt) anyKey = true;
    }
    return row;
  }

  return {
    async authenticate(authorization) {
      if (authorization === undefined)
        return (await keysRequired()) ? { refused: "missing" } : ANONYMOUS_ADMIN;
      const token = /^Bearer +(\S+) *$/i.exec(authorization)?.[1];
      const parsed = token === undefined ? null : parseApiKey(token);
      if (!token || !parsed) return { refused: "malformed" };
      const row = await keyRow(parsed.id);
      // One comparison whether or not the id exists: an unknown id and a wrong secret look alike.
      if (!verifyApiKey(token, row?.secretSha256 ?? null) || !row) return { refused: "invalid" };
      if (row.revokedAt) return { refused: "revoked" };
      keysSeenUntil = Date.now() + keysExistCacheMs;
      return { keyId: row.id, tenant: row.tenant, scopes: row.scopes as Scope[] };
    },
  };
}

/** How to make the first key, as start-up messages say it. */
export const CREATE_KEY_HINT = "npm run keys -- create --tenant default --scopes admin";

/**
 * Before serving: with no key that can authenticate, refuse to listen beyond loopback, and on
 * loopback say that anyone there is an admin and how to change that.
 */
export async function checkServingExposure(
  deps: { db: Database; logger: Logger },
  config: { HOST: string; VERITY_BOOTSTRAP_KEY?: string | undefined },
): Promise<void> {
  if (config.VERITY_BOOTSTRAP_KEY || (await hasActiveApiKey(deps.db))) return;
  if (!isLoopbackHost(config.HOST))
    throw new ConfigError(
      `Verity never serves beyond loopback without keys: HOST is ${config.HOST} and the store ` +
        `holds no active API key. Create one first (${CREATE_KEY_HINT}), set ` +
        "VERITY_BOOTSTRAP_KEY, or listen on 127.0.0.1.",
    );
  deps.logger.warn(
    { host: config.HOST },
    `No API key exists: every request from this machine is served as an admin of tenant ` +
      `"default". To require keys, create one: ${CREATE_KEY_HINT}`,
  );
}
