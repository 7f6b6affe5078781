/**
 * USE-lite's SentencePiece (unigram) tokenizer, rewritten for speed: the same ids as the
 * Tokenizer inside @energetic-ai/embeddings (checked by a test on real text), but without its
 * per-position array copies and string-keyed lattice, which cost milliseconds on a 1,000-character
 * chunk. Its quirks are kept on purpose, since ids must match the ones the model was run on:
 * only spaces (not tabs or newlines) become "▁", a score of 0 means "not reached yet", ties go to
 * the later start, and backtracking steps by the piece's UTF-16 length.
 */
export type Vocabulary = ReadonlyArray<readonly [string, number]>;

export type SentencePieceTokenizer = {
  readonly size: number;
  encode(text: string): number[];
};

const SEPARATOR = "\u2581";
const RESERVED_SYMBOLS = 6;
const UNKNOWN = 0;
const SURROGATE = /[\uD800-\uDFFF]/;

type TrieNode = { next: Map<number, TrieNode>; index: number; score: number };

export function createSentencePieceTokenizer(vocabulary: Vocabulary): SentencePieceTokenizer {
  const root: TrieNode = { next: new Map(), index: -1, score: 0 };
  // Backtracking steps are UTF-16 lengths, as in the original (which differs for astral symbols).
  const stepLength = vocabulary.map(([piece]) => piece.length);
  for (let i = RESERVED_SYMBOLS; i < vocabulary.length; i++) {
    const [piece, score] = vocabulary[i]!;
    let node = root;
    for (const symbol of piece) {
      const code = symbol.codePointAt(0)!;
      let child = node.next.get(code);
      if (!child) node.next.set(code, (child = { next: new Map(), index: -1, score: 0 }));
      node = child;
    }
    node.index = i;
    node.score = score;
  }

  return {
    size: vocabulary.length,
    encode(text) {
      const normalized = text.normalize("NFKC");
      if (normalized.length === 0) return [];
      const input = SEPARATOR + normalized.replaceAll(" ", SEPARATOR);
      // Code points; charCodeAt is enough (and much faster) when there is no surrogate pair.
      const symbols: number[] = [];
      if (SURROGATE.test(input)) for (const symbol of input) symbols.push(symbol.codePointAt(0)!);
      else for (let i = 0; i < input.length; i++) symbols.push(input.charCodeAt(i));
      const n = symbols.length;
      const best = new Float64Array(n + 1);
      const words = new Int32Array(n + 1);
      // Forward over start positions: best[i] is final when i is reached, and the candidates for
      // each end position arrive in ascending start order, as in the original's lattice walk.
      for (let i = 0; i < n; i++) {
        let node = root.next.get(symbols[i]!);
        let matched = false;
        for (let j = i; node !== undefined;) {
          if (node.index >= 0) {
            matched = true;
            const score = node.score + best[i]!;
            if (best[j + 1] === 0 || score >= best[j + 1]!) {
              best[j + 1] = score;
              words[j + 1] = node.index;
            }
          }
          if (++j >= n) break;
          node = node.next.get(symbols[j]!);
        }
        if (!matched && (best[i + 1] === 0 || best[i]! >= best[i + 1]!)) {
          best[i + 1] = best[i]!;
          words[i + 1] = UNKNOWN;
        }
      }
      const reversed: number[] = [];
      for (let at = n; at > 0; at -= stepLength[words[at]!]!) reversed.push(words[at]!);
      const ids: number[] = [];
      let previousUnknown = false;
      for (let k = 0; k < reversed.length; k++) {
        const id = reversed[k]!;
        if (!(previousUnknown && id === UNKNOWN)) ids.push(id);
        previousUnknown = id === UNKNOWN;
      }
      return ids.reverse();
    },
  };
}
