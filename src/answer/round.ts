/** Scores as answers state them: four decimals, enough to compare with any threshold. */
export function roundScore(x: number): number {
  return Math.round(x * 10000) / 10000;
}
