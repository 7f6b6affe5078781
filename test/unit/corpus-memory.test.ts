import { describe, expect, it } from "vitest";
import type { SearchableChunk, SearchableVersion } from "../../src/db/searchable-corpus.ts";
import { createCorpusMemory } from "../../src/retrieval/corpus-memory.ts";

const TEXT = "Refunds take five days. Exports run nightly.";

function version(versionId: string, tenant: string): SearchableVersion {
  return {
    versionId,
    documentId: `doc_${versionId}`,
    sourceId: `src_${tenant}`,
    sourceName: tenant,
    title: "Help",
    path: "help.md",
    uri: "file://help.md",
    trust: "authoritative",
    tenant,
    text: TEXT,
    sha256: "0".repeat(64),
  };
}

function chunk(versionId: string, start: number, end: number, text = TEXT.slice(start, end)) {
  const c: SearchableChunk = {
    chunkId: `chk_${versionId}_${start}`,
    versionId,
    start,
    end,
    text,
    sha256: "1".repeat(64),
    suspectedInjection: false,
    fts: "",
    model: "m",
    embedding: null,
  };
  return c;
}

describe("corpus memory", () => {
  it("knows when one tenant holds every version, as versions come and go", () => {
    const corpus = createCorpusMemory();
    // Empty: nobody's corpus, so no search may skip its tenant filter.
    expect(corpus.onlyTenant("acme")).toBe(false);
    corpus.addVersion(version("v1", "acme"), [chunk("v1", 0, 23)]);
    corpus.addVersion(version("v2", "acme"), [chunk("v2", 24, 44)]);
    expect(corpus.onlyTenant("acme")).toBe(true);
    expect(corpus.onlyTenant("globex")).toBe(false);

    corpus.addVersion(version("v3", "globex"), [chunk("v3", 0, 23)]);
    expect(corpus.onlyTenant("acme")).toBe(false);
    // Replacing a version counts it once.
    corpus.addVersion(version("v3", "globex"), [chunk("v3", 0, 23)]);
    corpus.removeVersion("v3");
    expect(corpus.onlyTenant("acme")).toBe(true);

    corpus.removeVersion("v1");
    corpus.removeVersion("v2");
    corpus.removeVersion("v2"); // removing what is gone changes nothing
    expect(corpus.onlyTenant("acme")).toBe(false);
    expect(corpus.chunkCount()).toBe(0);
  });

  it("keeps a chunk's stored text only where it differs from its version's span", () => {
    const corpus = createCorpusMemory();
    corpus.addVersion(version("v1", "acme"), [
      chunk("v1", 0, 23),
      chunk("v1", 24, 44, "Exports run hourly."),
    ]);
    expect(corpus.chunk("chk_v1_0")!.text).toBe("Refunds take five days.");
    // Verification must still see the altered row, so its own text is what is held.
    expect(corpus.chunk("chk_v1_24")!.text).toBe("Exports run hourly.");
    expect(corpus.version("v1")!.chunkIds).toEqual(["chk_v1_0", "chk_v1_24"]);
  });

  it("takes chunks a page at a time after their versions, leaving out a version not held", () => {
    const corpus = createCorpusMemory();
    corpus.addVersion(version("v1", "acme"));
    corpus.addVersion(version("v2", "acme"));
    // Pages in chunk id order mix versions; each version keeps its chunks in that order.
    corpus.addChunks([chunk("v1", 0, 23), chunk("v2", 0, 23)]);
    corpus.addChunks([chunk("v1", 24, 44), chunk("v9", 0, 23)]);
    expect(corpus.version("v1")!.chunkIds).toEqual(["chk_v1_0", "chk_v1_24"]);
    expect(corpus.version("v2")!.chunkIds).toEqual(["chk_v2_0"]);
    expect(corpus.chunk("chk_v9_0")).toBeUndefined();
    expect(corpus.chunkCount()).toBe(3);
    // A chunk given again replaces itself, not a second entry in its version's list.
    corpus.addChunks([chunk("v1", 0, 23)]);
    expect(corpus.version("v1")!.chunkIds).toEqual(["chk_v1_0", "chk_v1_24"]);
    expect(corpus.chunk("chk_v1_24")!.version.versionId).toBe("v1");
    expect(corpus.removeVersion("v1")).toEqual(["chk_v1_0", "chk_v1_24"]);
    expect(corpus.chunkCount()).toBe(1);
  });

  it("holds each version with its own source fields, even where a source's name changed", () => {
    const corpus = createCorpusMemory();
    corpus.addVersion(version("v1", "acme"));
    corpus.addVersion({ ...version("v2", "acme"), sourceName: "Acme Inc", trust: "reviewed" });
    corpus.addVersion(version("v3", "acme"));
    expect(corpus.version("v1")).toMatchObject({ sourceName: "acme", trust: "authoritative" });
    expect(corpus.version("v2")).toMatchObject({ sourceName: "Acme Inc", trust: "reviewed" });
    expect(corpus.version("v3")).toMatchObject({ sourceName: "acme", trust: "authoritative" });
  });
});
