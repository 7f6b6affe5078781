import { createHash } from "node:crypto";

/** Hex sha256 of a string (UTF-8) or raw bytes: the one digest used for every provenance hash. */
export function sha256(input: string | Uint8Array): string {
  return createHash("sha256").update(input).digest("hex");
}
