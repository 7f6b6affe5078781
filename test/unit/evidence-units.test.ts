import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { chunkText } from "../../ingest/chunk.ts";
import { loadDocument } from "../../ingest/loaders/index.ts";
import { evidenceUnits, type EvidenceUnit } from "../../src/text/evidence-units.ts";
import { splitSentences } from "../../src/text/sentences.ts";
import { findTableBlocks, rowText, splitRow } from "../../src/text/table-rows.ts";

// A page as the loaders render it: a heading, a paragraph, a table and another section.
const PAGE = [
  "Trash and version history",
  "",
  "When you delete a file, it moves to the trash. Acme keeps earlier versions too.",
  "",
  "Plan | Trash retention | Version history",
  "Basic | 30 days | 90 days",
  "Team | 60 days | 180 days",
  "Premium | 90 days | 365 days",
  "",
  "Restoring a deleted file",
  "",
  "Sign in to the web app and click Deleted files.",
].join("\n");

/** Units as [quoted span, reading, heading]; every unit's offsets are checked on the way. */
function read(text: string, units: EvidenceUnit[]): [string, string, string | null][] {
  return units.map((unit) => {
    expect(unit.start).toBeLessThan(unit.end);
    const quote = text.slice(unit.start, unit.end);
    expect(quote).toBe(quote.trim());
    if (unit.kind === "sentence") expect(unit.text).toBe(quote);
    return [quote, unit.text, unit.heading];
  });
}

describe("evidenceUnits", () => {
  it("reads each table row with its header and quotes the row exactly", () => {
    const units = evidenceUnits(PAGE);
    expect(read(PAGE, units)).toEqual([
      [
        "When you delete a file, it moves to the trash.",
        "When you delete a file, it moves to the trash.",
        "Trash and version history",
      ],
      [
        "Acme keeps earlier versions too.",
        "Acme keeps earlier versions too.",
        "Trash and version history",
      ],
      [
        "Basic | 30 days | 90 days",
        "Plan: Basic; Trash retention: 30 days; Version history: 90 days",
        "Trash and version history",
      ],
      [
        "Team | 60 days | 180 days",
        "Plan: Team; Trash retention: 60 days; Version history: 180 days",
        "Trash and version history",
      ],
      [
        "Premium | 90 days | 365 days",
        "Plan: Premium; Trash retention: 90 days; Version history: 365 days",
        "Trash and version history",
      ],
      [
        "Sign in to the web app and click Deleted files.",
        "Sign in to the web app and click Deleted files.",
        "Restoring a deleted file",
      ],
    ]);
    expect(units.map((u) => u.kind)).toEqual([
      ...["sentence", "sentence", "row", "row", "row", "sentence"],
    ]);
  });

  it("never offers a header row, a delimiter row or a heading as a unit", () => {
    const text = "Plans:\n\n| Plan | Trash retention |\n| --- | :---: |\n| Basic | 30 days |";
    const units = evidenceUnits(text);
    expect(read(text, units)).toEqual([
      ["| Basic | 30 days |", "Plan: Basic; Trash retention: 30 days", "Plans:"],
    ]);
    for (const unit of evidenceUnits(PAGE)) {
      expect(unit.text).not.toMatch(/^Plan \|/);
      expect(unit.text).not.toBe("Trash and version history");
    }
  });

  it("skips empty cells in a reading and rows with no filled cell", () => {
    const text = "Plan | Trash | Versions\nBasic |  | 90 days\n | | \nTeam | 60 days |";
    expect(evidenceUnits(text).map((u) => u.text)).toEqual([
      "Plan: Basic; Versions: 90 days",
      "Plan: Team; Trash: 60 days",
    ]);
  });

  it("reads rows without labels when the text starts inside a table", () => {
    const text =
      "Team | 60 days | 180 days\nPremium | 90 days | 365 days\n\nMore plans are coming.";
    const units = evidenceUnits(text, { startsInTable: true });
    expect(read(text, units)).toEqual([
      ["Team | 60 days | 180 days", "Team; 60 days; 180 days", null],
      ["Premium | 90 days | 365 days", "Premium; 90 days; 365 days", null],
      ["More plans are coming.", "More plans are coming.", null],
    ]);
    // A single row left at the start of a slice is still a row, not prose.
    const single = "Premium | 90 days | 365 days\n\nMore plans are coming.";
    expect(evidenceUnits(single, { startsInTable: true })[0]).toMatchObject({
      kind: "row",
      text: "Premium; 90 days; 365 days",
    });
    // Without the hint, a table at the start of a text begins with its header.
    expect(evidenceUnits(text).map((u) => u.text)).toEqual([
      "Team: Premium; 60 days: 90 days; 180 days: 365 days",
      "More plans are coming.",
    ]);
  });

  it("gives units the nearest heading above them, questions and lead-ins included", () => {
    const text = [
      "Billing",
      "",
      "Invoices are sent by email.",
      "",
      "Can I pay by bank transfer?",
      "",
      "Yes, on annual plans.",
      "",
      "To change the card on file, do this:",
      "",
      "Open Settings and choose Billing.",
    ].join("\n");
    expect(read(text, evidenceUnits(text)).map(([quote, , heading]) => [quote, heading])).toEqual([
      ["Invoices are sent by email.", "Billing"],
      ["Yes, on annual plans.", "Can I pay by bank transfer?"],
      ["Open Settings and choose Billing.", "To change the card on file, do this:"],
    ]);
  });

  it("does not treat list items or a trailing lead-in as headings", () => {
    const text =
      "You need:\n\nA leaf screen\nA first-flush diverter\nA tank that holds 2,000 litres.\n\nSee also:";
    const units = evidenceUnits(text);
    expect(read(text, units)).toEqual([
      ["A tank that holds 2,000 litres.", "A tank that holds 2,000 litres.", "You need:"],
      ["See also:", "See also:", "You need:"],
    ]);
  });

  it("keeps ordinary prose exactly as the statements of splitSentences", () => {
    const text =
      "Acme was founded in 2012 by Dr. Smith. It serves 40 countries.\n" +
      "Why does it matter? Because data stays in the EU.\n" +
      "Prices are listed in U.S. dollars and exclude tax.";
    const expected = splitSentences(text)
      .map((s) => text.slice(s.start, s.end))
      .filter((s) => !s.endsWith("?"));
    expect(read(text, evidenceUnits(text)).map(([quote]) => quote)).toEqual(expected);
  });

  it("leaves a lone line with bars to the sentence splitter", () => {
    const text = "Privacy | Terms of service | Contact us and more links here";
    expect(evidenceUnits(text).map((u) => u.kind)).toEqual(["sentence"]);
  });

  it("reads a row whose cell held a bar or a line break, as the loaders write it", () => {
    const text = `${rowText(["Shortcut", "Action"])}\n${rowText(["a | b", "Splits\nthe view"])}`;
    expect(text).toBe("Shortcut | Action\na \u00a6 b | Splits the view");
    expect(evidenceUnits(text).map((u) => u.text)).toEqual([
      "Shortcut: a \u00a6 b; Action: Splits the view",
    ]);
  });
});

