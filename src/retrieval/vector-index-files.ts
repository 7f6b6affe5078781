import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { z } from "zod";
import type { Hnsw, HnswParams, IndexState } from "./hnsw.ts";

/*
 * On disk: `manifest.json` plus the hnsw graph file it names. The graph is written under a fresh
 * name first and the manifest is renamed into place last, so the rename is the commit point: a
 * crash before it leaves the previous manifest (pointing at the previous, intact graph). The
 * manifest records the graph's size and sha256, so a truncated or tampered graph is rejected
 * before hnswlib's C++ loader ever parses it. One writer per directory at a time.
 */
const MANIFEST_FILE = "manifest.json";
const MANIFEST_VERSION = 1;
const GRAPH_PREFIX = "vectors-";
const GRAPH_SUFFIX = ".hnsw";
const TEMP_SUFFIX = ".tmp";

export const IndexManifest = z.object({
  version: z.literal(MANIFEST_VERSION),
  model: z.string(),
  dimension: z.number().int().positive(),
  count: z.number().int().nonnegative(),
  fingerprint: z.string(),
  space: z.literal("cosine"),
  M: z.number().int().positive(),
  efConstruction: z.number().int().positive(),
  createdAt: z.string(),
  graphFile: z.string(),
  graphBytes: z.number().int().nonnegative(),
  graphSha256: z.string(),
  /** ids[label] is the chunk id of hnsw label `label`; null for a node removed (marked deleted). */
  ids: z.array(z.string().nullable()),
});
export type IndexManifest = z.infer<typeof IndexManifest>;

export async function saveIndexFiles(
  dir: string,
  hnsw: Hnsw,
  ids: readonly (string | null)[],
  state: IndexState,
  params: HnswParams,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const nonce = `${Date.now()}-${randomBytes(4).toString("hex")}`;
  const graphFile = `${GRAPH_PREFIX}${nonce}${GRAPH_SUFFIX}`;
  await hnsw.writeIndex(join(dir, graphFile));
  await fsyncFile(join(dir, graphFile));
  const { bytes, sha256 } = await digestFile(join(dir, graphFile));

  const manifest: IndexManifest = {
    version: MANIFEST_VERSION,
    ...state,
    space: "cosine",
    M: params.m,
    efConstruction: params.efConstruction,
    createdAt: new Date().toISOString(),
    graphFile,
    graphBytes: bytes,
    graphSha256: sha256,
    ids: [...ids],
  };
  const tempManifest = join(dir, `${MANIFEST_FILE}.${nonce}${TEMP_SUFFIX}`);
  await writeFile(tempManifest, JSON.stringify(manifest));
  await fsyncFile(tempManifest);
  await rename(tempManifest, join(dir, MANIFEST_FILE));
  await fsyncFile(dir);
  await removeLeftovers(dir, graphFile);
}

export type LoadResult =
  | {
      ok: true;
      hnsw: Hnsw;
      ids: (string | null)[];
      params: Omit<HnswParams, "efSearch">;
      /** The corpus state the saved index reflected. */
      state: IndexState;
    }
  | { ok: false; reason: string };

export async function loadIndexFiles(
  dir: string,
  expected: Pick<IndexState, "model" | "dimension">,
  createHnsw: () => Hnsw,
): Promise<LoadResult> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(join(dir, MANIFEST_FILE), "utf8"));
  } catch (error) {
    return { ok: false, reason: `no readable manifest: ${String(error)}` };
  }
  const parsed = IndexManifest.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: "manifest has an unexpected shape" };
  const manifest = parsed.data;

  for (const key of ["model", "dimension"] as const) {
    if (manifest[key] !== expected[key]) {
      return {
        ok: false,
        reason: `${key} differs: saved ${manifest[key]}, expected ${expected[key]}`,
      };
    }
  }
  if (manifest.ids.filter((id) => id !== null).length !== manifest.count)
    return { ok: false, reason: "id list length differs from count" };
  // The name comes from a file on disk: never let it point outside the index directory.
  if (basename(manifest.graphFile) !== manifest.graphFile)
    return { ok: false, reason: "bad graph file name" };

  const graphPath = join(dir, manifest.graphFile);
  try {
    const { bytes, sha256 } = await digestFile(graphPath);
    if (bytes !== manifest.graphBytes || sha256 !== manifest.graphSha256) {
      return { ok: false, reason: "graph file is truncated or modified" };
    }
    const hnsw = createHnsw();
    await hnsw.readIndex(graphPath);
    if (hnsw.getCurrentCount() !== manifest.ids.length)
      return { ok: false, reason: "graph count differs" };
    return {
      ok: true,
      hnsw,
      ids: manifest.ids,
      params: { m: manifest.M, efConstruction: manifest.efConstruction },
      state: {
        model: manifest.model,
        dimension: manifest.dimension,
        count: manifest.count,
        fingerprint: manifest.fingerprint,
      },
    };
  } catch (error) {
    return { ok: false, reason: `graph file unreadable: ${String(error)}` };
  }
}

async function digestFile(path: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest("hex") };
}

/** Forces data (or a directory entry) to disk, so the rename cannot land before the bytes do. */
async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Best effort: older graphs and temp files from interrupted saves. */
async function removeLeftovers(dir: string, keepGraph: string): Promise<void> {
  for (const name of await readdir(dir)) {
    const isGraph = name.startsWith(GRAPH_PREFIX) && name.endsWith(GRAPH_SUFFIX);
    const isTemp = name.startsWith(`${MANIFEST_FILE}.`) && name.endsWith(TEMP_SUFFIX);
    if ((isGraph && name !== keepGraph) || isTemp) await rm(join(dir, name), { force: true });
  }
}
