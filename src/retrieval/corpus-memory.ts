import type { SearchableChunk, SearchableVersion } from "../db/searchable-corpus.ts";

/** A searchable chunk as answering reads it: offsets, hashes and its version's provenance. */
export type MemoryChunk = {
  chunkId: string;
  version: SearchableVersion;
  start: number;
  end: number;
  text: string;
  sha256: string;
  suspectedInjection: boolean;
};

export type CorpusMemory = ReturnType<typeof createCorpusMemory>;

const SOURCE_FIELDS = ["sourceId", "sourceName", "uri", "trust", "tenant"] as const;
type SourceFields = Pick<SearchableVersion, (typeof SOURCE_FIELDS)[number]>;
/**
 * A version as held, written out field by field: a copy spread from a driver's row took the
 * row's dictionary-mode layout, a hidden class and property table of its own for every version
 * (about half a kilobyte each beyond its strings).
 */
function heldVersion(v: SearchableVersion, source: SourceFields) {
  return {
    versionId: v.versionId,
    documentId: v.documentId,
    sourceId: source.sourceId,
    sourceName: source.sourceName,
    title: v.title,
    path: v.path,
    uri: source.uri,
    trust: source.trust,
    tenant: source.tenant,
    text: v.text,
    sha256: v.sha256,
    chunkIds: [] as string[],
  } satisfies SearchableVersion & { chunkIds: string[] };
}

const pickSource = (v: SearchableVersion): SourceFields => ({
  sourceId: v.sourceId,
  sourceName: v.sourceName,
  uri: v.uri,
  trust: v.trust,
  tenant: v.tenant,
});

/**
 * The searchable corpus held by the serving process: every current version's text and stored
 * hash with its provenance, and every chunk's span, text and hash. Answering reads candidates and
 * verifies quotes from here instead of the store; the quote check is the same (src/citations/
 * verify.ts rehashes the version text and compares the chunk with its span), so a row altered in
 * the store before it was loaded still fails verification, as it did when read per answer.
 */
export function createCorpusMemory() {
  const versions = new Map<string, SearchableVersion & { chunkIds: string[] }>();
  const chunks = new Map<string, MemoryChunk>();
  /** One copy of each source's fields for all its versions (a row brings its own strings). */
  const sources = new Map<string, SourceFields>();
  const sourceOf = (version: SearchableVersion): SourceFields => {
    const fields = pickSource(version);
    const held = sources.get(version.sourceId);
    if (held && SOURCE_FIELDS.every((key) => held[key] === fields[key])) return held;
    sources.set(version.sourceId, fields);
    return fields;
  };
  /** Versions held per tenant: a search by the only tenant present needs no tenant filter. */
  const tenantVersions = new Map<string, number>();
  const count = (tenant: string, change: number) => {
    const n = (tenantVersions.get(tenant) ?? 0) + change;
    if (n > 0) tenantVersions.set(tenant, n);
    else tenantVersions.delete(tenant);
  };

  /** Remove a version and its chunks; returns the chunk ids removed. */
  function removeVersion(versionId: string): string[] {
    const held = versions.get(versionId);
    if (!held) return [];
    versions.delete(versionId);
    count(held.tenant, -1);
    for (const id of held.chunkIds) chunks.delete(id);
    return held.chunkIds;
  }

  /**
   * Add chunks of versions held (a chunk of a version not held is left out): a corpus read a
   * page of chunks at a time joins its versions, added first, page by page.
   */
  function addChunks(added: readonly SearchableChunk[]): void {
    for (const c of added) {
      const held = versions.get(c.versionId);
      if (!held) continue;
      if (!chunks.has(c.chunkId)) held.chunkIds.push(c.chunkId);
      // The stored chunk text is its version's span (checked again when quoted): keep one copy
      // of the text, unless the store disagrees, so verification still sees the difference.
      const span = held.text.slice(c.start, c.end);
      chunks.set(c.chunkId, {
        chunkId: c.chunkId,
        version: held,
        start: c.start,
        end: c.end,
        text: span === c.text ? span : c.text,
        sha256: c.sha256,
        suspectedInjection: c.suspectedInjection,
      });
    }
  }

  return {
    /** Add a version and its chunks (replacing it if present). */
    addVersion(version: SearchableVersion, versionChunks: readonly SearchableChunk[] = []): void {
      removeVersion(version.versionId);
      versions.set(version.versionId, heldVersion(version, sourceOf(version)));
      count(version.tenant, 1);
      addChunks(versionChunks);
    },
    addChunks,
    removeVersion,
    chunk: (chunkId: string) => chunks.get(chunkId),
    version: (versionId: string) => versions.get(versionId),
    versionIds: () => versions.keys(),
    chunkCount: () => chunks.size,
    /** Every version held is `tenant`'s (and there is at least one). */
    onlyTenant: (tenant: string) => tenantVersions.size === 1 && tenantVersions.has(tenant),
  };
}
