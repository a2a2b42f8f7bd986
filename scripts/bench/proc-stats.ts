// What each process of the system costs, from Linux's /proc: CPU time (user + system) and peak resident
// memory. PostgreSQL and Redis are found by process name, so their figures cover only a local server.
import fs from 'node:fs';
import os from 'node:os';

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux this runs on

/** CPU time of one process in µs, or 0 once it is gone. */
export function cpuUs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces): utime is the 14th, stime the 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Peak resident memory of a process since it started (VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return Math.round(kb / 1024);
  } catch {
    return 0;
  }
}

/** Pids of the running processes with this command name (`postgres`, `redis-server`). */
export function pidsNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/** Busy and total CPU time of the whole machine, in ticks. */
export function machineTicks(): { busy: number; total: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((sum, v) => sum + v, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  platform: string;
}

export function describeMachine(): Machine {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
  };
}

/** CPU spent by named groups of processes between start() and stop(), in µs. */
export class CpuMeter {
  private readonly before = new Map<string, number>();
  private machineBefore = machineTicks();

  constructor(private readonly groups: () => Record<string, number[]>) {}

  start(): void {
    this.before.clear();
    for (const [group, pids] of Object.entries(this.groups())) this.before.set(group, sum(pids.map(cpuUs)));
    this.machineBefore = machineTicks();
  }

  /** Per group: µs of CPU spent since start(); `busyPercent` of the whole machine meanwhile. */
  stop(): { perGroupUs: Record<string, number>; busyPercent: number } {
    const perGroupUs: Record<string, number> = {};
    for (const [group, pids] of Object.entries(this.groups())) {
      perGroupUs[group] = Math.max(0, sum(pids.map(cpuUs)) - (this.before.get(group) ?? 0));
    }
    const now = machineTicks();
    const busy = now.busy - this.machineBefore.busy;
    const total = now.total - this.machineBefore.total;
    return { perGroupUs, busyPercent: total > 0 ? Math.round((busy / total) * 100) : 0 };
  }
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
