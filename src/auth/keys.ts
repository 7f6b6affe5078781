import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * What a key may do. `admin` implies every other scope; `audit` guards the audit ledger, which
 * has no route yet.
 */
export const SCOPES = ["answer", "ingest", "audit", "admin"] as const;
export type Scope = (typeof SCOPES)[number];

/** The tenant of keys made without one, of the bootstrap key and of anonymous loopback use. */
export const DEFAULT_TENANT = "default";

/** A tenant name: letters, digits, `-` and `_`, starting with a letter or digit. */
export const TENANT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Random bytes in a key's secret: 256 bits, beyond guessing. */
const SECRET_BYTES = 32;
/** Random bytes in a key's public id: enough to never collide in one store. */
const ID_BYTES = 8;

/**
 * `vk_<id>_<secret>`: the id is hex (so it holds no `_` and the token splits one way), the
 * secret base64url. The whole token is what is hashed and stored.
 */
export const API_KEY_PATTERN = /^vk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/** A freshly made key: the token to hand out once, the row id, and the only thing stored. */
export type NewKey = { id: string; token: string; secretSha256: string };

/** The row id of a key, as `keys list` shows it and ledgers name it. */
export const keyIdOf = (hexId: string) => `key_${hexId}`;

export function generateApiKey(): NewKey {
  const hexId = randomBytes(ID_BYTES).toString("hex");
  const token = `vk_${hexId}_${randomBytes(SECRET_BYTES).toString("base64url")}`;
  return { id: keyIdOf(hexId), token, secretSha256: hashApiKey(token) };
}

/** The row id a token names, or null when the token is not a Verity key at all. */
export function parseApiKey(token: string): { id: string } | null {
  const match = API_KEY_PATTERN.exec(token);
  return match ? { id: keyIdOf(match[1]!) } : null;
}

/** Hex sha256 of the whole token: what `api_keys.secret_sha256` holds. */
export function hashApiKey(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Compared against when no row was found, so an unknown id costs what a wrong secret costs. */
const NO_KEY_SHA256 = "0".repeat(64);

/**
 * Whether `token` is the key whose stored hash is `storedSha256` (null: no such key). Always one
 * hash and one constant-time comparison of two 32-byte digests, whatever the outcome.
 */
export function verifyApiKey(token: string, storedSha256: string | null): boolean {
  const presented = createHash("sha256").update(token, "utf8").digest();
  const stored = Buffer.from(storedSha256 ?? NO_KEY_SHA256, "hex");
  // A damaged stored hash must not throw (timingSafeEqual needs equal lengths) nor match.
  const comparable = stored.length === presented.length ? stored : Buffer.alloc(presented.length);
  const same = timingSafeEqual(presented, comparable);
  return same && storedSha256 !== null && comparable === stored;
}

/** Whether a key holding `scopes` may act where `needed` is required. */
export function hasScope(scopes: readonly string[], needed: Scope): boolean {
  return scopes.includes(needed) || scopes.includes("admin");
}

/** `answer,ingest` -> the scopes, deduplicated, or an error naming what is wrong. */
export function parseScopes(list: string): { scopes: Scope[] } | { error: string } {
  const names = list
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) return { error: `no scope given (one or more of ${SCOPES.join(", ")})` };
  const unknown = names.filter((n) => !(SCOPES as readonly string[]).includes(n));
  if (unknown.length > 0)
    return { error: `unknown scope ${unknown.join(", ")} (known: ${SCOPES.join(", ")})` };
  return { scopes: [...new Set(names as Scope[])] };
}
