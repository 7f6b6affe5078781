import { isLetterCode, isWordStartCode } from "./pg-letters.ts";

/**
 * A clean-room tokenizer that splits text as PostgreSQL's default text-search parser does
 * (`ts_debug('english', text)`), written from the documentation's list of token types and from
 * observing PostgreSQL's output (PGlite) on real and tricky text, not from its source.
 *
 * Shape of the output: every character belongs to exactly one top-level token, in order; runs of
 * characters that start no token are `blank`. Compound tokens are followed by their parts: a
 * hyphenated word by its parts and the hyphens between them (as blanks), a URL by its host and
 * its path. A blank run ends where a character that could start a token appears (a letter, a
 * digit, `&`, `+`, `-`, `/` or `<`); right after a token, `~` and `.` can also start a file path.
 */

export type TokenAlias =
  | "asciiword"
  | "word"
  | "numword"
  | "asciihword"
  | "hword"
  | "numhword"
  | "hword_asciipart"
  | "hword_part"
  | "hword_numpart"
  | "email"
  | "protocol"
  | "url"
  | "host"
  | "url_path"
  | "file"
  | "sfloat"
  | "float"
  | "int"
  | "uint"
  | "version"
  | "tag"
  | "entity"
  | "blank";

export type Token = { alias: TokenAlias; text: string };

// ASCII character classes, as bit flags.
const ALPHA = 1; // A-Z a-z
const DIGIT = 2; // 0-9
const BREAKS_BLANK = 4; // may start a token inside a blank run
const WORD_TAIL = 8; // after a letter run, may continue a longer token (slow path)
const PATH = 16; // allowed in a URL path

const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  let f = 0;
  if (/[A-Za-z]/.test(ch)) f |= ALPHA | BREAKS_BLANK | PATH;
  if (/[0-9]/.test(ch)) f |= DIGIT | BREAKS_BLANK | PATH;
  if ("&+-/<".includes(ch)) f |= BREAKS_BLANK;
  if ("-.@/:_".includes(ch)) f |= WORD_TAIL;
  if ("/?#,;:()'&%!*+~_-$@[]=.".includes(ch)) f |= PATH;
  CLASS[c] = f;
}

const cls = (c: number): number => (c < 128 ? CLASS[c]! : 0);
const isAlnumAscii = (c: number): boolean => c < 128 && (CLASS[c]! & (ALPHA | DIGIT)) !== 0;

/** The code point at i (surrogate pairs joined). */
function codeAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
  }
  return c;
}

/** Does the character at i start a word (a letter or a digit, ASCII or not)? */
function isWordChar(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) return (CLASS[c]! & (ALPHA | DIGIT)) !== 0;
  return isWordStartCode(codeAt(text, i));
}

const HOST_RE = /(?:[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*\.)+[A-Za-z]{2,}(?![A-Za-z0-9])(?::[0-9]+)?/y;
const NUMERIC_ENTITY_RE = /&#(?:[0-9]+|[xX][0-9A-Fa-f]+);/y;
const PLAIN_SFLOAT_RE = /[0-9]+[eE][+-]?[0-9]+/y;
const SFLOAT_RE = /[0-9]+(?:\.[0-9]+)?[eE][+-]?[0-9]+/y;
const VERSION_RE = /[0-9]+\.[0-9]+(?:\.[0-9]+)+/y;
const FLOAT_RE = /[0-9]+\.[0-9]+/y;
const UINT_RE = /[0-9]+/y;

function stickyEnd(re: RegExp, text: string, i: number): number {
  re.lastIndex = i;
  return re.test(text) ? re.lastIndex : -1;
}

const isSpaceCode = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);
/** [A-Za-z0-9_]: what may follow a dot or open a path segment. */
const isSegmentChar = (c: number): boolean => c === 95 || isAlnumAscii(c);

/**
 * The end of the longest file path from s, the start of a segment, or -1. A path is segments
 * joined by single slashes. A segment is ".", ".." (followed by a slash, or ending the path
 * before a space), or an optional "~" then [A-Za-z0-9_] and [A-Za-z0-9_.-] in which a dot is
 * followed by [A-Za-z0-9_]. A path ends after a segment character, never on a slash or a dot.
 */
