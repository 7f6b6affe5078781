// Starts vector-index-worker.ts on a worker thread: a worker does not inherit the parent's
// `--import tsx`, so this plain-JavaScript entry registers tsx's loader first.
import { register } from "tsx/esm/api";

register();
await import("./vector-index-worker.ts");
