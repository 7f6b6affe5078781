import { z } from "zod";

const Probability = z.number().min(0).max(1);

/**
 * A calibration of a score into the probability that an answer given at that score is correct:
 * an isotonic fit kept as points `[score, probability]`, scores strictly increasing and
 * probabilities never decreasing. Between points the probability is interpolated linearly;
 * outside them it is the nearest end's. Written by `npm run calibrate` from an evaluation run.
 */
export const ConfidenceMap = z
  .object({
    method: z.literal("isotonic"),
    points: z.array(z.tuple([Probability, Probability])).min(1),
    /** The run it was fitted on (dataset, data, which items, which score). */
    fittedOn: z.string(),
    /** Scored items the fit saw. */
    questions: z.number().int().min(0),
  })
  .refine(
    ({ points }) =>
      points.every(([s, p], i) => i === 0 || (s > points[i - 1]![0] && p >= points[i - 1]![1])),
    { message: "points must have increasing scores and non-decreasing probabilities" },
  );
export type ConfidenceMap = z.infer<typeof ConfidenceMap>;

/** The calibrated probability (0..1, four decimals) that an answer at `score` is correct. */
export function calibratedConfidence(map: ConfidenceMap, score: number): number {
  if (Number.isNaN(score)) throw new Error("calibratedConfidence: the score is NaN");
  const { points } = map;
  const first = points[0]!;
  const last = points[points.length - 1]!;
  let p: number;
  if (score <= first[0]) p = first[1];
  else if (score >= last[0]) p = last[1];
  else {
    const i = points.findIndex(([s]) => s > score);
    const [s0, p0] = points[i - 1]!;
    const [s1, p1] = points[i]!;
    p = p0 + ((score - s0) / (s1 - s0)) * (p1 - p0);
  }
  return Math.round(Math.min(1, Math.max(0, p)) * 10_000) / 10_000;
}
