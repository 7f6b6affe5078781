// Sentence boundaries with exact offsets into the input. Used at ingest (chunking) and at answer
// time (picking quotable sentences), so it must be cheap and must never rewrite the text.
//
// Intl.Segmenter implements Unicode UAX #29 through ICU: it gives exact indices, handles decimals
// ("$4.50", "v2.1") and always breaks after a line break. It does not suppress breaks after
// abbreviations ("Dr. Smith" becomes "Dr." + "Smith"), and V8 drops ICU's `-u-ss-standard`
// suppression keyword, so we re-join those breaks ourselves.

export type Span = { start: number; end: number };

// One segmenter for the process: constructing one loads ICU break rules.
const segmenter = new Intl.Segmenter("en", { granularity: "sentence" });
// Longest slice handed to the segmenter at once; see icuSentences for why there is a limit.
const SEGMENT_WINDOW = 2048;

// The characters UAX #29 treats as paragraph separators (see isLineBreak too).
const LINE_BREAK = /[\n\r\u0085\u2028\u2029]/;
const WHITESPACE = /\s/;

// Written without the final period. Case matters: "No." is an abbreviation, "no." ends sentences.
// Company suffixes and "etc." are left out on purpose: they end sentences too often.
const ABBREVIATIONS = new Set([
  ...["Mr", "Mrs", "Ms", "Mx", "Dr", "Prof", "Sr", "Jr", "St", "Rev", "Hon", "Fr"],
  ...["Gen", "Col", "Capt", "Cpt", "Lt", "Sgt", "Cmdr", "Gov", "Sen", "Rep", "Pres"],
  ...["No", "Nos", "Fig", "Figs", "fig", "figs", "Vol", "Vols", "vol", "Ch", "ch", "Sec", "Eq"],
  ...["Eqs", "pp", "approx", "Approx", "vs", "cf", "Cf", "ca", "Mt", "Ave", "Dept", "Univ"],
  ...["Ph.D", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec"],
]);
// "U.S.", "e.g.", "i.e.", "a.m.", "p.m.": letters each followed by a period.
const DOTTED_ABBREVIATION = /^(?:\p{L}\.){2,}$/u;
// A lone capital initial, as in "John F. Kennedy".
const INITIAL = /^\p{Lu}\.$/u;
const OPENING_PUNCTUATION = /^[([{"'\u201c\u2018\u00ab]+/;
// No abbreviation we recognise is longer than this, so scanning further back is wasted work.
const MAX_ABBREVIATION_LENGTH = 12;

export function splitSentences(text: string): Span[] {
  const spans: Span[] = [];
  for (const line of lines(text)) {
    for (const piece of icuSentences(text, line)) {
      const span = trimSpan(text, piece.start, piece.end);
      if (!span) continue;
      const previous = spans.at(-1);
      if (previous && continuesSentence(text, previous, span)) previous.end = span.end;
      else spans.push(span);
    }
  }
  return spans;
}

/** Line ranges without their terminators; a sentence never spans two lines. */
function* lines(text: string): Generator<Span> {
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (!isLineBreak(text.charCodeAt(i))) continue;
    if (i > start) yield { start, end: i };
    start = i + 1;
  }
  if (text.length > start) yield { start, end: text.length };
}

function isLineBreak(code: number): boolean {
  return code === 0x0a || code === 0x0d || code === 0x85 || code === 0x2028 || code === 0x2029;
}

/**
 * ICU sentence segments of one line. V8's segment iterator gets slower per step as the string
 * grows (a 264 KB string takes seconds), so long lines are fed through in windows: every segment
 * but a window's last is final, and the last is segmented again at the start of the next window.
 */
function* icuSentences(text: string, line: Span): Generator<Span> {
  let start = line.start;
  while (line.end - start > SEGMENT_WINDOW) {
    const windowEnd = start + SEGMENT_WINDOW;
    let lastStart = start;
    for (const { index } of segmenter.segment(text.slice(start, windowEnd))) {
      if (index === 0) continue;
      yield { start: lastStart, end: start + index };
      lastStart = start + index;
    }
    if (lastStart === start) {
      // One sentence fills the whole window, so there is no boundary to resume from: cut it.
      lastStart = forcedCut(text, start, windowEnd);
      yield { start, end: lastStart };
    }
    start = lastStart;
  }
  for (const { index, segment } of segmenter.segment(text.slice(start, line.end))) {
    yield { start: start + index, end: start + index + segment.length };
  }
}

/** Just after the last whitespace in (start, end), else `end` without splitting a surrogate pair. */
function forcedCut(text: string, start: number, end: number): number {
  for (let i = end - 1; i > start; i--) if (WHITESPACE.test(text[i]!)) return i + 1;
  const code = text.charCodeAt(end);
  return code >= 0xdc00 && code <= 0xdfff ? end - 1 : end;
}

function trimSpan(text: string, start: number, end: number): Span | undefined {
  while (start < end && WHITESPACE.test(text[start]!)) start++;
  while (end > start && WHITESPACE.test(text[end - 1]!)) end--;
  return start < end ? { start, end } : undefined;
}

/** True when ICU broke right after an abbreviation on the same line. */
function continuesSentence(text: string, previous: Span, next: Span): boolean {
  if (LINE_BREAK.test(text.slice(previous.end, next.start))) return false;
  return endsWithAbbreviation(text, previous);
}

function endsWithAbbreviation(text: string, span: Span): boolean {
  if (text[span.end - 1] !== ".") return false;
  let wordStart = span.end - 1;
  const limit = Math.max(span.start, span.end - MAX_ABBREVIATION_LENGTH - 1);
  while (wordStart > limit && !WHITESPACE.test(text[wordStart - 1]!)) wordStart--;
  if (wordStart > span.start && !WHITESPACE.test(text[wordStart - 1]!)) return false;
  const word = text.slice(wordStart, span.end).replace(OPENING_PUNCTUATION, "");
  return (
    ABBREVIATIONS.has(word.slice(0, -1)) || DOTTED_ABBREVIATION.test(word) || INITIAL.test(word)
  );
}