function fileEnd(text: string, s: number, midSegment = false): number {
  let best = -1;
  let k = s;
  const n = text.length;
  for (;;) {
    if (midSegment) midSegment = false;
    else if (text.charCodeAt(k) === 46 /* . */) {
      const dots = text.charCodeAt(k + 1) === 46 ? 2 : 1;
      const after = text.charCodeAt(k + dots);
      if (after === 47) {
        if (dots === 2) best = k + 2;
        k += dots + 1;
        continue;
      }
      if (dots === 2 && (k + 2 >= n || isSpaceCode(after))) return k + 2;
      if (dots === 2 || !isSegmentChar(after)) return best;
      // a hidden name: ".b"
    } else if (text.charCodeAt(k) === 126 /* ~ */) {
      const d = text.charCodeAt(k + 1);
      if (d === 47) {
        k += 2;
        continue;
      }
      if (!isSegmentChar(d)) return best;
      k++;
    } else if (!isSegmentChar(text.charCodeAt(k))) return best;
    while (k < n) {
      const c = text.charCodeAt(k);
      if (c === 46) {
        if (!isSegmentChar(text.charCodeAt(k + 1))) break;
      } else if (c !== 45 && !isSegmentChar(c)) break;
      k++;
      if (c !== 46) best = k;
    }
    if (text.charCodeAt(k) === 47) k++;
    else return best;
  }
}

/**
 * The end of the email address at i, or -1: a local part of letters and digits in pieces joined
 * by single ".", "-" or "_", then "@" and a host.
 */
function emailEnd(text: string, i: number, first: Run): number {
  // The first piece is the word at i; one with non-ASCII letters must hold a digit and be alone.
  if (first.nonAscii && (!first.digit || text.charCodeAt(first.end) !== 64)) return -1;
  let k = first.end;
  const n = text.length;
  for (;;) {
    const c = text.charCodeAt(k);
    if (c === 64) break;
    if (c !== 46 && c !== 45 && c !== 95) return -1;
    const start = ++k;
    while (k < n && isAlnumAscii(text.charCodeAt(k))) k++;
    if (k === start) return -1;
  }
  return stickyEnd(HOST_RE, text, k + 1);
}

/** A file path opened at i by "/", "~" or ".", or -1. */
function fileEndAtPunct(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === 47) return fileEnd(text, i + 1);
  if (c === 126 /* ~ */) return fileEnd(text, i);
  return text.startsWith("./", i) || text.startsWith("..", i) ? fileEnd(text, i) : -1;
}

function wordAlias(digit: boolean, nonAscii: boolean, letter: boolean): TokenAlias {
  if (!letter) return "uint";
  if (digit) return "numword";
  return nonAscii ? "word" : "asciiword";
}

type Run = { end: number; digit: boolean; nonAscii: boolean; letter: boolean };

/** The run of letters and digits at i. */
function wordRun(text: string, i: number): Run {
  let digit = false;
  let nonAscii = false;
  let letter = false;
  let k = i;
  const n = text.length;
  while (k < n) {
    const c = text.charCodeAt(k);
    if (c < 128) {
      const f = CLASS[c]!;
      if (f & ALPHA) letter = true;
      else if (f & DIGIT) digit = true;
      else break;
      k++;
    } else {
      const cp = codeAt(text, k);
      if (!isLetterCode(cp)) break;
      letter = true;
      nonAscii = true;
      k += cp > 0xffff ? 2 : 1;
    }
  }
  return { end: k, digit, nonAscii, letter };
}

/** Hyphenated word at i whose first part is `first`: parts (each with a letter) or null. */
function hyphenParts(text: string, i: number, first: Run): Run[] | null {
  const parts: Run[] = [first];
  let k = first.end;
  while (text.charCodeAt(k) === 45 && k + 1 < text.length && isWordChar(text, k + 1)) {
    const r = wordRun(text, k + 1);
    if (!r.letter) break;
    parts.push(r);
    k = r.end;
  }
  return parts.length > 1 ? parts : null;
}

