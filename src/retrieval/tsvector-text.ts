/**
 * Lexeme -> number of positions, from a tsvector's text form: `'lexeme':1,5 'other':3A`, where
 * a quote inside a lexeme is doubled and a backslash escapes the next character.
 */
export function parseTsvector(text: string): Map<string, number> {
  const out = new Map<string, number>();
  forEachTsvectorLexeme(text, (lexeme, count) => out.set(lexeme, count));
  return out;
}

/**
 * Each lexeme of a tsvector's text form with its number of positions, in order, with no map made
 * (see parseTsvector). A lexeme with no quote or backslash in it is sliced out whole.
 */
export function forEachTsvectorLexeme(
  text: string,
  visit: (lexeme: string, count: number) => void,
): void {
  let i = text.indexOf("'");
  while (i !== -1) {
    const close = text.indexOf("'", i + 1);
    if (close === -1) break;
    let lexeme = text.slice(i + 1, close);
    i = close + 1;
    if (lexeme.includes("\\") || text[i] === "'")
      [lexeme, i] = unescapedLexeme(text, close - lexeme.length);
    let count = 0;
    if (text[i] === ":") {
      count = 1;
      for (i++; i < text.length && text.charCodeAt(i) !== SPACE; i++) {
        if (text.charCodeAt(i) === COMMA) count++;
      }
    }
    visit(lexeme, count);
    i = text.indexOf("'", i);
  }
}

const SPACE = 0x20;
const COMMA = 0x2c;

/** The lexeme starting at `start` (after its opening quote) with escapes undone, and its end. */
function unescapedLexeme(text: string, start: number): [string, number] {
  let lexeme = "";
  let i = start;
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "\\") lexeme += text[++i] ?? "";
    else if (ch === "'" && text[i + 1] === "'") lexeme += text[i++];
    else if (ch === "'") break;
    else lexeme += ch;
  }
  return [lexeme, i + 1];
}
