import { describe, expect, it } from "vitest";
import { cpuSecondsOf, machineCpuSeconds } from "../../lab/bench/child.ts";

/** This process's CPU seconds by Node's own count (getrusage), the reference here. */
const ownCpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/** Work until this process has used `seconds` more CPU (however busy the machine is). */
function burn(seconds: number): void {
  const until = ownCpu() + seconds;
  while (ownCpu() < until);
}

// /proc counts in 10 ms ticks, sampled: two readings of the same interval differ by a few.
const TICKS = 0.05;

describe("bench CPU readings (Linux /proc)", () => {
  it("count a process's CPU time as getrusage does, working or idle", async () => {
    const before = { proc: cpuSecondsOf(process.pid)!, own: ownCpu() };
    burn(0.3);
    const worked = { proc: cpuSecondsOf(process.pid)!, own: ownCpu() };
    expect(worked.proc - before.proc).toBeGreaterThan(0.3 - TICKS);
    expect(worked.proc - before.proc).toBeCloseTo(worked.own - before.own, 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const idle = { proc: cpuSecondsOf(process.pid)!, own: ownCpu() };
    expect(Math.abs(idle.proc - worked.proc - (idle.own - worked.own))).toBeLessThan(TICKS);
  });

  it("are null for a process that does not exist", () => {
    expect(cpuSecondsOf(2 ** 22 + 12_345)).toBeNull();
  });

  it("read the machine's busy and total CPU time: busy within total, and this process's work in it", () => {
    const first = machineCpuSeconds()!;
    burn(0.2);
    const second = machineCpuSeconds()!;
    expect(first.busy).toBeLessThanOrEqual(first.total);
    expect(second.total - first.total).toBeGreaterThan(second.busy - first.busy - TICKS);
    expect(second.busy - first.busy).toBeGreaterThan(0.2 - TICKS);
  });
});
