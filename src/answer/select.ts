import type { ScoredSentence } from "../scoring/evidence.ts";
import type { Policy } from "./policy.ts";

/** The best sentence, plus close runners-up that say something else. */
export function selectSentences(scored: ScoredSentence[], policy: Policy): ScoredSentence[] {
  const best = scored[0];
  if (!best) return [];
  const chosen: ScoredSentence[] = [best];
  for (const s of scored.slice(1)) {
    if (chosen.length >= policy.maxSentences) break;
    if (s.score < policy.threshold || s.score < best.score - policy.companionMargin) break;
    if (!chosen.some((c) => restates(c.text, s.text))) chosen.push(s);
  }
  return chosen;
}

const bare = (x: string) =>
  x
    .toLowerCase()
    .replace(/\s+/g, " ")
    .replace(/[\s.!;:]+$/, "");

/** Two sentences say the same when one contains the other, ignoring case and end punctuation. */
function restates(a: string, b: string): boolean {
  const [x, y] = [bare(a), bare(b)];
  return x.includes(y) || y.includes(x);
}

/** A chosen sentence and the same sentence where other documents state it, each cited. */
export type SelectedSentence = { sentence: ScoredSentence; alsoIn: ScoredSentence[] };

/**
 * The chosen sentences with their identical copies in other documents (the same FAQ line in the
 * handbook and the FAQ page): one answer sentence that cites every source saying it, rather than
 * the same sentence twice. Copies must clear the threshold themselves.
 */
export function withCopies(
  chosen: ScoredSentence[],
  scored: ScoredSentence[],
  threshold: number,
): SelectedSentence[] {
  const taken = new Set<ScoredSentence>(chosen);
  return chosen.map((sentence) => {
    const key = bare(sentence.text);
    const seen = new Set([sentence.candidate.documentId]);
    const alsoIn = scored.filter((s) => {
      if (taken.has(s) || s.score < threshold || bare(s.text) !== key) return false;
      if (seen.has(s.candidate.documentId)) return false;
      seen.add(s.candidate.documentId);
      taken.add(s);
      return true;
    });
    return { sentence, alsoIn };
  });
}