/** The longest unsigned number at i (ASCII digit): [end, alias], version included. */
function numberAt(text: string, i: number): [number, TokenAlias] {
  let end = stickyEnd(UINT_RE, text, i);
  let alias: TokenAlias = "uint";
  const c = text.charCodeAt(end);
  if (c === 46 /* . */) {
    const f = stickyEnd(FLOAT_RE, text, i);
    if (f > end) {
      end = f;
      alias = "float";
      const v = stickyEnd(VERSION_RE, text, i);
      if (v > end) {
        end = v;
        alias = "version";
      }
    }
  }
  if (alias !== "version") {
    const c2 = text.charCodeAt(end);
    if (c2 === 101 || c2 === 69) {
      const s = stickyEnd(SFLOAT_RE, text, i);
      if (s > end) {
        end = s;
        alias = "sfloat";
      }
    }
  }
  return [end, alias];
}

/**
 * Scans the token(s) at i into out and returns the end, or returns i when no token starts
 * there.
 */
function scanAt(text: string, i: number, out: Token[]): number {
  const c = text.charCodeAt(i);
  const f = cls(c);
  if (f & (ALPHA | DIGIT) || (c >= 128 && isWordStartCode(codeAt(text, i)))) {
    return scanWordish(text, i, out);
  }
  switch (c) {
    case 60: // <
      return scanTag(text, i, out);
    case 38: {
      // &
      const e = entityEnd(text, i);
      if (e < 0) return i;
      out.push({ alias: "entity", text: text.slice(i, e) });
      return e;
    }
    case 43: // +
    case 45: {
      // -
      const d = text.charCodeAt(i + 1);
      if (!(cls(d) & DIGIT)) return i;
      if (stickyEnd(VERSION_RE, text, i + 1) > 0) return i;
      const [end, alias] = numberAt(text, i + 1);
      out.push({ alias: alias === "uint" ? "int" : alias, text: text.slice(i, end) });
      return end;
    }
    case 47: // /
      return emitFile(text, i, fileEndAtPunct(text, i), out);
    case 126: // ~
    case 46: // .
      return emitFile(text, i, fileEndAtPunct(text, i), out);
  }
  return i;
}

function emitFile(text: string, i: number, end: number, out: Token[]): number {
  if (end <= i) return i;
  out.push({ alias: "file", text: text.slice(i, end) });
  return end;
}

/** Letters, digits and "#%&-./:=?_~": what a tag may hold between its name and ">". */
const TAG_ATTR = new Uint8Array(128);
for (const ch of "#%&-./:=?_~\t\n\v\f\r ") TAG_ATTR[ch.charCodeAt(0)] = 1;
for (let c = 0; c < 128; c++) if (isAlnumAscii(c)) TAG_ATTR[c] = 1;

/** Name characters of a tag: letters (any), digits, "_", ":", "." and "-". */
function isTagNameChar(text: string, k: number): boolean {
  const c = text.charCodeAt(k);
  if (c < 128) return isAlnumAscii(c) || c === 95 || c === 58 || c === 46 || c === 45;
  return isWordStartCode(codeAt(text, k));
}

/** The end of the entity at i ("&name;", "&#123;" or "&#x1F;"), or -1. */
function entityEnd(text: string, i: number): number {
  if (text.charCodeAt(i + 1) === 35) return stickyEnd(NUMERIC_ENTITY_RE, text, i);
  const c = text.charCodeAt(i + 1);
  if (!(c === 95 || c === 58 || cls(c) & ALPHA)) return -1;
  let k = i + 2;
  while (k < text.length && isTagNameChar(text, k)) k += text.charCodeAt(k) >= 0xd800 ? 2 : 1;
  return text.charCodeAt(k) === 59 ? k + 1 : -1;
}

/** The end of the tag at i ("<"), or -1. */
function tagEnd(text: string, i: number): number {
  const n = text.length;
  if (text.startsWith("<!--", i)) {
    const close = text.indexOf("-->", i + 4);
    return close < 0 ? -1 : close + 3;
  }
  let k = i + 1;
  const head = text.slice(k, k + 8).toLowerCase();
  if (head.startsWith("!doctype")) k += 8;
  else if (head.startsWith("?xml")) k += 4;
  else {
    const closing = text.charCodeAt(k) === 47;
    if (closing) k++;
    const c = text.charCodeAt(k);
    if (!(cls(c) & ALPHA || (!closing && (c === 95 || c === 58)))) return -1;
    while (k < n && isTagNameChar(text, k)) k++;
    const d = text.charCodeAt(k);
    if (d === 62) return k + 1;
    if (d === 47) return text.charCodeAt(k + 1) === 62 ? k + 2 : -1;
    if (!isSpaceCode(d)) return -1;
  }
  while (k < n) {
    const c = text.charCodeAt(k);
    if (c === 62) return k + 1;
    if (c === 34 || c === 39) {
      const close = text.indexOf(text[k]!, k + 1);
      if (close < 0) return -1;
      k = close + 1;
    } else if (c < 128 && TAG_ATTR[c]) k++;
    else return -1;
  }
  return -1;
}

