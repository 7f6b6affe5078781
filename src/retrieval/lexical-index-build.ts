import type { Database } from "../db/client.ts";
import {
  forEachSearchableChunkPage,
  readSearchableVersions,
  type SearchableChunk,
  type SearchableVersion,
} from "../db/searchable-corpus.ts";
import { createLexicalIndexBuilder, type LexicalDoc, type LexicalIndex } from "./lexical-index.ts";
import { parseTsvector } from "./tsvector-text.ts";

/**
 * The lexical index of every searchable chunk (current version, present document), from the
 * stored tsvectors (Postgres analysed them at ingest: no analysis here), read and added as the
 * serving process reads and adds its corpus (src/db/searchable-corpus.ts). For measuring the
 * index apart from the rest of what a server loads.
 */
export async function buildLexicalIndex(db: Database): Promise<LexicalIndex> {
  const versions = new Map((await readSearchableVersions(db)).map((v) => [v.versionId, v]));
  const builder = createLexicalIndexBuilder();
  await forEachSearchableChunkPage(db, { withEmbeddings: false }, (page) => {
    for (const chunk of page) {
      const version = versions.get(chunk.versionId);
      if (version) addStoredChunk(builder, chunk, version);
    }
  });
  return builder.finish();
}

/** Add a chunk to a builder straight from its stored tsvector's text (no lexeme map made). */
export function addStoredChunk(
  builder: Pick<ReturnType<typeof createLexicalIndexBuilder>, "addTsvector">,
  chunk: Pick<SearchableChunk, "chunkId" | "fts">,
  version: Pick<SearchableVersion, "tenant" | "sourceId">,
): void {
  const { tenant, sourceId } = version;
  builder.addTsvector({ chunkId: chunk.chunkId, tenant, sourceId }, chunk.fts);
}

/** A chunk's postings entry: its lexemes from its stored tsvector, its tenant and source. */
export function lexicalDocOf(
  chunk: Pick<SearchableChunk, "chunkId" | "fts">,
  version: Pick<SearchableVersion, "tenant" | "sourceId">,
): LexicalDoc {
  return {
    chunkId: chunk.chunkId,
    tenant: version.tenant,
    sourceId: version.sourceId,
    terms: parseTsvector(chunk.fts),
  };
}
