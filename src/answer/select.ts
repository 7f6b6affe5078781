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

/** Two sentences say the same when one contains the other, ignoring case and end punctuation. */
function restates(a: string, b: string): boolean {
  const bare = (x: string) => x.toLowerCase().replace(/[\s.!;:]+$/, "");
  const [x, y] = [bare(a), bare(b)];
  return x.includes(y) || y.includes(x);
}
