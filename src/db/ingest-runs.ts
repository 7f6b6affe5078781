import { hostname } from "node:os";
import { and, desc, eq, inArray, lt, ne, or, sql } from "drizzle-orm";
import { newId } from "../ids.ts";
import { isProcessGone } from "./process-gone.ts";
import type { Database } from "./client.ts";
import { sha256 } from "../hash.ts";
import { appendInTransaction } from "../ledger/append.ts";
import { chunks, documentVersions, ingestRuns, type IngestRunRow } from "./schema/index.ts";

/** How often a running run says it is alive, and how long a silent one is presumed killed. */
export const HEARTBEAT_MS = 5_000;
export const STALE_RUN_MS = 30_000;

/** Another run is changing the corpus: one at a time, whichever process started it. */
export class IngestBusyError extends Error {
  override name = "IngestBusyError";
  constructor(readonly running: IngestRunRow) {
    super(
      `Another ingestion is running: ${running.id} by ${running.ingestedBy}, started ${running.startedAt.toISOString()}` +
        `${running.manifestPath ? ` on ${running.manifestPath}` : ""}. Wait for it to finish.`,
    );
  }
}

const THIS_PROCESS = `${process.pid}@${hostname()}`;

/** Processes on this host that no longer exist, among `pid@host` names. */
function deadHere(names: (string | null)[]): string[] {
  return names.filter((name): name is string => {
    const at = name?.indexOf("@") ?? -1;
    return at > 0 && isProcessGone(Number(name!.slice(0, at)), name!.slice(at + 1));
  });
}

/**
 * Mark runs whose process is gone as aborted: those of a dead process on this host at once, any
 * other once its heartbeat has been silent for `silentForMs` (0: every running run, for the
 * exclusive owner of an embedded store).
 */
export async function abortSilentRuns(db: Database, silentForMs = STALE_RUN_MS): Promise<number> {
  const running = await db
    .select({ process: ingestRuns.process })
    .from(ingestRuns)
    .where(eq(ingestRuns.status, "running"));
  if (running.length === 0) return 0;
  const dead = deadHere(running.map((r) => r.process));
  const cutoff = new Date(Date.now() - silentForMs);
  const silent = lt(ingestRuns.heartbeatAt, cutoff);
  return db.transaction(async (txn) => {
    const tx = txn as unknown as Database;
    const rows = await tx
      .update(ingestRuns)
      .set({
        status: "aborted",
        finishedAt: new Date(),
        error: "the run stopped before it finished",
      })
      .where(
        and(
          eq(ingestRuns.status, "running"),
          dead.length ? or(silent, inArray(ingestRuns.process, dead)) : silent,
        ),
      )
      .returning();
    // A killed run's versions are vouched for like any other's.
    for (const run of rows) await recordRunEnd(tx, run);
    return rows.length;
  });
}

/** Unique violation: the one-running-run index refused a second run. */
const isUniqueViolation = (error: unknown) =>
  [error, (error as { cause?: unknown }).cause].some(
    (e) => (e as { code?: unknown } | undefined)?.code === "23505",
  );

/**
 * Record a new running run, after aborting silent ones. Throws IngestBusyError when a live run
 * holds the corpus (the database's unique index decides, so two processes cannot both start).
 */
export async function startIngestRun(
  db: Database,
  run: {
    kind: IngestRunRow["kind"];
    manifestPath?: string;
    sourceId?: string;
    ingestedBy: string;
    /** Whose run it is; "default" (the CLI's) when not said. */
    tenant?: string;
  },
): Promise<IngestRunRow> {
  await abortSilentRuns(db);
  try {
    const [row] = await db
      .insert(ingestRuns)
      .values({ id: newId("run"), process: THIS_PROCESS, ...run })
      .returning();
    return row!;
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const [running] = await db.select().from(ingestRuns).where(eq(ingestRuns.status, "running"));
    if (!running) throw error;
    throw new IngestBusyError(running);
  }
}

