import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { desc, eq, sql } from "drizzle-orm";
import { hashPolicy, loadPolicy } from "../../src/answer/policy.ts";
import { loadConfig } from "../../src/config.ts";
import type { Database } from "../../src/db/client.ts";
import { answers, reviews } from "../../src/db/schema/index.ts";
import { openConfiguredDatabase } from "../../src/deps.ts";
import { UsageError } from "./options.ts";
import { formOf } from "./reliability.ts";
import {
  calibrateFromReviews,
  formatFormCalibration,
  type ReviewedAnswer,
  type Verdict,
} from "./review-calibration.ts";

export const FROM_REVIEWS_USAGE = `Usage: npm run calibrate -- --from-reviews [--policy PATH] [--target-precision P] [--out FILE]

Reads the reviewers' verdicts in the store DATABASE_URL or VERITY_DATA_DIR names (an embedded
store must not be in use by a running server) and reports, for questions and for claims, the
precision of the reviewed answers at every threshold and the lowest threshold reaching the target
precision (default: the policy's targetPrecision). Each answer counts once, by its latest verdict.
It never writes the policy.`;

/** A reviewed answer as stored, before it is read as calibration reads it. */
type StoredReview = {
  answerId: string;
  question: string;
  status: ReviewedAnswer["status"];
  verdict: Verdict;
  support: number | null;
  bestScore: number | null;
  reasonCode: string | null;
  threshold: number;
  scorer: string | null;
  policyHash: string | null;
};

/** Every reviewed answer with its latest verdict (the ledger keeps the earlier ones). */
export async function readReviewedAnswers(db: Database): Promise<StoredReview[]> {
  const rows = await db
    .selectDistinctOn([reviews.answerId], {
      answerId: reviews.answerId,
      question: answers.question,
      status: answers.status,
      verdict: reviews.verdict,
      support: sql<number | null>`(${answers.response}->>'support')::float8`,
      bestScore: sql<number | null>`(${answers.response}->'reason'->>'bestScore')::float8`,
      reasonCode: answers.reasonCode,
      threshold: answers.threshold,
      scorer: sql<string | null>`${answers.response}->'policy'->>'verifier'`,
      policyHash: answers.policyHash,
    })
    .from(reviews)
    .innerJoin(answers, eq(answers.id, reviews.answerId))
    .orderBy(reviews.answerId, desc(reviews.createdAt), desc(reviews.ledgerIndex));
  const num = (x: number | null) => (x === null ? null : Number(x));
  return rows.map((r) => ({ ...r, support: num(r.support), bestScore: num(r.bestScore) }));
}

/** `npm run calibrate -- --from-reviews`: report, never write. */
export async function calibrateFromReviewsCli(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        policy: { type: "string" },
        "target-precision": { type: "string" },
        out: { type: "string" },
      },
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${FROM_REVIEWS_USAGE}`);
  }
  const target = values["target-precision"];
  if (target !== undefined && !(/^\d+(\.\d+)?$/.test(target) && Number(target) <= 1))
    throw new UsageError(`--target-precision must be a number in 0..1, got "${target}"`);
  const config = loadConfig({ ...env, VERITY_POLICY: values.policy ?? env.VERITY_POLICY });
  const { policy, verifier } = loadPolicy(config.VERITY_POLICY, {
    threshold: config.VERITY_THRESHOLD,
    targetPrecision: config.VERITY_TARGET_PRECISION,
  });
  const pgliteDir = join(config.VERITY_DATA_DIR, "pglite");
  if (!config.DATABASE_URL && !existsSync(pgliteDir))
    throw new Error(`No store at ${pgliteDir}: set VERITY_DATA_DIR or DATABASE_URL.`);
  const database = await openConfiguredDatabase(config, "calibrate");
  let stored: StoredReview[];
  try {
    await database.migrate();
    stored = await readReviewedAnswers(database.db);
  } finally {
    await database.close();
  }
  // Scores of another scorer (a verifier's or a cross-encoder's probability) are not comparable.
  const scorer = verifier?.version ?? null;
  const comparable = stored.filter((r) => r.scorer === scorer);
  const items: ReviewedAnswer[] = comparable.map((r) => ({
    answerId: r.answerId,
    form: formOf(r.question),
    status: r.status,
    support: r.support,
    bestScore: r.reasonCode === "LOW_SUPPORT" ? r.bestScore : null,
    threshold: r.threshold,
    verdict: r.verdict,
  }));
  const targetPrecision = target === undefined ? policy.targetPrecision : Number(target);
  const hash = hashPolicy(policy);
  const forms = [
    calibrateFromReviews(items, "question", { threshold: policy.threshold, targetPrecision }),
    calibrateFromReviews(items, "claim", {
      threshold: policy.claimThreshold ?? policy.threshold,
      targetPrecision,
    }),
  ];
  const report = {
    store: config.DATABASE_URL ? "postgres" : pgliteDir,
    policy: { path: config.VERITY_POLICY, hash, version: policy.version },
    reviewedAnswers: stored.length,
    underThisPolicy: stored.filter((r) => r.policyHash === hash).length,
    setAside: stored.length - comparable.length,
    scorer: scorer ?? "heuristic",
    forms,
  };
  console.log(
    [
      `Calibration from reviews: ${stored.length} reviewed answers in ${report.store}, ` +
        `${report.underThisPolicy} of them answered under the policy in force ` +
        `(${config.VERITY_POLICY}, version ${policy.version ?? "unset"}, hash ${hash.slice(0, 12)})`,
      ...(report.setAside
        ? [`${report.setAside} set aside: scored by another scorer than ${report.scorer}`]
        : []),
      ...forms.flatMap(formatFormCalibration),
      "The policy is unchanged: to adopt a threshold, edit the policy file or set VERITY_THRESHOLD.",
    ].join("\n"),
  );
  if (values.out) {
    await mkdir(dirname(values.out), { recursive: true });
    await writeFile(values.out, JSON.stringify(report, null, 2) + "\n");
  }
}
