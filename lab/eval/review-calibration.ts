import { round } from "../shared/stats.ts";
import { sweepThresholds } from "../shared/sweep.ts";
import type { Form } from "./reliability.ts";

/** Policy thresholds are stated to two decimals, so the sweep steps by 0.01 (as eval's does). */
const THRESHOLD_STEPS = 100;

export type Verdict = "correct" | "incorrect" | "unsupported";

/** A reviewed answer as calibration reads it: its latest verdict and the scores it was given. */
export type ReviewedAnswer = {
  answerId: string;
  form: Form;
  status: "answered" | "partial" | "refused";
  /** Support of an answer (the weakest answered part's for `partial`); null for a refusal. */
  support: number | null;
  /** A LOW_SUPPORT refusal's best score; null for other refusals and for answers. */
  bestScore: number | null;
  /** The threshold it was held to when it was answered. */
  threshold: number;
  verdict: Verdict;
};

/** What answering at `threshold` would have given the reviewed answers. */
export type ReviewPoint = {
  threshold: number;
  /** Reviewed answers whose support reaches the threshold: they would still be answered. */
  answered: number;
  /** Of those, the ones a reviewer judged `correct`. */
  correct: number;
  /** correct / answered; null when nothing would be answered. */
  precision: number | null;
};

export type FormCalibration = {
  form: Form;
  /** The threshold the policy holds this form to now. */
  threshold: number;
  targetPrecision: number;
  reviewed: { answers: number; answered: number; refused: number };
  /**
   * The highest threshold a reviewed item was held to. Below it, answers were refused that the
   * lower threshold would give, and nobody judged them: precision is known from here up only.
   */
  floor: number;
  /** The point at the policy's threshold; null when that is below the floor. */
  current: ReviewPoint | null;
  /**
   * The lowest threshold from the floor up whose reviewed answers reach the target precision,
   * with a 95% Wilson interval for that precision; null when none does.
   */
  target: (ReviewPoint & { interval: [number, number] }) | null;
  /** Thresholds from the floor to 1.00, by 0.01. */
  sweep: ReviewPoint[];
  /**
   * Best scores of the reviewed LOW_SUPPORT refusals a reviewer judged wrongly refused, highest
   * first: how far the threshold would have to come down to answer them (at unknown precision).
   */
  wronglyRefused: number[];
};

/** The point at `threshold`: an answer counts when its support reaches it. */
export function reviewPointAt(items: ReviewedAnswer[], threshold: number): ReviewPoint {
  const answered = items.filter(
    (i) => i.status !== "refused" && i.support !== null && i.support >= threshold,
  );
  const correct = answered.filter((i) => i.verdict === "correct").length;
  return {
    threshold,
    answered: answered.length,
    correct,
    precision: answered.length ? correct / answered.length : null,
  };
}

/**
 * How the threshold of one form would move given its reviews: precision among the reviewed
 * answers at every threshold from the floor up, the lowest reaching `targetPrecision`, and the
 * counts each rests on. Refusals cannot say how precise their answers would be, only which were
 * judged wrongly refused: they are listed beside the precision, never in it.
 */
export function calibrateFromReviews(
  items: ReviewedAnswer[],
  form: Form,
  policy: { threshold: number; targetPrecision: number },
): FormCalibration {
  const own = items.filter((i) => i.form === form);
  // Stored as a 4-byte real (0.78 reads back as 0.7799999713897705): four decimals are what was meant.
  const floor = round(Math.max(0, ...own.map((i) => i.threshold)), 4);
  const sweep = sweepThresholds(THRESHOLD_STEPS, (t) => reviewPointAt(own, t)).filter(
    (p) => p.threshold >= floor - 1e-9,
  );
  const reaching = sweep.find(
    (p) => p.answered > 0 && p.precision !== null && p.precision >= policy.targetPrecision,
  );
  const refusals = own.filter((i) => i.status === "refused");
  return {
    form,
    threshold: policy.threshold,
    targetPrecision: policy.targetPrecision,
    reviewed: {
      answers: own.length,
      answered: own.length - refusals.length,
      refused: refusals.length,
    },
    floor,
    current: policy.threshold >= floor - 1e-9 ? reviewPointAt(own, policy.threshold) : null,
    target: reaching
      ? { ...reaching, interval: wilsonInterval(reaching.correct, reaching.answered) }
      : null,
    sweep,
    wronglyRefused: refusals
      .filter((i) => i.verdict === "incorrect" && i.bestScore !== null)
      .map((i) => i.bestScore!)
      .sort((a, b) => b - a),
  };
}

/** The 95% Wilson score interval of a proportion: honest about how little a few reviews say. */
export function wilsonInterval(successes: number, n: number, z = 1.96): [number, number] {
  if (n === 0) return [0, 1];
  const p = successes / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return [round(Math.max(0, centre - half), 3), round(Math.min(1, centre + half), 3)];
}

const pct = (x: number | null) => (x === null ? "   -" : x.toFixed(2));

/**
 * The report's lines for one form: the sweep where its counts change (and at the policy's
 * threshold), then the verdict.
 */
export function formatFormCalibration(c: FormCalibration): string[] {
  const name = c.form === "question" ? "questions" : "claims";
  const { answers, answered, refused } = c.reviewed;
  if (answers === 0) return [`${name}: no reviewed answers`];
  const lines = [
    `${name}: ${answers} reviewed (${answered} answered, ${refused} refused); ` +
      `threshold ${c.threshold}, target precision ${c.targetPrecision}`,
    `  threshold  answered  correct  precision   (from ${c.floor}, the highest threshold reviewed answers were held to)`,
  ];
  const isPolicy = (p: ReviewPoint) => Math.abs(p.threshold - c.threshold) < 1e-9;
  c.sweep.forEach((p, i) => {
    const prev = c.sweep[i - 1];
    if (prev && prev.answered === p.answered && prev.correct === p.correct && !isPolicy(p)) return;
    lines.push(
      `  ${p.threshold.toFixed(2).padStart(9)}  ${String(p.answered).padStart(8)}  ` +
        `${String(p.correct).padStart(7)}  ${pct(p.precision).padStart(9)}` +
        (isPolicy(p) ? "  <- policy" : ""),
    );
  });
  const now = c.current;
  lines.push(
    now
      ? `  at the policy's ${c.threshold}: precision ${pct(now.precision)} over ${now.answered} reviewed answers`
      : `  the policy's ${c.threshold} is below what reviewed answers were held to: its precision is unknown`,
  );
  const t = c.target;
  lines.push(
    t
      ? `  lowest threshold reaching ${c.targetPrecision}: ${t.threshold.toFixed(2)} ` +
          `(precision ${pct(t.precision)} over ${t.answered} reviewed answers, 95% interval ` +
          `${t.interval[0].toFixed(2)}-${t.interval[1].toFixed(2)})`
      : `  no threshold reaches precision ${c.targetPrecision} on these reviews`,
  );
  if (refused > 0)
    lines.push(
      c.wronglyRefused.length
        ? `  ${c.wronglyRefused.length} of ${refused} reviewed refusals judged wrongly refused, ` +
            `best scores ${c.wronglyRefused.map((x) => x.toFixed(2)).join(", ")}: a threshold ` +
            "that low would answer them, at a precision no review measured"
        : `  none of ${refused} reviewed refusals was judged wrongly refused`,
    );
  return lines;
}
