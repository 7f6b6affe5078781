import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { DATASET_PATHS, resolveDataset } from "../shared/datasets.ts";
import type { BaselineMode } from "./baseline.ts";
import type { LoadDatabase } from "./load.ts";
import { PINNED_QUESTIONS } from "./scale-questions.ts";

export const USAGE = `Usage: npm run bench -- [--quick] [--out FILE] [--store DIR] [--data FILE]
  [--paragraphs N] [--sizes 1000,10000,100000,1000000] [--questions N] [--scale-questions N]
  [--duration S] [--load-size N] [--load-connections 16,64] [--load-databases pglite,postgres]
  [--heap MiB] [--baseline fromTexts|addVectors]

  --quick       ~150 paragraphs, the 1k-chunk store only, 5 s HTTP runs (about three minutes
                once the 1k store is cached)
  --out FILE    JSON report (default bench-report.json)
  --store DIR   reuse this store for the SQuAD corpus instead of a fresh temporary one
  --data FILE   SQuAD 2.0 JSON (default ${DATASET_PATHS.squad2},
                from the repository root)
  --questions   questions asked in process on the SQuAD corpus (default 50 quick, 200 full)
  --sizes       scale stores, in chunks (default 1000,10000,100000,1000000; quick 1000). Each is
                built once (real chunks embedded once, then cached under
                node_modules/.cache/verity-bench) and measured in a process of its own
  --scale-questions  questions asked at each scale point (default 50 quick, 100 full; at most
                ${PINNED_QUESTIONS}: every store holds their gold documents)
  --duration S  seconds of every HTTP load run (default 60, quick 5)
  --load-size N the scale store the HTTP load runs use (default 100000, quick 1000)
  --load-connections  autocannon concurrencies on that store (default 16,64)
  --load-databases    pglite, postgres or both (default both; PostgreSQL at
                VERITY_TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test, in a
                throwaway database)
  --heap MiB    V8 heap limit (--max-old-space-size) of every measured process: the scale points
                and the servers (default Node's, about 4 GiB here)
  --baseline    fromTexts re-embeds the chunks (default in full runs); addVectors reuses the
                stored vectors (default with --quick)

Every timed series follows a warm-up, reported apart: 300 other questions before the in-process
answers (and the baseline's searches), and a run of at most 15 s at 16 connections, over other
questions, before each server's measured HTTP runs.
`;

export type BenchOptions = {
  quick: boolean;
  out: string;
  store: string | undefined;
  data: string;
  paragraphs: number | undefined;
  sizes: number[];
  questions: number;
  scaleQuestions: number;
  durationS: number;
  loadSize: number;
  loadConnections: number[];
  loadDatabases: LoadDatabase[];
  heapMib: number | undefined;
  baseline: BaselineMode;
};

export function parseOptions(argv: string[]): BenchOptions | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      out: { type: "string", default: "bench-report.json" },
      store: { type: "string" },
      data: { type: "string" },
      paragraphs: { type: "string" },
      sizes: { type: "string" },
      questions: { type: "string" },
      "scale-questions": { type: "string" },
      duration: { type: "string" },
      "load-size": { type: "string" },
      "load-connections": { type: "string" },
      "load-databases": { type: "string" },
      heap: { type: "string" },
      baseline: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return null;
  const quick = values.quick;
  const baseline = values.baseline ?? (quick ? "addVectors" : "fromTexts");
  if (baseline !== "fromTexts" && baseline !== "addVectors") {
    throw new Error(`--baseline must be fromTexts or addVectors\n\n${USAGE}`);
  }
  const scaleQuestions =
    positive("scale-questions", values["scale-questions"]) ?? (quick ? 50 : 100);
  if (scaleQuestions > PINNED_QUESTIONS)
    throw new Error(`--scale-questions must be at most ${PINNED_QUESTIONS}`);
  const databases = list(values["load-databases"] ?? "pglite,postgres");
  if (!databases.every((d): d is LoadDatabase => d === "pglite" || d === "postgres"))
    throw new Error(`--load-databases takes pglite, postgres or both\n\n${USAGE}`);
  return {
    quick,
    out: resolve(values.out),
    store: values.store ? resolve(values.store) : undefined,
    data: values.data === undefined ? resolveDataset("squad2") : resolve(values.data),
    paragraphs: positive("paragraphs", values.paragraphs) ?? (quick ? 150 : undefined),
    sizes: positives("sizes", values.sizes ?? (quick ? "1000" : "1000,10000,100000,1000000")),
    questions: positive("questions", values.questions) ?? (quick ? 50 : 200),
    scaleQuestions,
    durationS: positive("duration", values.duration) ?? (quick ? 5 : 60),
    loadSize: positive("load-size", values["load-size"]) ?? (quick ? 1000 : 100_000),
    loadConnections: positives("load-connections", values["load-connections"] ?? "16,64"),
    loadDatabases: databases,
    heapMib: positive("heap", values.heap),
    baseline,
  };
}

const list = (raw: string) =>
  raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");

function positives(name: string, raw: string): number[] {
  return list(raw).map((s) => positive(name, s)!);
}

function positive(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`--${name} must be a positive integer: ${raw}`);
  return n;
}
