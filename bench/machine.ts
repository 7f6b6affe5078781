import { cpus, totalmem } from "node:os";

export type Machine = {
  cpus: number;
  model: string;
  memory_gib: number;
  node: string;
  platform: string;
};

export function describeMachine(): Machine {
  const list = cpus();
  return {
    cpus: list.length,
    model: list[0]?.model.trim() ?? "unknown",
    memory_gib: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** Peak resident set of the whole process so far (worker threads included), in MiB. */
export function peakRssMib(): number {
  // resourceUsage().maxRSS is in kilobytes.
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