describe("evidence units of the sample handbook's table", () => {
  it("reads its rows with the header in every chunk and never offers the header", async () => {
    const path = "acme/handbook/sync-and-backup.md";
    const bytes = readFileSync(new URL(`../../sources/${path}`, import.meta.url));
    const { text } = await loadDocument(path, bytes);
    const units = chunkText(text).flatMap((chunk) =>
      evidenceUnits(chunk.text).map((unit) => ({
        ...unit,
        quote: text.slice(chunk.start + unit.start, chunk.start + unit.end),
      })),
    );
    expect(units).toContainEqual(
      expect.objectContaining({
        kind: "row",
        quote: "Team | 60 days | 180 days",
        text: "Plan: Team; Trash retention: 60 days; Version history: 180 days",
      }),
    );
    expect(units.filter((u) => u.quote.includes("Trash retention |"))).toEqual([]);
  });
});

describe("table rows", () => {
  it("splits rows whose empty cells normalisation squeezed", () => {
    expect(splitRow("Basic | | 90 days")).toEqual(["Basic", "", "90 days"]);
    expect(splitRow("| Team | 60 days |")).toEqual(["", "Team", "60 days", ""]);
    expect(splitRow("a|b | c")).toEqual(["a|b", "c"]);
  });

  it("finds tables only where rows share a cell count", () => {
    const text = "A | B\n1 | 2\nx | y | z\n\nC | D | E";
    expect(findTableBlocks(text).map((b) => text.slice(b.start, b.end))).toEqual(["A | B\n1 | 2"]);
  });
});
