import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { z } from "zod";
import type { Hnsw, HnswParams, IndexState } from "./hnsw.ts";
import { int8VectorsOf, type Int8Vectors } from "./int8-vectors.ts";
import type { Projection } from "./pca-projection.ts";

/*
 * On disk: `manifest.json` plus the two files it names: the hnsw graph (of projected vectors)
 * and the codes file (the projection's basis, then every label's int8 vector: scales, then
 * codes; all in this machine's byte order). Both are written under fresh names first and the
 * manifest is renamed into place last, so the rename is the commit point: a crash before it
 * leaves the previous manifest (pointing at the previous, intact files). The manifest records
 * each file's size and sha256, so a truncated or tampered graph is rejected before hnswlib's C++
 * loader ever parses it. One writer per directory at a time.
 */
const MANIFEST_FILE = "manifest.json";
// 2: the graph holds projected vectors in l2 space and the full vectors are int8 codes beside
// it. A version-1 index (full float32 vectors in a cosine graph) is rebuilt from the store.
const MANIFEST_VERSION = 2;
const FILE_PREFIX = "vectors-";
const GRAPH_SUFFIX = ".hnsw";
const CODES_SUFFIX = ".codes";
const TEMP_SUFFIX = ".tmp";

export const IndexManifest = z.object({
  version: z.literal(MANIFEST_VERSION),
  model: z.string(),
  dimension: z.number().int().positive(),
  count: z.number().int().nonnegative(),
  fingerprint: z.string(),
  space: z.literal("l2"),
  /** The graph's dimension: the projection's output (the model's `dimension` when it is the identity). */
  graphDimension: z.number().int().positive(),
  /** Vectors the projection was fitted on; 0 for the identity. */
  projectionFittedOn: z.number().int().nonnegative(),
  M: z.number().int().positive(),
  efConstruction: z.number().int().positive(),
  createdAt: z.string(),
  graphFile: z.string(),
  graphBytes: z.number().int().nonnegative(),
  graphSha256: z.string(),
  codesFile: z.string(),
  codesBytes: z.number().int().nonnegative(),
  codesSha256: z.string(),
  /** ids[label] is the chunk id of hnsw label `label`; null for a node removed (marked deleted). */
  ids: z.array(z.string().nullable()),
});
export type IndexManifest = z.infer<typeof IndexManifest>;

/** An index's parts, as saved and loaded: `vectors` has a slot for every label of `ids`. */
export type IndexParts = {
  hnsw: Hnsw;
  projection: Projection;
  vectors: Int8Vectors;
  ids: (string | null)[];
};

export async function saveIndexFiles(
  dir: string,
  parts: IndexParts,
  state: IndexState,
  params: HnswParams,
): Promise<void> {
  const { hnsw, projection, vectors, ids } = parts;
  await mkdir(dir, { recursive: true });
  const nonce = `${Date.now()}-${randomBytes(4).toString("hex")}`;
  const graphFile = `${FILE_PREFIX}${nonce}${GRAPH_SUFFIX}`;
  await hnsw.writeIndex(join(dir, graphFile));
  await fsyncFile(join(dir, graphFile));
  const { bytes, sha256 } = await digestFile(join(dir, graphFile));
  const codesFile = `${FILE_PREFIX}${nonce}${CODES_SUFFIX}`;
  const codes = await writeCodes(join(dir, codesFile), projection, vectors);

  const manifest: IndexManifest = {
    version: MANIFEST_VERSION,
    ...state,
    space: "l2",
    graphDimension: projection.to,
    projectionFittedOn: projection.fittedOn,
    M: params.m,
    efConstruction: params.efConstruction,
    createdAt: new Date().toISOString(),
    graphFile,
    graphBytes: bytes,
    graphSha256: sha256,
    codesFile,
    codesBytes: codes.bytes,
    codesSha256: codes.sha256,
    ids: [...ids],
  };
  const tempManifest = join(dir, `${MANIFEST_FILE}.${nonce}${TEMP_SUFFIX}`);
  await writeFile(tempManifest, JSON.stringify(manifest));
  await fsyncFile(tempManifest);
  await rename(tempManifest, join(dir, MANIFEST_FILE));
  await fsyncFile(dir);
  await removeLeftovers(dir, [graphFile, codesFile]);
}

