import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  DocumentLoadError,
  LoadedDocument,
  UnsupportedFormatError,
  loadDocument,
} from "../../ingest/loaders/index.ts";
import { reflowLines } from "../../ingest/loaders/pdf.ts";
import { normaliseText } from "../../ingest/normalise.ts";
import { SAMPLE_PAGES, buildPdf } from "../../lab/fixtures/make-fixture-pdf.ts";
import { findTableBlocks, splitRow } from "../../src/text/table-rows.ts";

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../fixtures/docs/${name}`, import.meta.url)));
const utf8 = (text: string) => new TextEncoder().encode(text);
const linesOf = (text: string) => text.split("\n");

describe("loadDocument: markdown", () => {
  it("strips markup and keeps the readable text of the fixture", async () => {
    const doc = await loadDocument(
      "docs/rainwater-harvesting.md",
      fixture("rainwater-harvesting.md"),
    );
    expect(LoadedDocument.parse(doc)).toEqual(doc);
    expect(doc.title).toBe("Rainwater Harvesting for Small Buildings");
    expect(doc.mediaType).toBe("text/markdown");
    const prose = doc.text.replace(/^tank_litres=.*$/m, ""); // the code block multiplies with *
    expect(prose).not.toMatch(/#|\*|`|\]\(|\[|^>|^-|^\d+\.|<!--|https?:/m);
    expect(doc.text).not.toContain("author:"); // front matter is metadata
    // Soft-wrapped paragraph lines are joined; emphasis keeps its text.
    expect(doc.text).toContain(
      "A typical family home in a temperate climate can collect around 85,000 litres a year",
    );
    expect(doc.text).toContain("see the sizing guide for details.");
    expect(doc.text).toContain("tank_litres=$((roof_m2 * rainfall_mm * 0.9 * 18 / 365))");
    expect(doc.text).toContain("uses 0.5 kWh per cubic metre.");
    expect(doc.text).toContain("Harvested rainwater is not drinking water");
  });

  it("puts headings, list items and table rows on their own lines", async () => {
    const { text } = await loadDocument("a.md", fixture("rainwater-harvesting.md"));
    const lines = linesOf(text);
    expect(lines).toContain("How a system works");
    expect(lines).toContain("Gutters carry water from the roof to a downpipe.");
    expect(lines).toContain("A leaf screen on each downpipe");
    expect(lines).toContain("Nested item: an overflow to a soakaway");
    expect(lines).toContain("50 m² | 600 mm | 2,000 L");
    expect(text).toContain("How a system works\n\nGutters carry water");
  });

  it("falls back to a humanised file name when there is no heading", async () => {
    const doc = await loadDocument("notes/getting-started_guide.markdown", utf8("Just **text**."));
    expect(doc).toEqual({
      title: "Getting started guide",
      text: "Just text.",
      mediaType: "text/markdown",
    });
  });

  it("prefers a level-one heading and keeps raw HTML text without tags or scripts", async () => {
    const markdown =
      "## Intro\n\n# Real Title\n\n<div>Inside <b>html</b></div>\n\n<script>bad()</script>";
    const doc = await loadDocument("x.MD", utf8(markdown));
    expect(doc.title).toBe("Real Title");
    expect(doc.text).toBe("Intro\n\nReal Title\n\nInside html");
  });
});

