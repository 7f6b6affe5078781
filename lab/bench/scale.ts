import { writeFile } from "node:fs/promises";
import { totalmem } from "node:os";
import { join } from "node:path";
import type { Embedder } from "../../src/retrieval/embedder.ts";
import { runJsonChild } from "./child.ts";
import type { RealCorpora } from "./real-passages.ts";
import type { ScaleMeasurement } from "./scale-point.ts";
import { ensureScaleStore, type ScaleStoreInfo } from "./scale-store.ts";

/** A store and what serving it measured, or why it could not be measured. */
export type ScalePoint = Omit<ScaleStoreInfo, "dir"> & {
  /** The V8 heap limit the measuring process ran with (null: Node's default). */
  heap_limit_mib: number | null;
  /** Why the heap limit was raised for a second try, when it was. */
  retried: string | null;
  /** Why nothing was measured, when the process died (measured is then null). */
  failure: string | null;
  measured: ScaleMeasurement | null;
};

const POINT_SCRIPT = "lab/bench/scale-point.ts";
/** A store that does not open within Node's default heap is measured again with this one. */
const RETRY_HEAP_MIB = Math.min(16_384, Math.floor((totalmem() / 2 ** 20) * 0.6));

/**
 * In-process answer latency and memory on stores of each size: each store built (or taken from
 * the cache) here, then measured in a process of its own (scale-point.ts), so the memory it
 * reports is that store's alone. A process that runs out of V8 heap at Node's default limit is
 * run again with a larger one, and the report says so.
 */
export async function measureScale(
  sizes: number[],
  context: {
    corpora: RealCorpora;
    embedder: Embedder;
    questions: string[];
    /** Answered first, untimed in the figures (query.ts): other questions than `questions`. */
    warmUp: string[];
    workDir: string;
    heapMib?: number;
    log: (message: string) => void;
  },
): Promise<ScalePoint[]> {
  const { log } = context;
  const questionsFile = join(context.workDir, "scale-questions.json");
  await writeFile(questionsFile, JSON.stringify(context.questions));
  const warmUpFile = join(context.workDir, "scale-warm-up.json");
  await writeFile(warmUpFile, JSON.stringify(context.warmUp));
  const points: ScalePoint[] = [];
  for (const size of sizes) {
    log(`scale ${size} chunks: opening or building the store`);
    const { dir, ...info } = await ensureScaleStore(size, context);
    const measure = (heapMib: number | undefined) => {
      log(
        `scale ${size} chunks: asking ${context.warmUp.length} + ${context.questions.length} questions in a new process`,
      );
      return runJsonChild<ScaleMeasurement>(
        POINT_SCRIPT,
        ["--store", dir, "--questions", questionsFile, "--warm-up", warmUpFile],
        { exposeGc: true, heapMib, log: (line) => log(`  scale ${size}: ${line}`) },
      );
    };
    let heap = context.heapMib ?? null;
    let retried: string | null = null;
    let failure: string | null = null;
    let measured: ScaleMeasurement | null = null;
    try {
      measured = await measure(heap ?? undefined);
    } catch (error) {
      failure = describeFailure(error);
    }
    if (failure?.includes("heap out of memory") && heap === null) {
      retried = `out of V8 heap at Node's default limit (${failure})`;
      heap = RETRY_HEAP_MIB;
      log(`scale ${size} chunks: ${retried}; again with ${heap} MiB`);
      failure = null;
      measured = await measure(heap).catch((error: unknown) => {
        failure = describeFailure(error);
        return null;
      });
    }
    points.push({ ...info, heap_limit_mib: heap, retried, failure, measured });
  }
  return points;
}

/** The line of a child's stderr that says what went wrong. */
function describeFailure(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text.split("\n");
  return (lines.find((l) => /FATAL ERROR|Error:/.test(l)) ?? lines[0]!).trim().slice(0, 300);
}
