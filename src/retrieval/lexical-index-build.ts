import type { Database } from "../db/client.ts";
import {
  forEachSearchableChunkPage,
  readSearchableVersions,
  type SearchableChunk,
  type SearchableVersion,
} from "../db/searchable-corpus.ts";
import { createLexicalIndexBuilder, type LexicalDoc, type LexicalIndex } from "./lexical-index.ts";

/**
 * The lexical index of every searchable chunk (current version, present document), from the
 * stored tsvectors (Postgres analysed them at ingest: no analysis here), read as the serving
 * process reads its corpus (src/db/searchable-corpus.ts). For measuring the index apart from
 * the rest of what a server loads.
 */
export async function buildLexicalIndex(db: Database): Promise<LexicalIndex> {
  const versions = new Map((await readSearchableVersions(db)).map((v) => [v.versionId, v]));
  const builder = createLexicalIndexBuilder();
  await forEachSearchableChunkPage(db, { withEmbeddings: false }, (page) => {
    for (const chunk of page) {
      const version = versions.get(chunk.versionId);
      if (version) builder.add(lexicalDocOf(chunk, version));
    }
  });
  return builder.finish();
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

/**
 * Lexeme -> number of positions, from a tsvector's text form: `'lexeme':1,5 'other':3A`, where
 * a quote inside a lexeme is doubled and a backslash escapes the next character.
 */
export function parseTsvector(text: string): Map<string, number> {
  const out = new Map<string, number>();
  let i = 0;
  while (i < text.length) {
    if (text[i] !== "'") {
      i++;
      continue;
    }
    let lexeme = "";
    for (i++; i < text.length; i++) {
      const ch = text[i]!;
      if (ch === "\\") lexeme += text[++i] ?? "";
      else if (ch === "'" && text[i + 1] === "'") lexeme += text[i++];
      else if (ch === "'") break;
      else lexeme += ch;
    }
    i++;
    let count = 0;
    if (text[i] === ":") {
      count = 1;
      for (i++; i < text.length && text[i] !== " "; i++) if (text[i] === ",") count++;
    }
    out.set(lexeme, count);
  }
  return out;
}
