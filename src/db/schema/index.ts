export * from "./sources.ts";
export * from "./ingest-runs.ts";
export * from "./documents.ts";
export * from "./document-versions.ts";
export * from "./chunks.ts";
export * from "./answers.ts";
export * from "./citations.ts";
export * from "./lexeme-stats.ts";
