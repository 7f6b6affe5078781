import { randomBytes } from "node:crypto";
import { sha256 } from "./hash.ts";

/** Every id names its kind, so a log line or a support ticket tells what it points at. */
export type IdPrefix = "src" | "doc" | "ver" | "chk" | "ans" | "cit" | "run" | "req" | "rev";

/** A random, URL-safe id such as `ans_5kq2v9...`. */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomBytes(12).toString("base64url")}`;
}

/** A deterministic id derived from stable parts, so re-ingesting finds the same row. */
export function stableId(prefix: IdPrefix, ...parts: string[]): string {
  return `${prefix}_${sha256(parts.join("\u0000")).slice(0, 24)}`;
}
