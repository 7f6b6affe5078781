// PII redaction at ingest: matches are replaced in the loaded (normalised) text before it is
// hashed and chunked, so the stored text, every offset and every hash refer to the redacted
// text and a citation of it verifies like any other.
import { findPii, type PiiKind } from "../src/text/pii.ts";

/** What stands in for a match: fixed, so the stored text says what was there without saying it. */
export const placeholderFor = (kind: PiiKind) => `[${kind} redacted]`;

/** One replacement, as offsets into the redacted text: `text.slice(start, end)` is its placeholder. */
export type Redaction = { kind: PiiKind; start: number; end: number };

/**
 * `text` with every match of `kinds` replaced by its placeholder, and where each placeholder is.
 * Redacting the result again changes nothing (a placeholder holds no personal data), and a
 * placeholder is normalised text, so the result stays normalised.
 */
export function redactText(
  text: string,
  kinds: readonly PiiKind[],
): { text: string; redactions: Redaction[] } {
  if (kinds.length === 0) return { text, redactions: [] };
  const redactions: Redaction[] = [];
  let out = "";
  let from = 0;
  for (const match of findPii(text, kinds)) {
    out += text.slice(from, match.start);
    const placeholder = placeholderFor(match.kind);
    redactions.push({ kind: match.kind, start: out.length, end: out.length + placeholder.length });
    out += placeholder;
    from = match.end;
  }
  return { text: out + text.slice(from), redactions };
}
