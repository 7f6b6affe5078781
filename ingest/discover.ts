import { glob } from "tinyglobby";
import type { SourceSpec } from "./manifest.ts";

/**
 * The files a source declares, as paths relative to the manifest folder, sorted so every run
 * sees them in the same order. Document identity is (source, relative path).
 */
export async function discoverFiles(source: SourceSpec, baseDir: string): Promise<string[]> {
  const files = await glob(source.paths, { cwd: baseDir, onlyFiles: true, dot: false });
  return [...new Set(files)].sort();
}
