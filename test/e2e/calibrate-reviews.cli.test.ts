import { copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import { answers, reviews } from "../../src/db/schema/index.ts";
import { copyTemplateStore, storeKinds, type StoreKind } from "../support/databases.ts";
import { ROOT, runTsx, type Run } from "../support/run-tsx.ts";

type Seed = {
  question: string;
  status: "answered" | "refused";
  score: number;
  verdicts: ("correct" | "incorrect" | "unsupported")[];
  threshold?: number;
  verifier?: string;
};

/**
 * Reviewed answers under the shipped policy (questions 0.75, claims 0.78): the answered ones
 * reach precision 0.9 from 0.77 up; one refusal just under the threshold was judged wrong; one
 * answer was scored by a verifier, whose probabilities are set aside; the last verdict counts.
 */
const SEEDS: Seed[] = [
  { question: "Q1?", status: "answered", score: 0.76, verdicts: ["incorrect"] },
  { question: "Q2?", status: "answered", score: 0.78, verdicts: ["correct"] },
  { question: "Q3?", status: "answered", score: 0.82, verdicts: ["correct"] },
  { question: "Q4?", status: "answered", score: 0.9, verdicts: ["correct"] },
  { question: "Q5?", status: "answered", score: 0.95, verdicts: ["incorrect", "correct"] },
  { question: "Q6?", status: "refused", score: 0.72, verdicts: ["incorrect"] },
  { question: "Q7?", status: "refused", score: 0.6, verdicts: ["correct"] },
  { question: "Q8?", status: "answered", score: 0.99, verdicts: ["incorrect"], verifier: "gbt-x" },
  {
    question: "Vitamin D lowers the risk of falls in older adults.",
    status: "answered",
    score: 0.8,
    verdicts: ["correct"],
    threshold: 0.78,
  },
];

async function seed(db: DatabaseHandle["db"]): Promise<void> {
  let ledgerIndex = 0;
  for (const [i, s] of SEEDS.entries()) {
    const id = `ans_seed${i}`;
    const threshold = s.threshold ?? 0.75;
    const reason =
      s.status === "refused" ? { code: "LOW_SUPPORT", message: "-", bestScore: s.score } : null;
    const response = {
      id,
      status: s.status,
      support: s.status === "answered" ? s.score : null,
      reason,
      policy: { threshold, verifier: s.verifier ?? null },
    };
    await db.insert(answers).values({
      id,
      question: s.question,
      status: s.status,
      reasonCode: reason?.code ?? null,
      threshold,
      response,
      createdAt: new Date(Date.UTC(2026, 11, 1, 0, i)),
    });
    for (const [j, verdict] of s.verdicts.entries())
      await db.insert(reviews).values({
        id: `rev_seed${i}_${j}`,
        answerId: id,
        verdict,
        tenant: "default",
        ledgerIndex: ledgerIndex++,
        createdAt: new Date(Date.UTC(2026, 11, 2, 0, i, j)),
      });
  }
}

describe.each(storeKinds())("npm run calibrate -- --from-reviews on %s", (kind: StoreKind) => {
  let dir: string;
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  let run: Run;
  const policyPath = () => join(dir, "policy.json");
  const calibrate = (...args: string[]) =>
    runTsx(["lab/eval/calibrate.ts", "--from-reviews", ...args], env, 90_000);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "verity-calibrate-reviews-"));
    await copyFile(join(ROOT, "policy", "default.json"), policyPath());
    const store = await copyTemplateStore(kind, "empty", join(dir, "data", "pglite"));
    drop = store.drop;
    env = {
      DATABASE_URL: store.url ?? "",
      VERITY_DATA_DIR: join(dir, "data"),
      VERITY_POLICY: "",
      VERITY_THRESHOLD: "",
      VERITY_TARGET_PRECISION: "",
    };
    const handle = await openDatabase(store.url ? { url: store.url } : { dataDir: store.dataDir! });
    try {
      await seed(handle.db);
    } finally {
      await handle.close();
    }
    run = await calibrate("--policy", policyPath(), "--out", join(dir, "report.json"));
  }, 180_000);
  afterAll(async () => {
    await drop?.();
    await rm(dir, { recursive: true, force: true });
  });

  it("reports where the reviewed answers reach the target precision, and how many it rests on", () => {
    expect(run.code, run.stderr).toBe(0);
    const out = run.stdout;
    expect(out).toContain("Calibration from reviews: 9 reviewed answers");
    expect(out).toContain("1 set aside: scored by another scorer than heuristic");
    expect(out).toContain(
      "questions: 7 reviewed (5 answered, 2 refused); threshold 0.75, target precision 0.9",
    );
    expect(out).toMatch(/^ +0\.75 +5 +4 +0\.80 +<- policy$/m);
    expect(out).toContain("at the policy's 0.75: precision 0.80 over 5 reviewed answers");
    expect(out).toContain(
      "lowest threshold reaching 0.9: 0.77 (precision 1.00 over 4 reviewed answers, 95% interval 0.51-1.00)",
    );
    expect(out).toContain("1 of 2 reviewed refusals judged wrongly refused, best scores 0.72");
    expect(out).toContain("claims: 1 reviewed (1 answered, 0 refused); threshold 0.78");
    expect(out).toContain("The policy is unchanged");
  });

  it("writes the report as JSON, and never the policy", async () => {
    const report = JSON.parse(await readFile(join(dir, "report.json"), "utf8"));
    expect(report).toMatchObject({ reviewedAnswers: 9, setAside: 1, scorer: "heuristic" });
    const [questions, claims] = report.forms;
    expect(questions).toMatchObject({
      form: "question",
      floor: 0.75,
      current: { threshold: 0.75, answered: 5, correct: 4, precision: 0.8 },
      target: { threshold: 0.77, answered: 4, correct: 4, precision: 1 },
      wronglyRefused: [0.72],
    });
    expect(claims).toMatchObject({
      form: "claim",
      floor: 0.78,
      target: { threshold: 0.78, answered: 1 },
    });
    expect(await readFile(policyPath(), "utf8")).toBe(
      await readFile(join(ROOT, "policy", "default.json"), "utf8"),
    );
  });

  it("follows --target-precision, never below what the reviewed answers were held to", async () => {
    const looser = await calibrate("--policy", policyPath(), "--target-precision", "0.7");
    expect(looser.code, looser.stderr).toBe(0);
    // 0.8 from 0.75 up; below 0.75 answers would be given that nobody reviewed.
    expect(looser.stdout).toContain("lowest threshold reaching 0.7: 0.75");
    const bad = await calibrate("--target-precision", "1.5");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--target-precision must be a number in 0..1");
  });

  // An embedded store has one owner; PostgreSQL serves a server and the report at once.
  const heldStory =
    kind === "pglite"
      ? "stops at once, naming the owner, while a server holds the store"
      : "reads the reviews while a server holds connections to the database";
  it(heldStory, async () => {
    if (kind === "postgres") {
      const server = await openDatabase({ url: env.DATABASE_URL! });
      try {
        const report = await calibrate("--policy", policyPath());
        expect(report.code, report.stderr).toBe(0);
        expect(report.stdout).toContain("lowest threshold reaching");
      } finally {
        await server.close();
      }
      return;
    }
    const held = await openDatabase({ dataDir: join(dir, "data", "pglite"), role: "server" });
    try {
      const locked = await calibrate("--policy", policyPath());
      expect(locked.code).toBe(1);
      expect(locked.stderr).toContain("Stop it first: calibrate reads the reviews");
    } finally {
      await held.close();
    }
    const missing = await runTsx(["lab/eval/calibrate.ts", "--from-reviews"], {
      ...env,
      VERITY_DATA_DIR: join(dir, "nowhere"),
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`No store at ${join(dir, "nowhere", "pglite")}`);
  });
});
