import { isAbsolute } from "node:path";
import { z } from "@hono/zod-openapi";
import { safeText } from "../text/safe-text.ts";

/*
 * What an ingest run looks like to a client, and what the pipeline records as its summary: one
 * set of types for the pipeline (ingest/), the routes and the CLI that polls a server.
 */

const count = z.number().int().nonnegative();

/** How far a run has got; live while the server runs it, from its summary once finished. */
export const IngestProgress = z
  .object({
    totalFiles: count.nullable().openapi({ description: "null until the files are discovered" }),
    done: count,
    added: count,
    updated: count,
    unchanged: count,
    failed: count,
    lastFile: z.string().nullable().openapi({ description: "`source:path` of the last file done" }),
  })
  .openapi("IngestProgress");
export type IngestProgress = z.infer<typeof IngestProgress>;

export const IngestSummary = z
  .object({
    runId: z.string(),
    files: z.object({
      seen: count,
      added: count,
      updated: count,
      unchanged: count,
      removed: count,
      failed: count,
    }),
    chunks: z.object({
      written: count,
      embedded: count,
      reused: count,
      // Summaries recorded before chunks were flagged have no count: read them as 0.
      suspectedInjection: count.default(0).openapi({
        description: "Chunks written by this run that read like instructions to a model",
      }),
      // Summaries recorded before re-embedding existed have no count: read them as 0.
      reembedded: count.default(0).openapi({
        description:
          "Chunks of unchanged versions given this encoder's vectors: another model had embedded them",
      }),
    }),
    failures: z.array(z.object({ source: z.string(), path: z.string(), error: z.string() })),
    removed: z.array(z.object({ source: z.string(), path: z.string() })),
    timingsMs: z.object({
      load: z.number(),
      chunk: z.number(),
      embed: z.number(),
      persist: z.number(),
      total: z.number(),
    }),
    /**
     * The serving index after the run; null when the run did not refresh one. `rebuilt`: it
     * changed to reflect the run (followed in place or opened afresh).
     */
    index: z
      .object({
        chunks: count,
        rebuilt: z.boolean(),
        ms: z.number(),
      })
      .nullable()
      .default(null),
    changed: z.boolean(),
  })
  .openapi("IngestSummary");
export type IngestSummary = z.infer<typeof IngestSummary>;

export const RemovalSummary = z
  .object({
    runId: z.string(),
    source: z.string(),
    removed: z.array(z.string()).openapi({ description: "Paths no longer searched" }),
  })
  .openapi("RemovalSummary");
export type RemovalSummary = z.infer<typeof RemovalSummary>;

export const IngestRunStatus = z.enum(["running", "finished", "failed", "aborted"]);

export const IngestRun = z
  .object({
    id: z.string().openapi({ example: "run_..." }),
    kind: z.enum(["manifest", "remove-source"]),
    status: IngestRunStatus,
    manifest: z.string().nullable().openapi({ description: "The manifest ingested (absolute)" }),
    sourceId: z.string().nullable().openapi({ description: "The source a removal removes" }),
    by: z.string(),
    startedAt: z.string().openapi({ format: "date-time" }),
    finishedAt: z.string().nullable().openapi({ format: "date-time" }),
    progress: IngestProgress.nullable().openapi({
      description: "null for removals, and for runs of another process or of an earlier server",
    }),
    summary: z.union([IngestSummary, RemovalSummary]).nullable(),
    error: z.string().nullable(),
    links: z.object({ self: z.string() }),
  })
  .openapi("IngestRun");
export type IngestRun = z.infer<typeof IngestRun>;

export const IngestRunRequest = z
  .object({
    manifest: safeText(
      z
        .string()
        .min(1)
        .max(4096)
        .refine(isAbsolute, "must be an absolute path on the server's filesystem"),
    )
      .optional()
      .openapi({
        description: "A sources manifest to ingest, read by the server from its own filesystem",
        example: "/srv/verity/sources/sources.json",
      }),
    removeSource: safeText(z.string().min(1).max(100))
      .optional()
      .openapi({ description: "A source to remove instead (its versions stay for old citations)" }),
    by: safeText(z.string().trim().min(1).max(200)).optional().openapi({
      description: "Who is ingesting, recorded on every version",
      example: "alice@laptop",
    }),
  })
  .strict()
  .superRefine((body, ctx) => {
    const given = [body.manifest, body.removeSource].filter((v) => v !== undefined).length;
    if (given !== 1)
      ctx.addIssue({
        code: "custom",
        path: [],
        message: given
          ? "give manifest or removeSource, not both"
          : "give manifest or removeSource",
      });
  })
  .openapi("IngestRunRequest");
export type IngestRunRequest = z.infer<typeof IngestRunRequest>;
