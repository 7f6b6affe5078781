import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Children start from the repository root, where `--import tsx` resolves. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export type ChildOptions = {
  env?: Record<string, string | undefined>;
  /** Lets the child call global.gc() before it reads its memory. */
  exposeGc?: boolean;
  /** V8's old-space limit (--max-old-space-size), in MiB; Node's default when absent. */
  heapMib?: number;
  /** Where the child's stdout and stderr go when they are not read (a server's log). */
  logFd?: number;
  /** Further flags for node itself (a server's: SERVER_NODE_FLAGS). */
  nodeFlags?: readonly string[];
};

/** A TypeScript entry point of this repository in a new Node process, via tsx. */
export function spawnScript(script: string, args: string[], options: ChildOptions = {}) {
  const flags = [
    ...(options.exposeGc ? ["--expose-gc"] : []),
    ...(options.heapMib ? [`--max-old-space-size=${options.heapMib}`] : []),
    ...(options.nodeFlags ?? []),
    ...["--import", "tsx"],
  ];
  const io = options.logFd ?? "pipe";
  // An undefined value unsets the variable (spawn would pass the string "undefined").
  const env = Object.fromEntries(
    Object.entries({ ...process.env, ...options.env }).filter(([, v]) => v !== undefined),
  );
  return spawn(process.execPath, [...flags, script, ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ["ignore", io, io],
  });
}

/**
 * Run a script that prints one JSON object as its last line of stdout; its stderr lines go to
 * `log`. Rejects with the tail of stderr when it exits otherwise.
 */
export async function runJsonChild<T>(
  script: string,
  args: string[],
  options: ChildOptions & { log: (line: string) => void },
): Promise<T> {
  const child = spawnScript(script, args, options);
  let stdout = "";
  const errors: string[] = [];
  child.stdout!.on("data", (b: Buffer) => (stdout += b.toString("utf8")));
  let partial = "";
  child.stderr!.on("data", (b: Buffer) => {
    const lines = (partial + b.toString("utf8")).split("\n");
    partial = lines.pop()!;
    for (const line of lines) {
      errors.push(line);
      if (errors.length > 40) errors.shift();
      options.log(line);
    }
  });
  const code = await exited(child);
  if (partial) errors.push(partial);
  const last = stdout.trim().split("\n").at(-1) ?? "";
  if (code !== 0 || !last.startsWith("{")) {
    throw new Error(`${script} ${args.join(" ")} exited with ${code}:\n${errors.join("\n")}`);
  }
  return JSON.parse(last) as T;
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => resolve(code));
  });
}

export type ProcessMemory = { rss_mib: number; peak_rss_mib: number };

/** A process's resident set now and its peak so far (Linux /proc); null elsewhere or once gone. */
export function memoryOf(pid: number): ProcessMemory | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1]);
    const rss = kib("VmRSS");
    const peak = kib("VmHWM");
    if (!Number.isFinite(rss) || !Number.isFinite(peak)) return null;
    return { rss_mib: Math.round(rss / 1024), peak_rss_mib: Math.round(peak / 1024) };
  } catch {
    return null;
  }
}

/**
 * CPU seconds a process has used so far, all its threads, user and system (Linux /proc; null
 * elsewhere or once gone). Linux reports them in USER_HZ ticks, 100 a second on every platform
 * Node runs on.
 */
export function cpuSecondsOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name, in parentheses, may hold spaces: fields are counted after it.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
    return Number.isFinite(ticks) ? ticks / USER_HZ : null;
  } catch {
    return null;
  }
}

const USER_HZ = 100;

/**
 * The machine's CPU time so far, busy and in all (Linux /proc/stat, every core, in seconds);
 * null elsewhere. Two readings give the share of the machine busy between them.
 */
export function machineCpuSeconds(): { busy: number; total: number } | null {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.reduce((sum, t) => sum + t, 0);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0); // idle, iowait
    return { busy: (total - idle) / USER_HZ, total: total / USER_HZ };
  } catch {
    return null;
  }
}

/** This process's resident set now and its peak (worker threads included), in MiB. */
export function ownMemory(): ProcessMemory {
  return {
    rss_mib: Math.round(process.memoryUsage.rss() / 2 ** 20),
    // resourceUsage().maxRSS is in kilobytes.
    peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}
