import { Embeddings } from "@langchain/core/embeddings";
import type { Embedder } from "../../src/retrieval/embedder.ts";

/**
 * Lets LangChain components (the HNSWLib baseline vector store) use exactly the model Verity
 * uses, so comparisons measure the index, not a different embedding. Closing stays with the
 * owner of `embedder`.
 */
export function createLangChainEmbeddings(embedder: Embedder): Embeddings {
  return new VerityEmbeddings(embedder);
}

// A class only because LangChain's Embeddings is an abstract base class.
class VerityEmbeddings extends Embeddings {
  constructor(private readonly embedder: Embedder) {
    super({});
  }

  override async embedDocuments(documents: string[]): Promise<number[][]> {
    const vectors = await this.embedder.embedDocuments(documents);
    return vectors.map((vector) => Array.from(vector));
  }

  override async embedQuery(document: string): Promise<number[]> {
    return Array.from(await this.embedder.embedQuery(document));
  }
}
