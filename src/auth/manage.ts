import type { Logger } from "pino";
import { ConfigError } from "../config.ts";
import type { Database } from "../db/client.ts";
import { appendInTransaction } from "../ledger/append.ts";
import { findApiKey, insertApiKey, markApiKeyRevoked } from "../db/api-keys.ts";
import type { ApiKeyRow } from "../db/schema/index.ts";
import {
  DEFAULT_TENANT,
  generateApiKey,
  hashApiKey,
  parseApiKey,
  verifyApiKey,
  type Scope,
} from "./keys.ts";

/** What managing keys needs: the store, and somewhere to record what was done. */
export type KeyDeps = { db: Database; logger: Logger };

/** Who made a key from VERITY_BOOTSTRAP_KEY, as its `created_by` says. */
export const BOOTSTRAP_CREATED_BY = "VERITY_BOOTSTRAP_KEY";

export type KeyEvent = {
  action: "created" | "revoked";
  key: Pick<ApiKeyRow, "id" | "tenant" | "scopes" | "name">;
  by: string;
};

/**
 * Every change to the set of keys passes here: a log line and a ledger record, in the transaction
 * of the change itself (never with a secret: a KeyEvent has none to give).
 */
export async function recordKeyEvent(
  deps: { db: Database; logger: Logger },
  event: KeyEvent,
): Promise<void> {
  const { id, tenant, scopes, name } = event.key;
  await appendInTransaction(deps.db, {
    kind: `key.${event.action}`,
    actor: { tenant, keyId: null },
    requestId: null,
    subject: id,
    payload: () => ({ keyId: id, tenant, scopes, name, by: event.by }),
  });
  deps.logger.info(
    { event: `api_key.${event.action}`, keyId: id, tenant, scopes, name, by: event.by },
    `API key ${event.action}`,
  );
}

let keyChanges = 0;

/**
 * How many changes to the keys this process has made, for what remembers keys (auth/access.ts):
 * it moves when each change's transaction ends, committed or not, so a read made while one was
 * under way is never believed after it.
 */
export function keysChangedCount(): number {
  return keyChanges;
}

/**
 * Run `work` in one transaction of `deps.db`, handing it the same deps on that transaction: every
 * change to the keys (create, revoke, bootstrap) runs here.
 */
async function inTransaction<T>(deps: KeyDeps, work: (tx: KeyDeps) => Promise<T>): Promise<T> {
  try {
    return await deps.db.transaction((tx) => work({ ...deps, db: tx as unknown as Database }));
  } finally {
    keyChanges++;
  }
}

export class KeyNotFoundError extends Error {
  override name = "KeyNotFoundError";
}

/** Make a key: the token is returned this once, and only its hash is stored. */
export async function createApiKey(
  deps: KeyDeps,
  input: { tenant: string; scopes: Scope[]; name?: string; by: string },
): Promise<{ key: ApiKeyRow; token: string }> {
  const made = generateApiKey();
  return inTransaction(deps, async (deps) => {
    const key = await insertApiKey(deps.db, {
      id: made.id,
      secretSha256: made.secretSha256,
      tenant: input.tenant,
      scopes: input.scopes,
      name: input.name ?? null,
      createdBy: input.by,
    });
    // 64 random bits of id: a collision means something is badly wrong, not bad luck to retry.
    if (!key) throw new Error(`API key id ${made.id} is already taken`);
    await recordKeyEvent(deps, { action: "created", key, by: input.by });
    return { key, token: made.token };
  });
}

/** Revoke a key; a key revoked already is returned as it is, and nothing is recorded again. */
export async function revokeApiKey(
  deps: KeyDeps,
  id: string,
  by: string,
): Promise<{ key: ApiKeyRow; revokedNow: boolean }> {
  const revoked = await inTransaction(deps, async (deps) => {
    const row = await markApiKeyRevoked(deps.db, id);
    if (row) await recordKeyEvent(deps, { action: "revoked", key: row, by });
    return row;
  });
  if (revoked) return { key: revoked, revokedNow: true };
  const existing = await findApiKey(deps.db, id);
  if (!existing) throw new KeyNotFoundError(`No API key with id ${id}.`);
  return { key: existing, revokedNow: false };
}

/**
 * The admin key of tenant `default` that VERITY_BOOTSTRAP_KEY names, created on first start and
 * accepted as it is afterwards (the same token always names the same row). A revoked one stays
 * revoked: a configuration cannot undo a revocation.
 */
export async function ensureBootstrapKey(deps: KeyDeps, token: string): Promise<ApiKeyRow> {
  const parsed = parseApiKey(token);
  if (!parsed) throw new ConfigError("Invalid configuration: VERITY_BOOTSTRAP_KEY is not a key.");
  const existing = await findApiKey(deps.db, parsed.id);
  if (existing) return acceptBootstrapKey(deps, existing, token);
  const key = await inTransaction(deps, async (deps) => {
    const row = await insertApiKey(deps.db, {
      id: parsed.id,
      secretSha256: hashApiKey(token),
      tenant: DEFAULT_TENANT,
      scopes: ["admin"],
      name: "bootstrap",
      createdBy: BOOTSTRAP_CREATED_BY,
    });
    if (row) await recordKeyEvent(deps, { action: "created", key: row, by: BOOTSTRAP_CREATED_BY });
    return row;
  });
  // Another process starting with the same setting got there first.
  if (!key) return acceptBootstrapKey(deps, (await findApiKey(deps.db, parsed.id))!, token);
  return key;
}

function acceptBootstrapKey(deps: KeyDeps, row: ApiKeyRow, token: string): ApiKeyRow {
  if (!verifyApiKey(token, row.secretSha256))
    throw new ConfigError(
      `Invalid configuration: VERITY_BOOTSTRAP_KEY names ${row.id}, which exists with another secret.`,
    );
  if (row.revokedAt)
    deps.logger.warn(
      { keyId: row.id, revokedAt: row.revokedAt.toISOString() },
      "VERITY_BOOTSTRAP_KEY was revoked and no longer authenticates; set another one",
    );
  return row;
}
