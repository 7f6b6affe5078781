import { basename, extname } from "node:path";

/** "getting-started_guide.md" -> "Getting started guide": the fallback when a file has no title. */
export function titleFromPath(path: string): string {
  const stem = basename(path, extname(path));
  const words = stem.replace(/[-_.\s]+/g, " ").trim();
  if (!words) return stem || "Untitled";
  return words.charAt(0).toUpperCase() + words.slice(1);
}