/** Keep a run's heartbeat fresh until the returned stop() is called. */
export function keepAlive(db: Database, runId: string): () => void {
  const timer = setInterval(() => {
    void db
      .update(ingestRuns)
      .set({ heartbeatAt: sql`now()` })
      .where(and(eq(ingestRuns.id, runId), eq(ingestRuns.status, "running")))
      .catch(() => {}); // a missed beat only risks a later "aborted": the run itself goes on
  }, HEARTBEAT_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Whether the run started before `runId` finished: a run that finished refreshed the corpus
 * statistics after its last change (or changed nothing); one that failed, was aborted or was
 * killed may have committed documents without refreshing them.
 */
export async function previousRunFinished(db: Database, runId: string): Promise<boolean> {
  const [previous] = await db
    .select({ status: ingestRuns.status })
    .from(ingestRuns)
    .where(ne(ingestRuns.id, runId))
    .orderBy(desc(ingestRuns.startedAt))
    .limit(1);
  return previous === undefined || previous.status === "finished";
}

/**
 * Record how a run ended ("aborted" when it was stopped on purpose, a server shutting down), and
 * append it to the ledger in the same transaction with the hashes of every version it stored: a
 * later rewrite of a version's text or chunks, hashes included, no longer matches its record.
 */
export async function finishIngestRun(
  db: Database,
  runId: string,
  outcome: { status: "finished" | "failed" | "aborted"; summary?: unknown; error?: string },
): Promise<void> {
  await db.transaction(async (txn) => {
    const tx = txn as unknown as Database;
    const [run] = await tx
      .update(ingestRuns)
      .set({ ...outcome, finishedAt: new Date(), heartbeatAt: new Date() })
      .where(eq(ingestRuns.id, runId))
      .returning();
    if (run) await recordRunEnd(tx, run);
  });
}

/** Append a finished (failed, aborted) run to the ledger, inside the transaction that ended it. */
async function recordRunEnd(tx: Database, run: IngestRunRow): Promise<void> {
  const versions = await readRunVersions(tx, run.id);
  await appendInTransaction(tx, {
    kind: "ingest.run",
    actor: { tenant: run.tenant, keyId: null },
    requestId: null,
    subject: run.id,
    payload: () => ({
      runId: run.id,
      kind: run.kind,
      manifestPath: run.manifestPath,
      sourceId: run.sourceId,
      by: run.ingestedBy,
      status: run.status,
      startedAt: run.startedAt.toISOString(),
      summary: run.summary ?? null,
      error: run.error,
      versions,
    }),
  });
}

/**
 * The versions a run stored, with the hash of their text, of the file they came from, and of
 * their chunks' hashes in order: what the ledger vouches for.
 */
export async function readRunVersions(db: Database, runId: string) {
  const versions = await db
    .select({
      versionId: documentVersions.id,
      documentId: documentVersions.documentId,
      version: documentVersions.version,
      textSha256: documentVersions.textSha256,
      rawSha256: documentVersions.rawSha256,
    })
    .from(documentVersions)
    .where(eq(documentVersions.ingestRunId, runId))
    .orderBy(documentVersions.id);
  if (versions.length === 0) return [];
  const hashes = await db
    .select({ versionId: chunks.versionId, sha256: chunks.sha256 })
    .from(chunks)
    .innerJoin(documentVersions, eq(chunks.versionId, documentVersions.id))
    .where(eq(documentVersions.ingestRunId, runId))
    .orderBy(chunks.versionId, chunks.ordinal);
  const byVersion = new Map<string, string[]>();
  for (const h of hashes)
    byVersion.set(h.versionId, [...(byVersion.get(h.versionId) ?? []), h.sha256]);
  return versions.map((v) => ({
    ...v,
    chunksSha256: sha256((byVersion.get(v.versionId) ?? []).join(",")),
  }));
}

/** A run by id; with `tenant`, only that tenant's (another's is as missing as none). */
export async function findIngestRun(
  db: Database,
  id: string,
  tenant?: string,
): Promise<IngestRunRow | null> {
  const [row] = await db
    .select()
    .from(ingestRuns)
    .where(
      tenant === undefined
        ? eq(ingestRuns.id, id)
        : and(eq(ingestRuns.id, id), eq(ingestRuns.tenant, tenant)),
    );
  return row ?? null;
}
