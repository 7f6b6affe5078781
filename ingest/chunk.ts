// Sentence-aligned chunking with exact offsets: a chunk is always `text.slice(start, end)`, so a
// citation quoted from a chunk can be located in the normalised document without fuzzy matching.
import { splitSentences, type Span } from "../src/text/sentences.ts";
import { findTableBlocks } from "../src/text/table-rows.ts";

export type ChunkSpan = { ordinal: number; start: number; end: number; text: string };

export type ChunkOptions = { targetChars?: number; maxChars?: number };

const DEFAULT_TARGET_CHARS = 500;
const DEFAULT_MAX_CHARS = 1000;
// A blank line only ends a chunk once the chunk has this share of the target; smaller chunks keep
// absorbing the next block so headings stay with the paragraph they introduce.
const BLOCK_BREAK_MIN_SHARE = 1 / 3;
const BLANK_LINE = /\n[^\S\n]*\n/;

export function chunkText(
  text: string,
  { targetChars = DEFAULT_TARGET_CHARS, maxChars = DEFAULT_MAX_CHARS }: ChunkOptions = {},
): ChunkSpan[] {
  if (!Number.isInteger(maxChars) || maxChars < 1) {
    throw new RangeError(`maxChars must be a positive integer, got ${maxChars}`);
  }
  if (!Number.isInteger(targetChars) || targetChars < 1) {
    throw new RangeError(`targetChars must be a positive integer, got ${targetChars}`);
  }
  const target = Math.min(targetChars, maxChars);
  const pieces = keepTablesWhole(
    splitSentences(text).flatMap((s) => splitLongSpan(text, s, maxChars)),
    findTableBlocks(text).filter((table) => table.end - table.start <= maxChars),
  );

  const spans: Span[] = [];
  let current: Span | undefined;
  for (const piece of pieces) {
    if (current && !startsNewChunk(text, current, piece, target)) {
      current.end = piece.end;
      continue;
    }
    current = { ...piece };
    spans.push(current);
  }
  return spans.map((span, ordinal) => ({
    ordinal,
    ...span,
    text: text.slice(span.start, span.end),
  }));
}

function startsNewChunk(text: string, current: Span, next: Span, target: number): boolean {
  if (next.end - current.start > target) return true;
  const blockBreak = BLANK_LINE.test(text.slice(current.end, next.start));
  return blockBreak && current.end - current.start >= target * BLOCK_BREAK_MIN_SHARE;
}

/**
 * Joins the pieces of each table into one, so a table that fits in a chunk is never cut: a row
 * in a chunk without its header row cannot be read ("Basic | 30 days" says nothing on its own).
 */
function keepTablesWhole(pieces: Span[], tables: readonly Span[]): Span[] {
  const joined: Span[] = [];
  let t = 0;
  for (const piece of pieces) {
    while (t < tables.length && tables[t]!.end <= piece.start) t++;
    const table = tables[t];
    const previous = joined.at(-1);
    if (table && previous && previous.start >= table.start && piece.end <= table.end) {
      previous.end = piece.end;
    } else {
      joined.push({ ...piece });
    }
  }
  return joined;
}

/** Splits a span longer than maxChars at whitespace (or hard, if a run has none) into trimmed pieces. */
function splitLongSpan(text: string, span: Span, maxChars: number): Span[] {
  const pieces: Span[] = [];
  let start = span.start;
  while (span.end - start > maxChars) {
    let cut = lastWhitespaceBefore(text, start, start + maxChars);
    let next = cut;
    if (cut <= start) {
      cut = start + maxChars;
      // Never cut between the halves of a surrogate pair; with maxChars 1 the pair stays whole.
      if (isLowSurrogate(text.charCodeAt(cut))) cut = cut - 1 > start ? cut - 1 : cut + 1;
      next = cut;
    }
    pieces.push({ start, end: trimEnd(text, start, cut) });
    start = skipWhitespace(text, next, span.end);
  }
  pieces.push({ start, end: span.end });
  return pieces;
}

/** Index of the last whitespace character in [from, to], or -1; `to` itself may be whitespace. */
function lastWhitespaceBefore(text: string, from: number, to: number): number {
  for (let i = to; i > from; i--) if (/\s/.test(text[i]!)) return i;
  return -1;
}

function trimEnd(text: string, start: number, end: number): number {
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return end;
}

function skipWhitespace(text: string, start: number, end: number): number {
  while (start < end && /\s/.test(text[start]!)) start++;
  return start;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
