import { randomFillSync } from "node:crypto";
import { sha256 } from "./hash.ts";

/** Every id names its kind, so a log line or a support ticket tells what it points at. */
export type IdPrefix = "src" | "doc" | "ver" | "chk" | "ans" | "cit" | "run" | "req" | "rev";

/** Random bits per id: 96, as base64url's 16 characters. */
const ID_BYTES = 12;
/**
 * Random bytes drawn from the system a block at a time, as crypto.randomUUID does: one draw per
 * 341 ids instead of one per id (every answer takes several: its own, its request's, one per
 * citation; the draws were ~1% of a busy server's main thread). Each byte is used once.
 */
const pool = Buffer.alloc(ID_BYTES * 341);
let used = pool.length;

/** A random, URL-safe id such as `ans_5kq2v9...`. */
export function newId(prefix: IdPrefix): string {
  if (used + ID_BYTES > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const bytes = pool.subarray(used, (used += ID_BYTES));
  return `${prefix}_${bytes.toString("base64url")}`;
}

/** A deterministic id derived from stable parts, so re-ingesting finds the same row. */
export function stableId(prefix: IdPrefix, ...parts: string[]): string {
  return `${prefix}_${sha256(parts.join("\u0000")).slice(0, 24)}`;
}