const IGNORED_ELEMENT = /<(script|style)(?:\s|(?![A-Za-z0-9_:.-]))/iy;

function scanTag(text: string, i: number, out: Token[]): number {
  const end = tagEnd(text, i);
  IGNORED_ELEMENT.lastIndex = i;
  const ignored = IGNORED_ELEMENT.exec(text);
  if (!ignored || (end < 0 && !isSpaceCode(text.charCodeAt(i + ignored[0].length - 1)))) {
    if (end < 0) return i;
    out.push({ alias: "tag", text: text.slice(i, end) });
    return end;
  }
  // Inside a script or style element (from its opening "<script", a whole tag or not) only tags
  // count: the rest is blank, split where a "<" starts no tag, until the closing tag.
  const close = `</${ignored[1]!.toLowerCase()}`;
  let k = i;
  let blank = -1;
  if (end >= 0) {
    out.push({ alias: "tag", text: text.slice(i, end) });
    k = end;
  } else {
    blank = i;
    k = i + 1;
  }
  for (;;) {
    const lt = text.indexOf("<", k);
    if (lt < 0) break;
    const e = tagEnd(text, lt);
    if (e < 0) {
      if (blank >= 0 && lt > blank) out.push({ alias: "blank", text: text.slice(blank, lt) });
      else if (blank < 0 && lt > k) out.push({ alias: "blank", text: text.slice(k, lt) });
      blank = lt;
      k = lt + 1;
      continue;
    }
    const from = blank >= 0 ? blank : k;
    if (lt > from) out.push({ alias: "blank", text: text.slice(from, lt) });
    blank = -1;
    out.push({ alias: "tag", text: text.slice(lt, e) });
    k = e;
    if (text.slice(lt, lt + close.length).toLowerCase() === close) return e;
  }
  const from = blank >= 0 ? blank : k;
  if (text.length > from) out.push({ alias: "blank", text: text.slice(from) });
  return text.length;
}

/** Set when the token just scanned makes the next character a blank. */
let blankAfter = false;

