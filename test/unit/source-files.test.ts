import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findQuote, overallStatus } from "../../src/audit/recheck.ts";
import {
  compareSourceFile,
  isProblem,
  sourceFilePath,
  type LoadSourceText,
} from "../../src/audit/source-files.ts";
import { sha256 } from "../../src/hash.ts";

const BYTES = "# Title\n\nThe Basic plan costs $8.\n";
const TEXT = "Title\n\nThe Basic plan costs $8.";
const stored = { rawSha256: sha256(BYTES), text: TEXT, textSha256: sha256(TEXT), redactions: null };
/** A stand-in for ingestion's loader: drops the heading marks. */
const loadText: LoadSourceText = async ({ bytes }) =>
  new TextDecoder().decode(bytes).replace("# ", "").trim();

describe("compareSourceFile", () => {
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "verity-source-files-"));
    file = join(dir, "billing.md");
    await writeFile(file, BYTES);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const status = async (...args: Parameters<typeof compareSourceFile>) =>
    (await compareSourceFile(...args)).status;

  it("matches a file whose bytes and text are the stored ones", async () => {
    expect(await status(file, stored, loadText)).toBe("matches");
  });

  it("tells an unknown, a missing and a changed file apart", async () => {
    expect(await status(null, stored, loadText)).toBe("unknown");
    expect(await status(join(dir, "gone.md"), stored, loadText)).toBe("missing");
    expect(await status(join(file, "below-a-file.md"), stored, loadText)).toBe("missing");
    expect(await status(file, { ...stored, rawSha256: sha256("other") }, loadText)).toBe("changed");
    expect(await status(dir, stored, loadText)).toBe("unknown"); // a folder cannot be read
  });

  it("reports text_mismatch when the bytes match but the stored text or its hash do not", async () => {
    const rewritten = TEXT.replace("$8", "$1");
    expect(
      await status(file, { ...stored, text: rewritten, textSha256: sha256(rewritten) }, loadText),
    ).toBe("text_mismatch");
    expect(await status(file, { ...stored, textSha256: sha256("other") }, loadText)).toBe(
      "text_mismatch",
    );
    // Without a loader only the bytes are compared, and a rewrite goes unseen.
    expect(await status(file, { ...stored, text: rewritten }, undefined)).toBe("matches");
  });

  it("re-derives with the kinds the version redacted, and is unknown when it cannot", async () => {
    const seen: (readonly string[])[] = [];
    const spy: LoadSourceText = async (input) => (seen.push(input.redact), loadText(input));
    const redactions = [{ kind: "email" }, { kind: "phone" }, { kind: "email" }];
    await compareSourceFile(file, { ...stored, redactions }, spy);
    expect(seen).toEqual([["email", "phone"]]);
    const failing: LoadSourceText = async () => Promise.reject(new Error("no loader"));
    expect(await status(file, stored, failing)).toBe("unknown");
  });

  it("finds a document's file under its manifest's folder", () => {
    expect(sourceFilePath("/srv/sources/sources.json", "acme/a.md")).toBe("/srv/sources/acme/a.md");
  });

  it("counts a superseded version's changed file as no problem, a rewrite always", () => {
    expect(isProblem({ current: false, status: "changed" })).toBe(false);
    expect(isProblem({ current: false, status: "text_mismatch" })).toBe(true);
    expect(isProblem({ current: true, status: "missing" })).toBe(true);
  });
});

describe("recheck", () => {
  it("finds a quote at its offsets, else nearest to them", () => {
    const text = "a. b. a. c. a.";
    expect(findQuote(text, "a.", 6)).toEqual({ start: 6, end: 8 });
    expect(findQuote(text, "a.", 4)).toEqual({ start: 6, end: 8 });
    expect(findQuote(text, "a.", 100)).toEqual({ start: 12, end: 14 });
    expect(findQuote(text, "b.", 0)).toEqual({ start: 3, end: 5 });
    expect(findQuote(text, "z.", 0)).toBeNull();
  });

  it("is still supported only when every citation is", () => {
    const of = (...s: ("still_supported" | "changed" | "removed")[]) =>
      overallStatus(s.map((status) => ({ status })));
    expect(of()).toBe("no_citations");
    expect(of("still_supported", "still_supported")).toBe("still_supported");
    expect(of("removed", "removed")).toBe("removed");
    expect(of("still_supported", "removed")).toBe("changed");
  });
});
