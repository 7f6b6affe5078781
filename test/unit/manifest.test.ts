import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManifestError, loadManifest } from "../../ingest/manifest.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "verity-manifest-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const handbook = {
  id: "acme-handbook",
  name: "Acme Support Handbook",
  publisher: "Acme Inc.",
  uri: "https://acme.example/handbook",
  license: "CC-BY-4.0",
  trust: "authoritative",
  paths: ["acme/handbook/*.md"],
};
const tips = { ...handbook, id: "community-tips", trust: "community", paths: ["community/*.md"] };

let files = 0;
async function manifestFile(content: unknown): Promise<string> {
  const path = join(dir, `manifest-${files++}.json`);
  await writeFile(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

/** The ManifestError loading `path` throws, failing the test if it loads or throws otherwise. */
async function manifestErrorOf(path: string): Promise<ManifestError> {
  const error = await loadManifest(path).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ManifestError);
  return error as ManifestError;
}

describe("loadManifest", () => {
  it("loads a valid manifest with its absolute path and folder", async () => {
    const path = await manifestFile({ sources: [handbook, tips] });
    const loaded = await loadManifest(path);
    expect(loaded.path).toBe(path);
    expect(loaded.baseDir).toBe(dir);
    expect(loaded.manifest).toEqual({ sources: [handbook, tips] });
  });

  it("rejects duplicate source ids", async () => {
    const path = await manifestFile({ sources: [handbook, { ...tips, id: handbook.id }] });
    const error = await manifestErrorOf(path);
    expect(error.name).toBe("ManifestError");
    expect(error.message).toContain(`Invalid manifest ${path}`);
    expect(error.message).toContain("✖ source ids must be unique\n  → at sources");
  });

  it("rejects an unknown trust level, naming the source's field", async () => {
    const path = await manifestFile({ sources: [handbook, { ...tips, trust: "trusted" }] });
    const error = await manifestErrorOf(path);
    expect(error.message).toContain("→ at sources[1].trust");
    expect(error.message).toContain("authoritative");
  });

  it("rejects a source without paths, and one with an empty list of paths", async () => {
    const { paths: _omitted, ...noPaths } = handbook;
    const missing = await manifestErrorOf(await manifestFile({ sources: [noPaths] }));
    expect(missing.message).toContain("→ at sources[0].paths");
    const empty = await manifestErrorOf(
      await manifestFile({ sources: [{ ...handbook, paths: [] }] }),
    );
    expect(empty.message).toContain("→ at sources[0].paths");
  });

  it("rejects invalid JSON, naming the file", async () => {
    const path = await manifestFile('{ "sources": [ ');
    const error = await manifestErrorOf(path);
    expect(error.message).toContain(`Cannot read manifest ${path}:`);
    expect(error.message).toMatch(/JSON/);
  });

  it("rejects a missing file, naming it", async () => {
    const path = join(dir, "absent.json");
    const error = await manifestErrorOf(path);
    expect(error.message).toContain(`Cannot read manifest ${path}:`);
    expect(error.message).toContain("ENOENT");
  });

  it("rejects an empty list of sources and a bad id", async () => {
    const empty = await manifestErrorOf(await manifestFile({ sources: [] }));
    expect(empty.message).toContain("→ at sources");
    const badId = await manifestErrorOf(
      await manifestFile({ sources: [{ ...handbook, id: "Acme Handbook" }] }),
    );
    expect(badId.message).toContain("lowercase letters, digits and dashes");
    expect(badId.message).toContain("→ at sources[0].id");
  });

  it("reports a non-object document at the root", async () => {
    const error = await manifestErrorOf(await manifestFile("[]"));
    expect(error.message).toContain("✖ Invalid input: expected object");
    expect(error.message).not.toContain("→ at");
  });
});
