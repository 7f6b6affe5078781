import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { DEFAULT_TENANT } from "../src/auth/keys.ts";
import { PII_KINDS } from "../src/text/pii.ts";
import { safeText } from "../src/text/safe-text.ts";

/** What a source id, and a source's tenant, may be. */
const SafeId = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,62}$/,
    "lowercase letters, digits and dashes, at most 63 characters",
  );

export const SourceSpec = z.object({
  id: SafeId,
  /**
   * Whose source it is: only that tenant's callers retrieve, cite or list it. Absent, it is
   * "default" from the CLI and the caller's tenant over HTTP (see tenantOf).
   */
  tenant: SafeId.optional(),
  // Text that ends up in the database and in every citation: no NUL, no lone surrogate, NFC.
  name: safeText(z.string().min(1)),
  publisher: safeText(z.string().min(1)),
  uri: z.string().url(),
  license: safeText(z.string().min(1)),
  trust: z.enum(["authoritative", "reviewed", "community"]),
  /** Globs relative to the manifest's folder. */
  paths: z.array(safeText(z.string().min(1))).min(1),
  /**
   * Personal data replaced by a placeholder ("[email redacted]") at ingest, before hashing and
   * chunking; none when absent. See ingest/redact.ts.
   */
  redact: z.array(z.enum(PII_KINDS)).optional(),
});
export type SourceSpec = z.infer<typeof SourceSpec>;

/** The tenant a source is stored under: its own, or `fallback` when the manifest names none. */
export function tenantOf(spec: SourceSpec, fallback: string = DEFAULT_TENANT): string {
  return spec.tenant ?? fallback;
}

export const Manifest = z
  .object({ sources: z.array(SourceSpec).min(1) })
  .refine((m) => new Set(m.sources.map((s) => s.id)).size === m.sources.length, {
    message: "source ids must be unique",
    path: ["sources"],
  });
export type Manifest = z.infer<typeof Manifest>;

export class ManifestError extends Error {
  override name = "ManifestError";
}

export type LoadedManifest = { path: string; baseDir: string; manifest: Manifest };

/** Read and validate a manifest; errors name the file and the offending field. */
export async function loadManifest(path: string): Promise<LoadedManifest> {
  const absolute = resolve(path);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(absolute, "utf8"));
  } catch (error) {
    throw new ManifestError(`Cannot read manifest ${path}: ${(error as Error).message}`);
  }
  const parsed = Manifest.safeParse(raw);
  if (!parsed.success) {
    throw new ManifestError(`Invalid manifest ${path}:\n${z.prettifyError(parsed.error)}`);
  }
  return { path: absolute, baseDir: dirname(absolute), manifest: parsed.data };
}
