import { wordNet } from "../text/wordnet.ts";

/**
 * Read the tables answering needs before the first question arrives: WordNet's (about 1.5 s and
 * 150 MB) would otherwise be read inside the first request. The language detector's n-grams load
 * when its module is imported.
 */
export function warmUpAnswering(): void {
  wordNet();
}
