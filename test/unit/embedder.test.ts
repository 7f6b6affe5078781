import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Embedder } from "../../src/retrieval/embedder.ts";
import { createUseLiteEmbedder } from "../../src/retrieval/use-lite-embedder.ts";
import { createLangChainEmbeddings } from "../../lab/bench/langchain-embeddings.ts";
import { createFakeEmbedder } from "../support/fake-embedder.ts";
import { cosineSimilarity, dot } from "../../src/retrieval/vector-math.ts";

const MODEL_LOAD_TIMEOUT = 60_000;
const projectRoot = fileURLToPath(new URL("../../", import.meta.url));
const norm = (v: Float32Array) => Math.sqrt(dot(v, v));
const isZero = (v: Float32Array) => v.every((x) => x === 0);

const SENTENCES = Array.from(
  { length: 70 },
  (_, i) =>
    `Invoice ${i} lists ${i % 7} items shipped to warehouse ${i % 5}, ` +
    `${["billing", "sync", "backup", "security"][i % 4]} notes attached.`,
);

describe("USE-lite embedder", () => {
  let embedder: Embedder;
  beforeAll(async () => {
    embedder = await createUseLiteEmbedder({ workers: 0 });
  }, MODEL_LOAD_TIMEOUT);
  afterAll(() => embedder.close());

  it("names the model with the weights package version and gives 512-d unit vectors", async () => {
    expect(embedder.modelId).toBe("use-lite@0.2.0");
    expect(embedder.dimension).toBe(512);
    const [a, b] = await embedder.embedDocuments([
      "The cat sat on the mat.",
      "Refunds take 5 days.",
    ]);
    for (const v of [a!, b!]) {
      expect(v).toBeInstanceOf(Float32Array);
      expect(v).toHaveLength(512);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
    expect(norm(await embedder.embedQuery("How long do refunds take?"))).toBeCloseTo(1, 5);
  });

  it("puts a paraphrase closer than an unrelated sentence", async () => {
    const query = await embedder.embedQuery("How do I reset my password?");
    const [paraphrase, unrelated] = await embedder.embedDocuments([
      "Steps to change a forgotten password.",
      "The stock market closed higher on Friday.",
    ]);
    expect(dot(query, paraphrase!)).toBeGreaterThan(dot(query, unrelated!) + 0.2);
  });

  it("maps blank texts to the zero vector without shifting the others", async () => {
    // USE-lite throws on [""] and silently drops a trailing "" from a batch.
    const vectors = await embedder.embedDocuments(["hello world", "", "   \n", "goodbye"]);
    expect(vectors).toHaveLength(4);
    expect(isZero(vectors[1]!) && isZero(vectors[2]!)).toBe(true);
    expect(Array.from(vectors[0]!)).toEqual(Array.from(await embedder.embedQuery("hello world")));
    expect(Array.from(vectors[3]!)).toEqual(Array.from(await embedder.embedQuery("goodbye")));
    expect(isZero(await embedder.embedQuery(""))).toBe(true);
    expect(await embedder.embedDocuments([])).toEqual([]);
  });

  it(
    "gives the same vectors on worker threads as in-process",
    async () => {
      const pooled = await createUseLiteEmbedder({ workers: 2, batchSize: 16 });
      try {
        const [inProcess, onWorkers] = await Promise.all([
          embedder.embedDocuments(SENTENCES),
          pooled.embedDocuments(["", ...SENTENCES, " "]),
        ]);
        expect(onWorkers).toHaveLength(SENTENCES.length + 2);
        expect(isZero(onWorkers[0]!) && isZero(onWorkers.at(-1)!)).toBe(true);
        inProcess.forEach((expected, i) => {
          const actual = onWorkers[i + 1]!;
          const maxDifference = Math.max(...expected.map((x, d) => Math.abs(x - actual[d]!)));
          expect(maxDifference).toBeLessThan(1e-5);
        });
      } finally {
        await pooled.close();
      }
      await expect(pooled.embedQuery("after close")).rejects.toThrow(/closed/);
    },
    MODEL_LOAD_TIMEOUT,
  );

  it(
    "lets the process exit after close(), and even when close() is forgotten",
    async () => {
      // A real script file, as a user runs it: worker threads inherit the parent's execArgv,
      // and an --eval'd parent would pass --input-type on to them.
      const dir = await mkdtemp(join(tmpdir(), "verity-embedder-exit-"));
      const embedderUrl = pathToFileURL(
        join(projectRoot, "src/retrieval/use-lite-embedder.ts"),
      ).href;
      const run = async (close: boolean) => {
        const file = join(dir, `exit-${close}.mts`);
        await writeFile(
          file,
          `import { createUseLiteEmbedder } from ${JSON.stringify(embedderUrl)};
          const embedder = await createUseLiteEmbedder({ workers: 2, batchSize: 8 });
          const texts = Array.from({ length: 20 }, (_, i) => "text " + i);
          const vectors = await embedder.embedDocuments(texts);
          ${close ? "await embedder.close();" : ""}
          console.log("embedded", vectors.length);`,
        );
        return promisify(execFile)(process.execPath, ["--import", "tsx", file], {
          cwd: projectRoot,
          timeout: 45_000,
        });
      };
      const [closed, forgotten] = await Promise.all([run(true), run(false)]);
      expect(closed.stdout).toContain("embedded 20");
      expect(forgotten.stdout).toContain("embedded 20");
      await rm(dir, { recursive: true, force: true });
    },
    MODEL_LOAD_TIMEOUT,
  );
});

describe("fake embedder (test double)", () => {
  const fake = createFakeEmbedder();

  it("is deterministic, unit length, and ranks shared words higher", async () => {
    const [a, b, c] = await fake.embedDocuments([
      "refund policy for annual plans",
      "annual plans refund window",
      "configure the sync folder",
    ]);
    expect(Array.from(a!)).toEqual(
      Array.from(await fake.embedQuery("refund policy for annual plans")),
    );
    expect(norm(a!)).toBeCloseTo(1, 5);
    expect(cosineSimilarity(a!, b!)).toBeGreaterThan(cosineSimilarity(a!, c!));
    expect(isZero(await fake.embedQuery("  "))).toBe(true);
    expect(fake.dimension).toBe(64);
  });
});

describe("LangChain adapter", () => {
  it("exposes the same vectors as plain number arrays", async () => {
    const fake = createFakeEmbedder(16);
    const embeddings = createLangChainEmbeddings(fake);
    const [doc] = await embeddings.embedDocuments(["backup schedule"]);
    expect(doc).toEqual(Array.from(await fake.embedQuery("backup schedule")));
    expect(await embeddings.embedQuery("backup schedule")).toEqual(doc);
  });
});
