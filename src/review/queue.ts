import type { Policy } from "../answer/policy.ts";
import { roundScore } from "../answer/round.ts";
import type { Answer } from "../answer/schema.ts";

/** Why an answer waits for a person's review: it was a borderline call, either way. */
export type ReviewReason = "LOW_MARGIN" | "NEAR_THRESHOLD_REFUSAL";

/** What the rule reads of an answer: its outcome, its scores and the threshold it was held to. */
export type ReviewedOutcome = Pick<Answer, "status" | "support" | "reason"> & {
  policy: Pick<Answer["policy"], "threshold">;
};

/**
 * Whether an answer should wait for a person's review, and why. With threshold `t` and the
 * policy's `reviewMargin` `m`, the band [t - m, t + m) around the decision is queued:
 * - `LOW_MARGIN`: answered (or partly answered) with support in [t, t + m);
 * - `NEAR_THRESHOLD_REFUSAL`: refused (or partly refused) for LOW_SUPPORT with its best score in
 *   [t - m, t).
 * Other refusals (no evidence, unverified evidence, ...) are not a threshold's call. Gaps are
 * compared at the four decimals scores are stated in, so 0.80 is never "just under" 0.75 + 0.05.
 * A margin of 0 queues nothing.
 */
export function reviewReasonFor(
  answer: ReviewedOutcome,
  policy: Pick<Policy, "reviewMargin">,
): ReviewReason | null {
  const threshold = answer.policy.threshold;
  const margin = policy.reviewMargin;
  if (margin <= 0) return null;
  if (answer.status !== "refused" && answer.support !== null) {
    const over = roundScore(answer.support - threshold);
    if (over >= 0 && over < margin) return "LOW_MARGIN";
  }
  const best = answer.reason?.code === "LOW_SUPPORT" ? answer.reason.bestScore : null;
  if (best !== null) {
    const under = roundScore(threshold - best);
    // 0 only when a score just under the threshold was rounded up to it: still a refusal.
    if (under >= 0 && under <= margin) return "NEAR_THRESHOLD_REFUSAL";
  }
  return null;
}
