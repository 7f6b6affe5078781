// Worker thread for the static encoder's document batches (static-embedder.ts). A worker does not
// inherit the parent's TypeScript loader, so this plain-JavaScript entry registers tsx's first and
// then runs the encoder's own TypeScript: one implementation, in either thread.
// Protocol (embed-worker-pool.ts): in { id, texts }, out { id, ok, dimension, data } or
// { id, ok: false, message }.
import { register } from "tsx/esm/api";

register();
await import("./static-embed-worker.ts");