function scanWordish(text: string, i: number, out: Token[]): number {
  const run = wordRun(text, i);
  const j = run.end;
  const next = j < text.length ? text.charCodeAt(j) : 32;
  const startsDigit = (cls(text.charCodeAt(i)) & DIGIT) !== 0;
  // Fast path: a run of letters and digits that nothing longer can continue.
  if (!startsDigit && !(cls(next) & WORD_TAIL)) {
    out.push({ alias: wordAlias(run.digit, run.nonAscii, true), text: text.slice(i, j) });
    return j;
  }
  // Scientific notation without a decimal point wins outright ("1e5.com" is 1e5, ".", com).
  if (startsDigit) {
    const e = stickyEnd(PLAIN_SFLOAT_RE, text, i);
    if (e > 0) {
      out.push({ alias: "sfloat", text: text.slice(i, e) });
      return e;
    }
  }
  const asciiRun = !run.nonAscii;
  // Protocol head: letters then "://".
  if (asciiRun && !run.digit && next === 58 && text.startsWith("://", j)) {
    out.push({ alias: "protocol", text: text.slice(i, j + 3) });
    return j + 3;
  }
  let best = j;
  let kind: "word" | "number" | "host" | "url" | "email" | "file" | "hword" = "word";
  let numberAlias: TokenAlias = "uint";
  let hostEnd = -1;
  let urlEnd = -1;
  let parts: Run[] | null = null;
  if (next === 64 || next === 46 || next === 45 || next === 95) {
    const e = emailEnd(text, i, run);
    if (e > best) {
      best = e;
      kind = "email";
    }
  }
  if (asciiRun) {
    hostEnd = stickyEnd(HOST_RE, text, i);
    if (hostEnd > 0) {
      if (text.charCodeAt(hostEnd) === 47) {
        let k = hostEnd + 1;
        while (k < text.length && cls(text.charCodeAt(k)) & PATH) k++;
        if (k > hostEnd + 1) urlEnd = k;
      }
      if (urlEnd > best) {
        best = urlEnd;
        kind = "url";
      } else if (hostEnd > best) {
        best = hostEnd;
        kind = "host";
      }
    }
  }
  if (hostEnd < 0 && (asciiRun || run.digit) && ((next === 46 && run.letter) || next === 47)) {
    // A path from a word: its first segment may hold any letters if it holds a digit.
    const e = fileEnd(text, j, true);
    if (e > best) {
      best = e;
      kind = "file";
    }
  }
  if (startsDigit) {
    // A number beats a word run as long, and scientific notation beats any word run ("1e5x").
    const [e, alias] = numberAt(text, i);
    if (
      e > best ||
      (kind === "word" && e === best) ||
      (alias === "sfloat" && (kind === "word" || kind === "file"))
    ) {
      best = e;
      kind = "number";
      numberAlias = alias;
    }
  }
  if (next === 45 && run.letter && numberAlias !== "sfloat") {
    parts = hyphenParts(text, i, run);
    if (parts && parts[parts.length - 1]!.end > best) {
      best = parts[parts.length - 1]!.end;
      kind = "hword";
    }
  }
  switch (kind) {
    case "word":
      out.push({ alias: wordAlias(run.digit, run.nonAscii, run.letter), text: text.slice(i, j) });
      break;
    case "number":
      out.push({ alias: numberAlias, text: text.slice(i, best) });
      break;
    case "email":
      out.push({ alias: "email", text: text.slice(i, best) });
      break;
    case "host":
      out.push({ alias: "host", text: text.slice(i, best) });
      break;
    case "url":
      out.push({ alias: "url", text: text.slice(i, best) });
      out.push({ alias: "host", text: text.slice(i, hostEnd) });
      out.push({ alias: "url_path", text: text.slice(hostEnd, best) });
      break;
    case "file":
      out.push({ alias: "file", text: text.slice(i, best) });
      break;
    case "hword": {
      // A hyphen after a hyphenated word is a blank, never a sign ("a-b-1").
      if (text.charCodeAt(best) === 45) blankAfter = true;
      const ps = parts!;
      let digit = false;
      let nonAscii = false;
      for (const p of ps) {
        digit ||= p.digit;
        nonAscii ||= p.nonAscii;
      }
      out.push({
        alias: digit ? "numhword" : nonAscii ? "hword" : "asciihword",
        text: text.slice(i, best),
      });
      let at = i;
      ps.forEach((p, n) => {
        if (n > 0) out.push({ alias: "blank", text: "-" });
        out.push({
          alias: p.digit ? "hword_numpart" : p.nonAscii ? "hword_part" : "hword_asciipart",
          text: text.slice(at, p.end),
        });
        at = p.end + 1;
      });
      break;
    }
  }
  return best;
}

/** Every token of text in order, blanks included, as `ts_debug('english', text)` lists them. */
export function parseTokens(text: string): Token[] {
  const out: Token[] = [];
  const n = text.length;
  let i = 0;
  let blank = -1;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (blank >= 0) {
      const starts = c < 128 ? (CLASS[c]! & BREAKS_BLANK) !== 0 : isWordStartCode(codeAt(text, i));
      if (!starts) {
        i++;
        continue;
      }
      out.push({ alias: "blank", text: text.slice(blank, i) });
    }
    const end = scanAt(text, i, out);
    if (blankAfter) {
      // the hyphen after a hyphenated word: a blank, alone before a letter that starts no word
      blankAfter = false;
      blank = end;
      i = end + 1;
      if (i < n && text.charCodeAt(i) >= 128 && isLetterCode(codeAt(text, i))) {
        out.push({ alias: "blank", text: "-" });
        blank = i;
        i++;
      }
    } else if (end > i) {
      i = end;
      blank = -1;
    } else {
      blank = i;
      i++;
    }
  }
  if (blank >= 0) out.push({ alias: "blank", text: text.slice(blank) });
  return out;
}
