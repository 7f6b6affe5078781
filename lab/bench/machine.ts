import { cpus, loadavg, totalmem } from "node:os";

export type Machine = {
  cpus: number;
  model: string;
  memory_gib: number;
  node: string;
  platform: string;
  /** 1-minute load average when the run started and ended: other work on the box skews timings. */
  load_avg: { start: number; end: number };
};

export function describeMachine(): Machine {
  const list = cpus();
  return {
    cpus: list.length,
    model: list[0]?.model.trim() ?? "unknown",
    memory_gib: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    load_avg: { start: loadAverage(), end: loadAverage() },
  };
}

/** Peak resident set of the whole process so far (worker threads included), in MiB. */
export function peakRssMib(): number {
  // resourceUsage().maxRSS is in kilobytes.
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

export function loadAverage(): number {
  return Math.round(loadavg()[0]! * 100) / 100;
}
