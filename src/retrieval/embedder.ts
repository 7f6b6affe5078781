/**
 * Verity's port for sentence embeddings. Every adapter returns vectors with the same contract,
 * so retrieval code and the vector index never depend on which model produced them.
 *
 * Blank texts (empty or whitespace-only) map to the ZERO vector rather than a unit vector: USE-lite
 * throws on "" (and silently drops a trailing "" from a batch, shifting every later row), and
 * embedding a placeholder would make all empty chunks look alike and match placeholder-like
 * queries. A zero vector has cosine 0 with everything, so it never ranks above real content.
 */
export interface Embedder {
  /** Recorded on every chunk so vectors from different models are never mixed, e.g. "use-lite@0.2.0". */
  readonly modelId: string;
  readonly dimension: number;
  /** Unit-length vectors (zero for blank texts), in input order. */
  embedDocuments(texts: string[]): Promise<Float32Array[]>;
  /** Unit-length vector (zero for a blank text); runs in-process for latency. */
  embedQuery(text: string): Promise<Float32Array>;
  /** Releases the model and terminates worker threads; the embedder is unusable afterwards. */
  close(): Promise<void>;
}
