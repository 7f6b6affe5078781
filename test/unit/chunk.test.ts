import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { chunkText, type ChunkSpan } from "../../ingest/chunk.ts";
import { loadDocument } from "../../ingest/loaders/index.ts";
import { createRng } from "../../src/rng.ts";
import { findTableBlocks } from "../../src/text/table-rows.ts";

const FIXTURES = new URL("../fixtures/docs/", import.meta.url);
const FIXTURE_FILES = [
  "rainwater-harvesting.md",
  "water-treatment.html",
  "maintenance-log.txt",
  "sample.pdf",
];

describe("chunkText", () => {
  it("packs whole sentences up to the target size", () => {
    const text = "One two three. Four five six. Seven eight nine. Ten eleven twelve.";
    const chunks = chunkText(text, { targetChars: 30 });
    expect(chunks.map((c) => c.text)).toEqual([
      "One two three. Four five six.",
      "Seven eight nine.",
      "Ten eleven twelve.",
    ]);
    expectInvariants(text, chunks);
  });

  it("gives a chunk at least one sentence even when that sentence exceeds the target", () => {
    const text = "A fairly long opening sentence here. Short.";
    const chunks = chunkText(text, { targetChars: 10 });
    expect(chunks.map((c) => c.text)).toEqual(["A fairly long opening sentence here.", "Short."]);
  });

  it("starts a new chunk at a blank line once the chunk holds a third of the target", () => {
    const text = "Heading\n\nFirst paragraph sentence one. Sentence two.\n\nSecond paragraph.";
    const chunks = chunkText(text, { targetChars: 60 });
    // "Heading" (7 chars) is under a third of 60, so it stays with its paragraph.
    expect(chunks.map((c) => c.text)).toEqual([
      "Heading\n\nFirst paragraph sentence one. Sentence two.",
      "Second paragraph.",
    ]);
  });

  it("keeps a single newline inside a chunk", () => {
    const text = "- first item\n- second item\n- third item";
    expect(chunkText(text).map((c) => c.text)).toEqual([text]);
  });

  it("keeps a table that fits in maxChars in one chunk, so no row loses its header", () => {
    const table = [
      "Plan | Trash retention | Version history",
      "Basic | 30 days | 90 days",
      "Team | 60 days | 180 days",
      "Premium | 90 days | 365 days",
    ].join("\n");
    const text = `Retention by plan\n\n${table}\n\nAfter the table comes prose.`;
    const chunks = chunkText(text, { targetChars: 60, maxChars: 200 });
    expect(chunks.map((c) => c.text)).toEqual([
      "Retention by plan",
      table,
      "After the table comes prose.",
    ]);
    expectInvariants(text, chunks);
  });

  it("splits a table longer than maxChars between rows", () => {
    const rows = Array.from({ length: 12 }, (_, i) => `Plan ${i} | ${i * 10} days`);
    const text = ["Plan | Retention", ...rows].join("\n");
    const chunks = chunkText(text, { targetChars: 60, maxChars: 100 });
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunk.text.length).toBeLessThanOrEqual(100);
      // Every chunk holds whole rows.
      for (const line of chunk.text.split("\n")) expect(line).toMatch(/^Plan( \d+)? \| \S/);
    }
    expectInvariants(text, chunks);
  });

  it.each(["rainwater-harvesting.md", "water-treatment.html"])(
    "keeps every table of the %s fixture in one chunk",
    async (file) => {
      const { text } = await loadDocument(file, readFileSync(new URL(file, FIXTURES)));
      const tables = findTableBlocks(text);
      expect(tables.length).toBeGreaterThan(0);
      const chunks = chunkText(text);
      for (const table of tables) {
        expect(chunks.some((c) => c.start <= table.start && table.end <= c.end)).toBe(true);
      }
    },
  );

  it("splits a sentence longer than maxChars at whitespace with exact offsets", () => {
    const text = `Intro. ${"lorem ipsum dolor ".repeat(20).trim()}. Outro.`;
    const chunks = chunkText(text, { targetChars: 50, maxChars: 60 });
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) {
      expect(chunk.text.length).toBeLessThanOrEqual(60);
      expect(chunk.text).not.toMatch(/^\s|\s$/);
      // No word was cut: every token is one of the input's words.
      const words = new Set(["Intro.", "lorem", "ipsum", "dolor", "dolor.", "Outro."]);
      expect(chunk.text.split(/\s+/).every((word) => words.has(word))).toBe(true);
    }
    expectInvariants(text, chunks);
  });

  it("hard-splits a run with no whitespace without breaking surrogate pairs", () => {
    const text = "🌊".repeat(30);
    const chunks = chunkText(text, { targetChars: 5, maxChars: 7 });
    for (const chunk of chunks) {
      expect(chunk.text.length).toBeLessThanOrEqual(7);
      expect(chunk.text).toMatch(/^(🌊)+$/u);
    }
    expectInvariants(text, chunks);
  });

  it("returns no chunks for blank text and rejects nonsensical options", () => {
    expect(chunkText("")).toEqual([]);
    expect(chunkText(" \n\n ")).toEqual([]);
    expect(() => chunkText("x", { maxChars: 0 })).toThrow(RangeError);
    expect(() => chunkText("x", { targetChars: 1.5 })).toThrow(RangeError);
  });

  it("never exceeds maxChars, even when the target is larger", () => {
    const text = "Short sentence here. ".repeat(100);
    const chunks = chunkText(text, { targetChars: 5000, maxChars: 200 });
    expect(Math.max(...chunks.map((c) => c.text.length))).toBeLessThanOrEqual(200);
    expectInvariants(text, chunks);
  });

  it.each(FIXTURE_FILES)("upholds the offset invariants on the %s fixture", async (file) => {
    const { text } = await loadDocument(file, readFileSync(new URL(file, FIXTURES)));
    for (const options of [
      {},
      { targetChars: 120, maxChars: 200 },
      { targetChars: 40, maxChars: 50 },
    ]) {
      const chunks = chunkText(text, options);
      expect(chunks.length).toBeGreaterThan(0);
      expectInvariants(text, chunks);
    }
  });

  it("upholds the offset invariants on randomised text", () => {
    // Seeded, so a failing case can be replayed.
    const random = createRng(2024).next;
    const tokens = [
      ...["Dr.", "Mr.", "e.g.", "U.S.", "$4.50", "v2.1", "the", "Water", "flows.", "Why?", "Yes!"],
      ...[
        "supercalifragilisticexpialidocious",
        "|", // table rows: a run of them is kept whole when it fits
        "🌊",
        "水。",
        "é",
        " ",
        " ",
        " ",
        "\n",
        "\n\n",
        "\t",
      ],
    ];
    for (let round = 0; round < 200; round++) {
      const text = Array.from(
        { length: Math.floor(random() * 300) },
        () => tokens[Math.floor(random() * tokens.length)],
      ).join(random() < 0.7 ? " " : "");
      const maxChars = 5 + Math.floor(random() * 200);
      const targetChars = 1 + Math.floor(random() * 300);
      const chunks = chunkText(text, { targetChars, maxChars });
      expectInvariants(text, chunks);
      for (const chunk of chunks) expect(chunk.text.length).toBeLessThanOrEqual(maxChars);
    }
  });
});

/** Exact offsets, ordinals 0..n-1, in order, no overlap, every non-space character in one chunk. */
function expectInvariants(text: string, chunks: ChunkSpan[]): void {
  const owner = new Array<number>(text.length).fill(-1);
  chunks.forEach((chunk, index) => {
    expect(chunk.ordinal).toBe(index);
    expect(text.slice(chunk.start, chunk.end)).toBe(chunk.text);
    expect(chunk.text.length).toBeGreaterThan(0);
    if (index > 0) expect(chunk.start).toBeGreaterThanOrEqual(chunks[index - 1]!.end);
    for (let i = chunk.start; i < chunk.end; i++) {
      if (owner[i] !== -1) throw new Error(`character ${i} is in chunks ${owner[i]} and ${index}`);
      owner[i] = index;
    }
  });
  for (let i = 0; i < text.length; i++) {
    if (!/\s/.test(text[i]!) && owner[i] === -1) {
      throw new Error(`character ${i} (${JSON.stringify(text[i])}) is in no chunk`);
    }
  }
}
