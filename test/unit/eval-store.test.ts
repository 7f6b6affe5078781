import { describe, expect, it } from "vitest";
import { corpusFingerprint } from "../../lab/corpora/store.ts";
import type { PreparedCorpus } from "../../lab/corpora/types.ts";

const corpus = (overrides: Partial<PreparedCorpus> = {}): PreparedCorpus => ({
  dataset: "squad2",
  manifest: {
    sources: [
      {
        id: "s",
        name: "S",
        publisher: "P",
        uri: "https://example.org",
        license: "CC-BY-4.0",
        trust: "reviewed",
        paths: ["docs/*.txt"],
      },
    ],
  },
  files: [
    { path: "docs/a.txt", text: "Alpha." },
    { path: "docs/b.txt", text: "Beta." },
  ],
  chunking: "default",
  questions: [],
  isGold: () => false,
  ...overrides,
});

describe("corpusFingerprint", () => {
  const base = corpusFingerprint(corpus(), "use-lite@0.2.0");

  it("ignores file order and the questions", () => {
    const reordered = corpus({ files: [...corpus().files].reverse() });
    expect(corpusFingerprint(reordered, "use-lite@0.2.0")).toBe(base);
  });

  it("changes with any file's text or path, the manifest, the chunking or the model", () => {
    const variants = [
      corpusFingerprint(
        corpus({ files: [{ path: "docs/a.txt", text: "Alpha!" }, corpus().files[1]!] }),
        "use-lite@0.2.0",
      ),
      corpusFingerprint(corpus({ files: [corpus().files[0]!] }), "use-lite@0.2.0"),
      corpusFingerprint(
        corpus({ files: [{ path: "docs/c.txt", text: "Alpha." }, corpus().files[1]!] }),
        "use-lite@0.2.0",
      ),
      corpusFingerprint(corpus({ chunking: "lines-500" }), "use-lite@0.2.0"),
      corpusFingerprint(corpus(), "fake-hash@64"),
      corpusFingerprint(
        corpus({ manifest: { sources: [{ ...corpus().manifest.sources[0]!, license: "MIT" }] } }),
        "use-lite@0.2.0",
      ),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });
});