describe("loadDocument: html", () => {
  it("keeps the article and drops navigation, chrome, forms and scripts", async () => {
    const doc = await loadDocument("water-treatment.html", fixture("water-treatment.html"));
    expect(doc.mediaType).toBe("text/html");
    expect(doc.title).toBe("How Municipal Water Treatment Works & Why It Matters");
    expect(doc.text).toContain(
      "Most cities treat drinking water in four stages: coagulation, sedimentation, " +
        "filtration and disinfection.",
    );
    expect(doc.text).toContain("Filters remove particles as small as 0.5 microns — including");
    for (const noise of [
      "TRACKING-SCRIPT-TEXT",
      "INLINE-SCRIPT-TEXT",
      "SITE-HEADER-TAGLINE",
      "AquaDaily",
      "NAV-LINK",
      "BREADCRUMB-TRAIL",
      "SIDEBAR-PROMO",
      "COMMENT-FORM-LABEL",
      "ARTICLE-FOOTER-SHARE-LINKS",
      "SITE-FOOTER-COPYRIGHT",
      "NOSCRIPT-FALLBACK-TEXT",
      "font-family",
    ]) {
      expect(doc.text).not.toContain(noise);
    }
    expect(doc.text).not.toMatch(/[<>]|&\w+;/);
  });

  it("puts block elements, list items, table rows and <br> lines on their own lines", async () => {
    const { text } = await loadDocument("page.htm", fixture("water-treatment.html"));
    const lines = linesOf(text);
    expect(lines[0]).toBe("How Municipal Water Treatment Works"); // the article's own header stays
    expect(lines).toContain("By Elena Ruiz, March 4, 2024");
    expect(lines).toContain("Filtration");
    expect(lines).toContain("Rapid sand filters handle high volumes.");
    expect(lines).toContain("Sedimentation | 2–4 hours");
    expect(lines).toContain(
      "A small chlorine residual protects the water on its way through the pipes.",
    );
    expect(text).toContain("Filtration\n\nWater then passes");
  });

  it("uses the body and the first h1 when there is no <title>, <main> or <article>", async () => {
    const html =
      "<html><body><nav>Menu</nav><div><h1>Pipe&nbsp;Sizes</h1><p>Use 22 mm pipe.</p></div>" +
      "<div role='contentinfo'>Legal</div></body></html>";
    const doc = await loadDocument("pipes.html", utf8(html));
    expect(doc).toEqual({
      title: "Pipe Sizes",
      text: "Pipe Sizes\n\nUse 22 mm pipe.",
      mediaType: "text/html",
    });
  });
});

describe("loadDocument: tables", () => {
  const PLAN_LINES = [
    "Plan | Trash retention | Version history",
    "Basic | 30 days | 90 days",
    "Team | 60 days | 180 days",
  ];

  /** The one table of `text`: its lines, and every row with the header's cell count. */
  function onlyTable(text: string): string[] {
    const [table, ...others] = findTableBlocks(text);
    expect(others).toEqual([]);
    const lines = linesOf(text.slice(table!.start, table!.end));
    const width = splitRow(lines[0]!).length;
    for (const line of lines) expect(splitRow(line)).toHaveLength(width);
    return lines;
  }

  it("renders the same table the same way from Markdown and from HTML", async () => {
    const markdown =
      "# Plans\n\n| Plan | Trash retention | Version history |\n| --- | --- | --- |\n" +
      "| Basic | 30 days | 90 days |\n| **Team** | 60 days | 180 days |\n";
    const html =
      "<h1>Plans</h1><table><thead><tr><th>Plan</th><th>Trash retention</th>" +
      "<th>Version history</th></tr></thead><tbody><tr><td>Basic</td><td>30 days</td>" +
      "<td>90 days</td></tr><tr><td><b>Team</b></td><td>60 days</td><td>180 days</td></tr>" +
      "</tbody></table>";
    const fromMarkdown = await loadDocument("plans.md", utf8(markdown));
    const fromHtml = await loadDocument("plans.html", utf8(html));
    expect(fromMarkdown.text).toBe(["Plans", "", ...PLAN_LINES].join("\n"));
    expect(fromHtml.text).toBe(fromMarkdown.text);
  });

  it("keeps a Markdown row on one line with its cell count, whatever its cells hold", async () => {
    const markdown =
      "| Key | Action | Note |\n| --- | --- | --- |\n" +
      "| a \\| b | Splits<br>the view | `x\\|y` |\n" + // escaped bars, a line break
      "| Short row |\n" + // GFM fills it with empty cells
      "| 1 | 2 | 3 | 4 |\n" + // GFM drops the extra cell
      "|  | only the middle | |\n";
    const { text } = await loadDocument("keys.md", utf8(markdown));
    expect(onlyTable(text)).toEqual([
      "Key | Action | Note",
      "a \u00a6 b | Splits the view | x|y",
      "Short row | |",
      "1 | 2 | 3",
      "| only the middle |",
    ]);
  });

  it("keeps an HTML row on one line with its cell count, whatever its cells hold", async () => {
    const html =
      "<table><caption>Shortcuts</caption>" +
      "<tr><th></th><th>Action</th><th>Note</th></tr>" +
      "<tr><th>a | b</th><td><p>Splits</p><p>the view</p></td><td>one<br>two</td></tr>" +
      "<tr><td colspan='2'>Spans two columns</td><td><table><tr><td>in</td><td>ner</td></tr>" +
      "</table></td></tr>" +
      "<tr><td>   </td><td></td><td></td></tr>" +
      "<tr><td><pre>line one\nline two</pre></td><td>x</td><td>y</td></tr></table>";
    const { text } = await loadDocument("keys.html", utf8(html));
    expect(text.startsWith("Shortcuts\n\n")).toBe(true);
    expect(onlyTable(text)).toEqual([
      "| Action | Note",
      "a \u00a6 b | Splits the view | one two",
      "Spans two columns | | in \u00a6 ner",
      "| |",
      "line one line two | x | y",
    ]);
  });
});