/** The codes file: the basis, the scales, the codes, each written from its array as it is. */
async function writeCodes(
  path: string,
  projection: Projection,
  vectors: Int8Vectors,
): Promise<{ bytes: number; sha256: string }> {
  const { scales, codes } = vectors.bytes();
  const parts = [
    new Uint8Array(
      projection.basis.buffer,
      projection.basis.byteOffset,
      projection.basis.byteLength,
    ),
    scales,
    codes,
  ];
  const hash = createHash("sha256");
  const handle = await open(path, "w");
  try {
    for (const part of parts) {
      hash.update(part);
      await handle.write(part);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { bytes: parts.reduce((n, p) => n + p.byteLength, 0), sha256: hash.digest("hex") };
}

export type LoadResult =
  | (IndexParts & {
      ok: true;
      params: Omit<HnswParams, "efSearch">;
      /** The corpus state the saved index reflected. */
      state: IndexState;
    })
  | { ok: false; reason: string };

export async function loadIndexFiles(
  dir: string,
  expected: Pick<IndexState, "model" | "dimension">,
  createHnsw: (graphDimension: number) => Hnsw,
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
  // The names come from a file on disk: never let them point outside the index directory.
  for (const name of [manifest.graphFile, manifest.codesFile]) {
    if (basename(name) !== name) return { ok: false, reason: "bad file name" };
  }
  const projected = manifest.projectionFittedOn > 0;
  if (
    projected
      ? manifest.graphDimension > manifest.dimension
      : manifest.graphDimension !== manifest.dimension
  )
    return { ok: false, reason: "graph dimension does not fit the model's" };

  const graphPath = join(dir, manifest.graphFile);
  try {
    const { bytes, sha256 } = await digestFile(graphPath);
    if (bytes !== manifest.graphBytes || sha256 !== manifest.graphSha256) {
      return { ok: false, reason: "graph file is truncated or modified" };
    }
    const codes = await readCodes(join(dir, manifest.codesFile), manifest);
    if (!codes) return { ok: false, reason: "codes file is truncated or modified" };
    const hnsw = createHnsw(manifest.graphDimension);
    await hnsw.readIndex(graphPath);
    if (hnsw.getCurrentCount() !== manifest.ids.length)
      return { ok: false, reason: "graph count differs" };
    return {
      ok: true,
      hnsw,
      ...codes,
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

/** The codes file read straight into its arrays; null when its size or digest is not the manifest's. */
async function readCodes(
  path: string,
  manifest: IndexManifest,
): Promise<Pick<IndexParts, "projection" | "vectors"> | null> {
  const { dimension, graphDimension, projectionFittedOn } = manifest;
  const count = manifest.ids.length;
  const basis = new Float32Array(projectionFittedOn > 0 ? graphDimension * dimension : 0);
  const scales = new Float32Array(count);
  const codes = new Int8Array(count * dimension);
  const parts = [basis, scales, codes].map((a) => new Uint8Array(a.buffer));
  const expected = parts.reduce((n, p) => n + p.byteLength, 0);
  if (expected !== manifest.codesBytes) return null;
  const hash = createHash("sha256");
  const handle = await open(path, "r");
  try {
    if ((await handle.stat()).size !== expected) return null;
    for (const part of parts) {
      // One read may return less than asked (large reads are capped at 2 GiB).
      for (let done = 0; done < part.byteLength;) {
        const { bytesRead } = await handle.read(part, done, part.byteLength - done);
        if (bytesRead === 0) return null;
        done += bytesRead;
      }
      hash.update(part);
    }
  } finally {
    await handle.close();
  }
  if (hash.digest("hex") !== manifest.codesSha256) return null;
  return {
    projection: { from: dimension, to: graphDimension, basis, fittedOn: projectionFittedOn },
    vectors: int8VectorsOf(dimension, scales, codes),
  };
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

/** Best effort: older graphs and codes, and temp files from interrupted saves. */
async function removeLeftovers(dir: string, keep: string[]): Promise<void> {
  for (const name of await readdir(dir)) {
    const isData =
      name.startsWith(FILE_PREFIX) && (name.endsWith(GRAPH_SUFFIX) || name.endsWith(CODES_SUFFIX));
    const isTemp = name.startsWith(`${MANIFEST_FILE}.`) && name.endsWith(TEMP_SUFFIX);
    if ((isData && !keep.includes(name)) || isTemp) await rm(join(dir, name), { force: true });
  }
}
