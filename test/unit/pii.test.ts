import { describe, expect, it } from "vitest";
import { SourceSpec } from "../../ingest/manifest.ts";
import { placeholderFor, redactText } from "../../ingest/redact.ts";
import { findPii, passesLuhn, passesMod97, type PiiKind } from "../../src/text/pii.ts";

/** The matched strings of `text`, as "kind: text". */
const found = (text: string, kinds?: PiiKind[]) =>
  findPii(text, kinds).map((m) => `${m.kind}: ${text.slice(m.start, m.end)}`);

describe("findPii: what is personal data", () => {
  it.each([
    ["Write to billing@orbit.example today.", "email: billing@orbit.example"],
    [
      "Contact <Jane.O'Neil+orbit@mail.example.co.uk>.",
      "email: Jane.O'Neil+orbit@mail.example.co.uk",
    ],
    ["Quoted 'a@b.example' here.", "email: a@b.example"],
    ["Call +44 20 7946 0958 for help.", "phone: +44 20 7946 0958"],
    ["Call +1 (555) 123-4567.", "phone: +1 (555) 123-4567"],
    ["Hotline +49 30 1234567, daily.", "phone: +49 30 1234567"],
    ["Phone (555) 231-4567 or write.", "phone: (555) 231-4567"],
    ["Toll-free 1-800-555-0199.", "phone: 1-800-555-0199"],
    ["Office 555.231.0199 (weekdays).", "phone: 555.231.0199"],
    ["Our London desk: 020 7946 0958.", "phone: 020 7946 0958"],
    ["Berlin: 030-12345678.", "phone: 030-12345678"],
    ["Paris : 01 23 45 67 89.", "phone: 01 23 45 67 89"],
    ["Card 4111 1111 1111 1111 was charged.", "card: 4111 1111 1111 1111"],
    ["Card 4242-4242-4242-4242 was charged.", "card: 4242-4242-4242-4242"],
    ["Amex 3782 822463 10005 expired.", "card: 3782 822463 10005"],
    ["Number 5555555555554444 on file.", "card: 5555555555554444"],
    ["Pay to DE89 3704 0044 0532 0130 00 by Friday.", "iban: DE89 3704 0044 0532 0130 00"],
    ["IBAN GB82WEST12345698765432.", "iban: GB82WEST12345698765432"],
    ["FR14 2004 1010 0505 0001 3M02 606 is ours", "iban: FR14 2004 1010 0505 0001 3M02 606"],
  ])("finds %j", (text, expected) => {
    expect(found(text)).toEqual([expected]);
  });

  it("finds several kinds in one text, in order, and only the kinds asked for", () => {
    const text = "Mail a@b.example or call +44 20 7946 0958; IBAN NL91 ABNA 0417 1643 00.";
    expect(found(text)).toEqual([
      "email: a@b.example",
      "phone: +44 20 7946 0958",
      "iban: NL91 ABNA 0417 1643 00",
    ]);
    expect(found(text, ["iban"])).toEqual(["iban: NL91 ABNA 0417 1643 00"]);
    expect(found(text, [])).toEqual([]);
  });
});

describe("findPii: what is not", () => {
  it.each([
    ["prices", "The Team plan costs $1,299.00 a year, or €12 345 678 for the whole fleet."],
    ["dates", "Released 2024-05-12, updated 05/12/2024 and 12.05.2024 at 09:30-17:00."],
    ["version numbers", "Upgrade from 2.10.3 to 10.4.1234 or build 2024.05.1234."],
    ["order ids", "Order ORD-2024-000123, #10234-5521 and A1234-5678-9012 shipped."],
    ["ISBNs", "See ISBN 978-0-306-40615-7, ISBN 9780306406157 and 0-306-40615-2."],
    ["phone-like ranges in prose", "Between 300-400 and 1990-2000, 100 200 300 400 500 600 units."],
    ["a table row of small numbers", "4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1"],
    ["a hex dump", "<Buffer 08 00 00 00 00 00 00 00 28 58 01 00 05 00 00 00>"],
    ["long ids failing Luhn", "Tracking 4111111111111112 and 1234567812345678."],
    ["an IBAN with a bad check", "Pay to DE89 3704 0044 0532 0130 01 instead."],
    ["an IBAN-like code of no country", "Reference ZZ12 3456 7890 1234 5678 90."],
    ["addresses without a domain", "Log in as root@localhost or user@host."],
    ["short international-looking numbers", "Scores rose +5 10 then +2."],
    ["bare ten-digit ids", "Ticket 0207946095 and 5551234567 are open."],
    ["coordinates and measures", "At 51.5074, -0.1278 the pipe is 020 mm wide and 0.25 m deep."],
  ])("leaves %s alone", (_, text) => {
    expect(found(text)).toEqual([]);
  });
});

describe("checksums", () => {
  it("Luhn accepts test card numbers and rejects a changed digit", () => {
    expect(passesLuhn("4111111111111111")).toBe(true);
    expect(passesLuhn("378282246310005")).toBe(true);
    expect(passesLuhn("4111111111111121")).toBe(false);
    expect(passesLuhn("")).toBe(false);
  });

  it("mod-97 accepts registry example IBANs and rejects a changed digit", () => {
    expect(passesMod97("DE89370400440532013000")).toBe(true);
    expect(passesMod97("GB82WEST12345698765432")).toBe(true);
    expect(passesMod97("DE89370400440532013001")).toBe(false);
  });
});

describe("redactText", () => {
  const text = "Write to billing@orbit.example or call +44 20 7946 0958. Card 4111 1111 1111 1111.";

  it("replaces each match with its placeholder and records offsets into the redacted text", () => {
    const { text: redacted, redactions } = redactText(text, ["email", "phone", "card"]);
    expect(redacted).toBe(
      "Write to [email redacted] or call [phone redacted]. Card [card redacted].",
    );
    expect(redactions.map((r) => r.kind)).toEqual(["email", "phone", "card"]);
    for (const r of redactions) expect(redacted.slice(r.start, r.end)).toBe(placeholderFor(r.kind));
  });

  it("is idempotent and changes nothing when no kinds are asked for", () => {
    const once = redactText(text, ["email", "phone", "card", "iban"]).text;
    expect(redactText(once, ["email", "phone", "card", "iban"])).toEqual({
      text: once,
      redactions: expect.any(Array),
    });
    expect(redactText(once, ["email", "phone", "card", "iban"]).text).toBe(once);
    expect(redactText(text, [])).toEqual({ text, redactions: [] });
  });
});

describe("a manifest source's `redact`", () => {
  const source = {
    id: "tickets",
    name: "Tickets",
    publisher: "Acme Inc.",
    uri: "https://acme.example/tickets",
    license: "CC-BY-4.0",
    trust: "reviewed",
    paths: ["tickets/*.md"],
  };

  it("is absent by default and takes the known kinds only", () => {
    expect(SourceSpec.parse(source).redact).toBeUndefined();
    expect(SourceSpec.parse({ ...source, redact: ["email", "iban"] }).redact).toEqual([
      "email",
      "iban",
    ]);
    const unknown = SourceSpec.safeParse({ ...source, redact: ["email", "ssn"] });
    expect(unknown.success).toBe(false);
    expect(unknown.error?.issues[0]?.path).toEqual(["redact", 1]);
  });
});