describe("loadDocument: plain text", () => {
  it("keeps the text as is (normalised) and titles it by its first line", async () => {
    const bytes = fixture("maintenance-log.txt");
    const doc = await loadDocument("maintenance-log.txt", bytes);
    expect(doc.title).toBe("Pump Station 7 Maintenance Log");
    expect(doc.mediaType).toBe("text/plain");
    expect(doc.text).toBe(normaliseText(new TextDecoder().decode(bytes)));
    expect(doc.text).toContain("after the repair. The old impeller"); // run of spaces collapsed
  });

  it("uses the file name when the first line is too long to be a title", async () => {
    const doc = await loadDocument("field_report.txt", utf8(`${"word ".repeat(30)}\nMore.`));
    expect(doc.title).toBe("Field report");
  });
});

describe("loadDocument: pdf", () => {
  it("extracts both pages' text, separated by a blank line, and the metadata title", async () => {
    const bytes = fixture("sample.pdf");
    const doc = await loadDocument("reports/sample.pdf", bytes);
    expect(doc.mediaType).toBe("application/pdf");
    expect(doc.title).toBe("Field Notes on Coastal Erosion");
    expect(doc.text).toContain("The survey team measured the northern cliffs in March 2023.");
    expect(doc.text).toContain("Dr. Amara Osei led the fieldwork with support from the regional");
    expect(doc.text).toContain("The team recommends managed retreat for the three most exposed");
    expect(doc.text).toContain("regional council.\n\nRecommendations\n");
    // A line wrapped mid-sentence is joined, so the sentence is not cut in two.
    expect(doc.text).toContain("Average retreat was 0.8 metres per year");
    expect(doc.text).toContain("further along the coast.");
    // pdf.js detaches the buffer it parses; the loader must leave the caller's bytes intact.
    expect(bytes.byteLength).toBeGreaterThan(0);
  });

  it("falls back to the file name when the PDF has no title", async () => {
    const doc = await loadDocument(
      "untitled-report.pdf",
      new Uint8Array(buildPdf("", SAMPLE_PAGES)),
    );
    expect(doc.title).toBe("Untitled report");
  });
});

describe("loadDocument: failures", () => {
  it("rejects unknown extensions with UnsupportedFormatError carrying the path", async () => {
    const error = await loadDocument("docs/sheet.xlsx", utf8("a,b")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedFormatError);
    expect(error).toMatchObject({ path: "docs/sheet.xlsx" });
    await expect(loadDocument("README", utf8("x"))).rejects.toThrow(UnsupportedFormatError);
  });

  it("rejects text formats whose bytes are not valid UTF-8, naming the file", async () => {
    const latin1 = new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6f, 0x6b]); // "café ok" in Latin-1
    for (const path of ["a/latin.txt", "a/latin.md", "a/latin.html"]) {
      const error = await loadDocument(path, latin1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DocumentLoadError);
      expect((error as Error).message).toContain(path);
      expect((error as Error).message).toMatch(/UTF-8/);
    }
  });

  it("rejects a PDF that does not parse, naming the file", async () => {
    await expect(loadDocument("broken.pdf", utf8("%PDF-1.4 nonsense"))).rejects.toThrow(
      /broken\.pdf/,
    );
  });

  it("rejects documents with no text after normalisation", async () => {
    const empty: Array<[string, string]> = [
      ["blank.txt", " \n\t\u00a0\n"],
      ["rule.md", "---\ntitle: only front matter\n---\n\n***\n"],
      ["chrome.html", "<html><body><nav>Home</nav><script>x()</script></body></html>"],
    ];
    for (const [path, content] of empty) {
      await expect(loadDocument(path, utf8(content))).rejects.toThrow(
        new RegExp(`${path.replace(".", "\\.")}.*no text`),
      );
    }
  });
});

describe("reflowLines (PDF line joining)", () => {
  it("joins lines that stop mid-sentence and keeps headings and finished lines apart", () => {
    const page =
      "Results\nThe flow rate rose\nsharply in spring. Then it fell.\nWinter was dry.\nwell-\nknown";
    expect(reflowLines(page)).toBe(
      "Results\nThe flow rate rose sharply in spring. Then it fell.\nWinter was dry.\nwell-known",
    );
  });
});
