// Personal data a source may hold and an operator may choose to redact at ingest: e-mail
// addresses, phone numbers, payment card numbers and IBANs. Detection is conservative: a number
// is only a card if it passes the Luhn check, only an IBAN if its country, length and mod-97
// check agree, only a phone number in an international or a common national format. Prices,
// dates, version numbers, order ids and ISBNs stay as they are.

export const PII_KINDS = ["email", "phone", "card", "iban"] as const;
export type PiiKind = (typeof PII_KINDS)[number];

/** A span of `text` holding personal data: `text.slice(start, end)`. */
export type PiiMatch = { kind: PiiKind; start: number; end: number };

/**
 * ASCII local part (an apostrophe inside it, as in O'Neil) and domain with a letter TLD: internationalised addresses are rare in support
 * text and a looser pattern starts matching "user@host" in code samples.
 */
const EMAIL =
  /(?<![\w.%+-])[a-z0-9](?:[a-z0-9._%+'-]*[a-z0-9_%+-])?@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,24}(?![a-z0-9-]|\.[a-z0-9])/gi;

/** Not inside a longer token: digits, letters and the joiners of ids, versions and ranges. */
const BEFORE = String.raw`(?<![\w.,/+#@$€£¥-])`;
const AFTER = String.raw`(?![\w/#@]|[.,-]\d)`;
/**
 * Phone numbers by family of format, each with the digits (separators aside) a number of it has.
 * Each is matched on its own: "01 23 45 67 89" is a French number, not a short British one.
 */
const PHONE_FORMATS: readonly { pattern: RegExp; digits: [number, number] }[] = [
  // International: +CC then groups of digits, 8 to 15 digits in all (E.164).
  { pattern: String.raw`\+[1-9]\d{0,2}(?:[ .-]?\(\d{1,4}\)|[ .-]?\d{1,5}){2,6}`, digits: [8, 15] },
  // North American: (555) 123-4567, 555-123-4567, 1-800-555-0199; a space only after the area
  // code, so runs of numbers in prose ("300 400 5000") are not read as one.
  {
    pattern: String.raw`(?:1[ .-])?(?:\([2-9]\d{2}\) ?|[2-9]\d{2}[ .-])[2-9]\d{2}[.-]\d{4}`,
    digits: [10, 11],
  },
  // National numbers with a trunk 0 (UK, Germany, Netherlands, ...): 020 7946 0958, 030-1234567.
  // Neither may sit in a longer run of digit groups (a hex dump, a table row).
  {
    pattern: String.raw`(?<!\d[ .-])\(?0\d{1,4}\)?(?:[ -]\d{2,8}){1,3}(?![ .-]\d)`,
    digits: [10, 11],
  },
  // France: 01 23 45 67 89, 06.12.34.56.78.
  {
    pattern: String.raw`(?<!\d[ .-])0[1-9]([ .])\d{2}(?:\1\d{2}){3}(?![ .-]\d)`,
    digits: [10, 10],
  },
].map(({ pattern, digits }) => ({
  pattern: new RegExp(`${BEFORE}${pattern}${AFTER}`, "g"),
  digits: digits as [number, number],
}));

/**
 * 13 to 19 digits, bare or in the groups cards are printed in (4-4-4-4, 4-6-5, 4-4-4-4-3); never
 * single digits with spaces between, which is how a table row of small numbers reads.
 */
const CARD = new RegExp(
  // Nor the tail of a longer grouped number: the digits of an IBAN ("DE89 3704 0044 ...") or of
  // a longer run of groups.
  `${BEFORE}(?<![A-Z]{2}\\d{2}[ -]|\\d[ -])(?:\\d{13,19}|\\d{4}([ -])\\d{4}\\1\\d{4}\\1\\d{4}(?:\\1\\d{1,3})?|\\d{4}([ -])\\d{6}\\2\\d{4,5})${AFTER}`,
  "g",
);

/** IBAN length by country (ISO 13616 registry): the check digits alone would pass 1 in 97. */
const IBAN_LENGTHS: Readonly<Record<string, number>> = Object.fromEntries(
  (
    "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DK18 DO28 " +
    "EE20 EG29 ES24 FI18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HR21 HU28 IE22 IL23 IQ23 IS26 " +
    "IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 MC27 MD24 ME22 MK19 MR27 MT31 MU30 NL18 " +
    "NO15 PK24 PL28 PS29 PT25 QA29 RO24 RS22 SA24 SC31 SE24 SI19 SK24 SM27 ST25 SV28 TL23 TN24 " +
    "TR26 UA29 VA22 VG24 XK20"
  )
    .split(" ")
    .map((entry) => [entry.slice(0, 2), Number(entry.slice(2))]),
);
/** Where an IBAN may start: a country code and two check digits, as printed (upper case). */
const IBAN_START = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?= ?[A-Z0-9])/g;

/** Spans of `text` holding personal data of the given kinds, in order and never overlapping. */
export function findPii(text: string, kinds: readonly PiiKind[] = PII_KINDS): PiiMatch[] {
  const found: PiiMatch[] = [];
  const want = new Set(kinds);
  if (want.has("iban")) found.push(...findIbans(text));
  if (want.has("card")) found.push(...findCards(text));
  if (want.has("email")) found.push(...matchesOf(text, EMAIL, "email"));
  if (want.has("phone")) found.push(...findPhones(text));
  return withoutOverlaps(found);
}

function findPhones(text: string): PiiMatch[] {
  return PHONE_FORMATS.flatMap(({ pattern, digits: [min, max] }) =>
    matchesOf(text, pattern, "phone").filter((m) => {
      const digits = text.slice(m.start, m.end).replace(/\D/g, "").length;
      return digits >= min && digits <= max;
    }),
  );
}

function findCards(text: string): PiiMatch[] {
  return matchesOf(text, CARD, "card").filter((m) => {
    const digits = text.slice(m.start, m.end).replace(/\D/g, "");
    // Issuer prefixes 2 to 6 (Mastercard, Amex/Diners, Visa, Mastercard, Discover): ISBN-13s
    // start with 978/979, and long ids often with 0, 1 or 9.
    return /^[2-6]/.test(digits) && passesLuhn(digits);
  });
}

function findIbans(text: string): PiiMatch[] {
  const found: PiiMatch[] = [];
  for (const start of text.matchAll(IBAN_START)) {
    const length = IBAN_LENGTHS[start[0].slice(0, 2)];
    if (!length) continue;
    // Read `length` characters, allowing a single space between any two (the printed groups).
    let compact = "";
    let end = start.index;
    while (end < text.length && compact.length < length) {
      const c = text[end]!;
      if (/[A-Z0-9]/.test(c)) compact += c;
      else if (!(c === " " && compact.length > 0 && /[A-Z0-9]/.test(text[end + 1] ?? ""))) break;
      end++;
    }
    if (compact.length !== length || /[A-Za-z0-9]/.test(text[end] ?? "")) continue;
    if (passesMod97(compact)) found.push({ kind: "iban", start: start.index, end });
  }
  return found;
}

/** The Luhn checksum of card numbers: every second digit from the right doubled. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** ISO 7064 mod 97-10 as IBANs use it: country and check digits moved to the end, letters as 10..35. */
export function passesMod97(iban: string): boolean {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const c of rearranged) {
    const value = /\d/.test(c) ? c : String(c.charCodeAt(0) - 55);
    for (const d of value) remainder = (remainder * 10 + Number(d)) % 97;
  }
  return remainder === 1;
}

function matchesOf(text: string, pattern: RegExp, kind: PiiKind): PiiMatch[] {
  return [...text.matchAll(pattern)].map((m) => ({
    kind,
    start: m.index,
    end: m.index + m[0].length,
  }));
}

/** The earliest span wins an overlap; at the same start, the longer one. */
function withoutOverlaps(matches: PiiMatch[]): PiiMatch[] {
  const sorted = [...matches].sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: PiiMatch[] = [];
  for (const m of sorted) if (m.start >= (kept.at(-1)?.end ?? 0)) kept.push(m);
  return kept;
}
