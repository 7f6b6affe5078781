import { hostname } from "node:os";

/**
 * Whether the process `pid` on `host` is known to be gone: only a process on this host can be
 * checked (signal 0 probes without signalling); one elsewhere is never presumed dead.
 */
export function isProcessGone(pid: number, host: string): boolean {
  if (host !== hostname()) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}
