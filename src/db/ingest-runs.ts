import { hostname } from "node:os";
import { and, eq, inArray, lt, or, sql } from "drizzle-orm";
import { newId } from "../ids.ts";
import { isProcessGone } from "./process-gone.ts";
import type { Database } from "./client.ts";
import { ingestRuns, type IngestRunRow } from "./schema/index.ts";

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
  const rows = await db
    .update(ingestRuns)
    .set({ status: "aborted", finishedAt: new Date(), error: "the run stopped before it finished" })
    .where(
      and(
        eq(ingestRuns.status, "running"),
        dead.length ? or(silent, inArray(ingestRuns.process, dead)) : silent,
      ),
    )
    .returning({ id: ingestRuns.id });
  return rows.length;
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

/** Record how a run ended: "aborted" when it was stopped on purpose (a server shutting down). */
export async function finishIngestRun(
  db: Database,
  runId: string,
  outcome: { status: "finished" | "failed" | "aborted"; summary?: unknown; error?: string },
): Promise<void> {
  await db
    .update(ingestRuns)
    .set({ ...outcome, finishedAt: new Date(), heartbeatAt: new Date() })
    .where(eq(ingestRuns.id, runId));
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
