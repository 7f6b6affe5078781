import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { Database } from "../db/client.ts";
import { readVersionTexts } from "../db/documents.ts";
import { readRunManifestPath, readVersionsToVerify } from "../db/versions.ts";
import { sha256 } from "../hash.ts";
import type { SourceFileCheck, SourceFileStatus } from "./schema.ts";

/**
 * A source file's bytes -> the text ingestion stores for them: load and normalise by format, then
 * redact `redact`'s kinds. It lives in ingest/ (ingest/source-text.ts), which src/ never imports,
 * so entry points pass it in (the server through its Ingestion port).
 */
export type LoadSourceText = (file: {
  /** The file's path: its extension picks the format, as at ingest. */
  path: string;
  bytes: Uint8Array;
  /** PII kinds to redact, as the version recorded them. */
  redact: readonly string[];
}) => Promise<string>;

/**
 * Where a document's file is: its path (relative, as discovered) under the folder of the manifest
 * that listed it, the way ingest/pipeline.ts reads it.
 */
export function sourceFilePath(manifestPath: string, documentPath: string): string {
  return join(dirname(resolve(manifestPath)), documentPath);
}

/** What is stored of a version that its file is compared with. */
export type StoredVersion = {
  rawSha256: string;
  textSha256: string;
  text: string;
  redactions: { kind: string }[] | null;
};

export type FileComparison = { status: SourceFileStatus; detail: string | null };

/**
 * Compare a stored version with the file at `file` (null: none known): its bytes with the stored
 * rawSha256, then, when they match and `loadText` is given, the text they give with the stored
 * text and its hash. Without `loadText` only the bytes are compared.
 */
export async function compareSourceFile(
  file: string | null,
  stored: StoredVersion,
  loadText?: LoadSourceText,
): Promise<FileComparison> {
  if (file === null) return { status: "unknown", detail: "no local source file is recorded" };
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR")
      return { status: "missing", detail: "the file is gone" };
    return { status: "unknown", detail: `cannot read the file: ${(error as Error).message}` };
  }
  if (sha256(bytes) !== stored.rawSha256)
    return { status: "changed", detail: "the file's bytes no longer hash to rawSha256" };
  if (!loadText) return { status: "matches", detail: "bytes only: the text was not re-derived" };
  let text: string;
  try {
    // The kinds the version redacted: redacting those again gives its text back (kinds that
    // matched nothing left no placeholder, and would replace nothing now either).
    const redact = [...new Set((stored.redactions ?? []).map((r) => r.kind))];
    text = await loadText({ path: file, bytes, redact });
  } catch (error) {
    return { status: "unknown", detail: `cannot re-derive the text: ${(error as Error).message}` };
  }
  if (text !== stored.text)
    return { status: "text_mismatch", detail: "the stored text is not what the file gives" };
  if (sha256(text) !== stored.textSha256)
    return { status: "text_mismatch", detail: "the stored text hash is not the text's" };
  return { status: "matches", detail: null };
}

/**
 * The source-file check of one stored version, for a citation trace or a recheck: one file read
 * and hash, and the text re-derived only when the bytes match.
 */
export async function checkVersionSourceFile(
  deps: { db: Database; loadSourceText?: LoadSourceText },
  version: StoredVersion & { ingestRunId: string | null },
  documentPath: string,
): Promise<SourceFileCheck> {
  const manifestPath = await readRunManifestPath(deps.db, version.ingestRunId);
  const file = manifestPath === null ? null : sourceFilePath(manifestPath, documentPath);
  const { status } = await compareSourceFile(file, version, deps.loadSourceText);
  return { status, checkedAt: new Date().toISOString() };
}

export type VerifySourcesOptions = {
  /** Superseded versions and removed documents and sources too (default: the searchable corpus). */
  all?: boolean;
  /**
   * Find every file under this manifest's folder, instead of under the folder of the manifest
   * each version was ingested from (as recorded with its run): for a corpus moved since.
   */
  manifestPath?: string;
  /** Only this tenant's sources. */
  tenant?: string;
};

export type SourceFileReport = {
  versionId: string;
  version: number;
  documentId: string;
  sourceId: string;
  tenant: string;
  path: string;
  /** The current version of a present document of a present source. */
  current: boolean;
  /** The file compared with, absolute; null when none is known. */
  file: string | null;
  status: SourceFileStatus;
  detail: string | null;
};

export type SourcesReport = {
  checkedAt: string;
  versions: SourceFileReport[];
  summary: Record<SourceFileStatus, number> & {
    checked: number;
    /**
     * Versions that should match and do not: any current one not `matches`, and any
     * `text_mismatch` (a superseded file has usually changed since; that is no problem).
     */
    problems: number;
  };
  ok: boolean;
};

/** Versions whose texts are read from the store at once. */
const TEXT_BATCH = 50;

/**
 * `npm run audit -- verify-sources`: re-read the source file of each stored version and compare
 * it with the stored rawSha256 and text (compareSourceFile). Catches a consistent rewrite of a
 * version's text, its hash and its chunks in the database, which no stored hash can.
 */
export async function verifySources(
  deps: { db: Database; loadText?: LoadSourceText },
  options: VerifySourcesOptions = {},
): Promise<SourcesReport> {
  const checkedAt = new Date().toISOString();
  const rows = await readVersionsToVerify(deps.db, options);
  const versions: SourceFileReport[] = [];
  for (let i = 0; i < rows.length; i += TEXT_BATCH) {
    const batch = rows.slice(i, i + TEXT_BATCH);
    const texts = await readVersionTexts(
      deps.db,
      batch.map((r) => r.id),
    );
    for (const row of batch) {
      const manifest = options.manifestPath ?? row.manifestPath;
      const file = manifest ? sourceFilePath(manifest, row.path) : null;
      const stored = texts.get(row.id)!;
      const { status, detail } = await compareSourceFile(
        file,
        { ...row, text: stored.text, textSha256: stored.sha256 },
        deps.loadText,
      );
      versions.push({
        versionId: row.id,
        version: row.version,
        documentId: row.documentId,
        sourceId: row.sourceId,
        tenant: row.tenant,
        path: row.path,
        current: !row.supersededAt && !row.documentRemovedAt && !row.sourceRemovedAt,
        file,
        status,
        detail,
      });
    }
  }
  const summary = {
    checked: versions.length,
    matches: 0,
    changed: 0,
    missing: 0,
    text_mismatch: 0,
    unknown: 0,
    problems: 0,
  };
  for (const v of versions) {
    summary[v.status] += 1;
    if (isProblem(v)) summary.problems += 1;
  }
  return { checkedAt, versions, summary, ok: summary.problems === 0 };
}

/** A stored text that is not its file's is always wrong; a superseded version's file moved on. */
export const isProblem = (v: Pick<SourceFileReport, "current" | "status">) =>
  v.status === "text_mismatch" || (v.current && v.status !== "matches");
