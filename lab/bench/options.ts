import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { DATASET_PATHS, resolveDataset } from "../shared/datasets.ts";
import type { BaselineMode } from "./baseline.ts";

export const USAGE = `Usage: npm run bench -- [--quick] [--out FILE] [--store DIR] [--data FILE]
  [--paragraphs N] [--sizes 1000,10000,100000] [--questions N] [--scale-questions N]
  [--duration S] [--baseline fromTexts|addVectors]

  --quick       ~150 paragraphs, 1k-chunk scale only, 5 s HTTP runs (under two minutes)
  --out FILE    JSON report (default bench-report.json)
  --store DIR   reuse this store for the real corpus instead of a fresh temporary one
  --data FILE   SQuAD 2.0 JSON (default ${DATASET_PATHS.squad2},
                from the repository root)
  --questions   questions asked in process on the real corpus (default 50 quick, 200 full)
  --scale-questions  questions asked at each scale point (default 50 quick, 100 full)
  --baseline    fromTexts re-embeds the chunks (default in full runs); addVectors reuses the
                stored vectors (default with --quick)
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
  return {
    quick,
    out: resolve(values.out),
    store: values.store ? resolve(values.store) : undefined,
    data: values.data === undefined ? resolveDataset("squad2") : resolve(values.data),
    paragraphs: positive("paragraphs", values.paragraphs) ?? (quick ? 150 : undefined),
    sizes: (values.sizes ?? (quick ? "1000" : "1000,10000,100000"))
      .split(",")
      .map((s) => positive("sizes", s.trim())!),
    questions: positive("questions", values.questions) ?? (quick ? 50 : 200),
    scaleQuestions: positive("scale-questions", values["scale-questions"]) ?? (quick ? 50 : 100),
    durationS: positive("duration", values.duration) ?? (quick ? 5 : 20),
    baseline,
  };
}

function positive(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`--${name} must be a positive integer: ${raw}`);
  return n;
}
