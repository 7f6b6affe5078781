import { copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyTemplateStore } from "../support/databases.ts";
import { ROOT, runTsx, type Run } from "../support/run-tsx.ts";

const FIXTURES = join(ROOT, "test", "fixtures", "eval");
const POLICY = join(ROOT, "policy", "default.json");

const run = (args: string[], timeoutMs = 150_000) =>
  runTsx(args, { DATABASE_URL: "", VERITY_POLICY: "", VERITY_THRESHOLD: "" }, timeoutMs);

type Report = {
  dataset: string;
  questions: number;
  answerable: { n: number; answered: number; correct: number };
  unanswerable: { n: number; refused: number };
  accuracy: number;
  coverage: number;
  answered_precision: number;
  citations: { total: number; verified: number };
  retrieval: { recall_at_5: number; recall_at_10: number; ndcg_at_10: number; questions: number };
  latency_ms: { p50: number; p95: number };
  threshold: number;
  always_refuse_accuracy: number;
  best: { threshold: number; accuracy: number };
  sweep: { threshold: number; accuracy: number; coverage: number; answered_precision: number }[];
};

const readJson = async <T>(path: string) => JSON.parse(await readFile(path, "utf8")) as T;

/** What a user does: `npm run eval` on small datasets in both formats, then `npm run calibrate`. */
describe("npm run eval", () => {
  let dir: string;
  let squad: Run;
  let scifact: Run;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "verity-eval-cli-"));
    // Each --store starts as an initialised, empty PGlite database where the eval opens it
    // (VERITY_DATA_DIR/pglite): creating one costs seconds of CPU per process, and creating a
    // first store is covered by the run's first `npm run ingest` (see cli.test.ts). The datasets
    // are still ingested, embedded and asked by the commands.
    for (const store of ["squad-store", "scifact-store"])
      await copyTemplateStore("pglite", "empty", join(dir, store, "pglite"));
    // Two processes at once: each spends most of its time starting up and ingesting.
    [squad, scifact] = await Promise.all([
      run([
        "lab/eval/cli.ts",
        ...["--dataset", "squad2", "--data", join(FIXTURES, "squad-tiny.json")],
        ...["--store", join(dir, "squad-store"), "--out", join(dir, "squad.json")],
      ]),
      run([
        "lab/eval/cli.ts",
        ...["--dataset", "scifact", "--data", join(FIXTURES, "scifact-claims.jsonl")],
        ...["--corpus", join(FIXTURES, "scifact-corpus.jsonl")],
        ...["--store", join(dir, "scifact-store"), "--out", join(dir, "scifact.json")],
        ...["--details", join(dir, "scifact-details.jsonl")],
      ]),
    ]);
  }, 300_000);
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it("evaluates SQuAD 2.0: prints the table and writes the report and its plot", async () => {
    expect(squad.stderr).not.toMatch(/Error/);
    expect(squad.code).toBe(0);
    expect(squad.stdout).toMatch(/squad2: 11 questions \(7 answerable, 4 unanswerable\)/);
    expect(squad.stdout).toMatch(/always refuse/);
    const report = await readJson<Report>(join(dir, "squad.json"));
    const policy = await readJson<{ threshold: number }>(POLICY);
    expect(report).toMatchObject({
      dataset: "squad2",
      questions: 11,
      threshold: policy.threshold,
      answerable: { n: 7 },
      unanswerable: { n: 4 },
    });
    expect(report.always_refuse_accuracy).toBeCloseTo(4 / 11, 12);
    // The invented paragraphs state their answers plainly: the engine must beat refusing all.
    expect(report.best.accuracy).toBeGreaterThan(report.always_refuse_accuracy);
    expect(report.answerable.correct).toBeLessThanOrEqual(report.answerable.answered);
    expect(report.accuracy).toBeCloseTo(
      (report.answerable.correct + report.unanswerable.refused) / report.questions,
      12,
    );
    expect(report.citations.verified).toBeLessThanOrEqual(report.citations.total);
    expect(report.citations.verified).toBeGreaterThanOrEqual(report.answerable.answered);
    expect(report.retrieval.questions).toBe(11);
    expect(report.retrieval.recall_at_5).toBe(1); // four paragraphs in all
    expect(report.retrieval.ndcg_at_10).toBeGreaterThan(0.6);
    expect(report.latency_ms.p50).toBeGreaterThan(0);
    expect(report.latency_ms.p95).toBeGreaterThanOrEqual(report.latency_ms.p50);
    expect(report.sweep).toHaveLength(101);
    expect(report.sweep[0]).toEqual({
      threshold: 0,
      accuracy: expect.any(Number),
      coverage: expect.any(Number),
      answered_precision: expect.any(Number),
    });
    const svg = await readFile(join(dir, "squad.svg"), "utf8");
    expect(svg).toMatch(/^<\?xml[^>]*\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.trim().endsWith("</svg>")).toBe(true);
  });

  it("evaluates SciFact claims against their rationale sentences", async () => {
    expect(scifact.stderr).not.toMatch(/Error/);
    expect(scifact.code).toBe(0);
    const report = await readJson<Report>(join(dir, "scifact.json"));
    expect(report).toMatchObject({
      dataset: "scifact",
      questions: 5,
      answerable: { n: 3 },
      unanswerable: { n: 2 },
    });
    expect(report.always_refuse_accuracy).toBeCloseTo(2 / 5, 12);
    expect(report.best.accuracy).toBeGreaterThan(report.always_refuse_accuracy);
    expect(report.retrieval.recall_at_10).toBe(1); // six abstracts in all
    expect(report.retrieval.ndcg_at_10).toBeGreaterThan(0.6);
    const details = (await readFile(join(dir, "scifact-details.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map(
        (line) => JSON.parse(line) as { id: string; citations: { path: string; gold: boolean }[] },
      );
    expect(details.map((d) => d.id)).toEqual(["3", "8", "12", "20", "25"]);
    // Claim 12 is stated almost word for word by sentence 1 of abstract 103, its rationale.
    expect(details[2]!.citations[0]).toMatchObject({ path: "docs/103.txt", gold: true });
  });

  it("calibrates a policy file from a reused store, leaving the committed policy alone", async () => {
    const committed = await readFile(POLICY, "utf8");
    const policyPath = join(dir, "policy.json");
    await copyFile(POLICY, policyPath);
    const calibrated = await run([
      "lab/eval/calibrate.ts",
      ...["--dataset", "squad2", "--data", join(FIXTURES, "squad-tiny.json")],
      ...["--store", join(dir, "squad-store"), "--policy", policyPath],
    ]);
    expect(calibrated.code).toBe(0);
    expect(calibrated.stderr).toMatch(/ingest: skipped/);
    const report = await readJson<Report>(join(dir, "squad.json"));
    const policy = await readJson<{ threshold: number; calibration: Record<string, unknown> }>(
      policyPath,
    );
    expect(policy.threshold).toBe(report.best.threshold);
    expect(policy.calibration).toMatchObject({
      dataset: "squad2",
      data: join(FIXTURES, "squad-tiny.json"),
      questions: 11,
      accuracy: Math.round(report.best.accuracy * 10000) / 10000,
      command: expect.stringMatching(/^npm run calibrate -- --dataset squad2 /),
    });
    expect(await readFile(POLICY, "utf8")).toBe(committed);
  }, 150_000);

  it("explains its usage and exits 2 on a bad command line", async () => {
    const bad = await run(["lab/eval/cli.ts", "--dataset", "squad2"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Usage:/);
  });
});
