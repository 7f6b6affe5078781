import { describe, expect, it } from "vitest";
import { Policy } from "../../src/answer/policy.ts";
import type { RefusalCode } from "../../src/answer/schema.ts";
import { reviewReasonFor, type ReviewedOutcome } from "../../src/review/queue.ts";

const policy = Policy.parse({ threshold: 0.75 });

const answered = (support: number, threshold = 0.75): ReviewedOutcome => ({
  status: "answered",
  support,
  reason: null,
  policy: { threshold },
});

const refused = (
  bestScore: number | null,
  code: RefusalCode = "LOW_SUPPORT",
  threshold = 0.75,
): ReviewedOutcome => ({
  status: "refused",
  support: null,
  reason: { code, message: "-", bestScore },
  policy: { threshold },
});

describe("reviewReasonFor", () => {
  it("defaults to a margin of 0.05", () => {
    expect(policy.reviewMargin).toBe(0.05);
  });

  it("queues answers with support in [threshold, threshold + margin)", () => {
    expect(reviewReasonFor(answered(0.75), policy)).toBe("LOW_MARGIN");
    expect(reviewReasonFor(answered(0.7999), policy)).toBe("LOW_MARGIN");
    // 0.8 - 0.75 is 0.05000000000000004 in floating point: compared at four decimals, it is out.
    expect(reviewReasonFor(answered(0.8), policy)).toBeNull();
    expect(reviewReasonFor(answered(0.95), policy)).toBeNull();
    // 0.15 - 0.1 is 0.04999999999999999: still exactly the margin, so out.
    expect(reviewReasonFor(answered(0.15, 0.1), policy)).toBeNull();
  });

  it("queues LOW_SUPPORT refusals whose best score is in [threshold - margin, threshold)", () => {
    expect(reviewReasonFor(refused(0.7499), policy)).toBe("NEAR_THRESHOLD_REFUSAL");
    expect(reviewReasonFor(refused(0.7), policy)).toBe("NEAR_THRESHOLD_REFUSAL");
    expect(reviewReasonFor(refused(0.6999), policy)).toBeNull();
    expect(reviewReasonFor(refused(0.41), policy)).toBeNull();
    // A best score just under the threshold, rounded up to it, was still refused.
    expect(reviewReasonFor(refused(0.75), policy)).toBe("NEAR_THRESHOLD_REFUSAL");
    expect(reviewReasonFor(refused(null), policy)).toBeNull();
  });

  it("leaves refusals the threshold did not decide alone", () => {
    for (const code of ["NO_EVIDENCE", "UNVERIFIED_EVIDENCE", "NO_QUESTION_CONTENT"] as const)
      expect(reviewReasonFor(refused(0.74, code), policy)).toBeNull();
  });

  it("holds each answer to the threshold it was answered at (claims have their own)", () => {
    expect(reviewReasonFor(answered(0.79, 0.78), policy)).toBe("LOW_MARGIN");
    expect(reviewReasonFor(refused(0.74, "LOW_SUPPORT", 0.78), policy)).toBe(
      "NEAR_THRESHOLD_REFUSAL",
    );
  });

  it("queues a partial answer for its weakest answered part, else for a near refusal", () => {
    const partial = (support: number, bestScore: number): ReviewedOutcome => ({
      status: "partial",
      support,
      reason: { code: "LOW_SUPPORT", message: "-", bestScore },
      policy: { threshold: 0.75 },
    });
    expect(reviewReasonFor(partial(0.76, 0.72), policy)).toBe("LOW_MARGIN");
    expect(reviewReasonFor(partial(0.9, 0.72), policy)).toBe("NEAR_THRESHOLD_REFUSAL");
    expect(reviewReasonFor(partial(0.9, 0.3), policy)).toBeNull();
  });

  it("queues nothing with a margin of 0, and follows a wider one", () => {
    const none = Policy.parse({ threshold: 0.75, reviewMargin: 0 });
    expect(reviewReasonFor(answered(0.75), none)).toBeNull();
    expect(reviewReasonFor(refused(0.7499), none)).toBeNull();
    const wide = Policy.parse({ threshold: 0.75, reviewMargin: 0.1 });
    expect(reviewReasonFor(answered(0.8), wide)).toBe("LOW_MARGIN");
    expect(reviewReasonFor(refused(0.65), wide)).toBe("NEAR_THRESHOLD_REFUSAL");
  });
});

describe("policy knobs", () => {
  it("cites every trust tier by default and refuses an empty, unknown or repeated list", () => {
    expect(policy.citableTrust).toEqual(["authoritative", "reviewed", "community"]);
    expect(policy.version).toBeNull();
    for (const citableTrust of [[], ["internal"], ["community", "community"]])
      expect(Policy.safeParse({ threshold: 0.75, citableTrust }).success).toBe(false);
    expect(Policy.parse({ threshold: 0.75, version: "2026-12-a" }).version).toBe("2026-12-a");
    expect(Policy.safeParse({ threshold: 0.75, version: 1.5 }).success).toBe(false);
  });
});
