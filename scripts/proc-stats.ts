import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * What Linux's /proc says about processes, for the benchmark scripts: CPU time and peak memory.
 * Times in /proc are in clock ticks of 1/100 s.
 */
const TICK_MS = 10;

/** The fields of /proc/<pid>/stat after the parenthesised command name (field 3 is index 0). */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  } catch {
    return null; // ended meanwhile
  }
}

/**
 * CPU time (user + system) a process has used, in ms; with `reaped`, also that of its children which
 * ended and were waited for (a PostgreSQL server's finished backends).
 */
export function processCpuMs(pid: number, opts: { reaped?: boolean } = {}): number {
  const f = statFields(pid);
  if (!f) return 0;
  const own = Number(f[11]) + Number(f[12]);
  return (own + (opts.reaped ? Number(f[13]) + Number(f[14]) : 0)) * TICK_MS;
}

/** CPU time of a process and of its live children (one level), with the children it reaped. */
export function processTreeCpuMs(pid: number): number {
  let total = processCpuMs(pid, { reaped: true });
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    if (Number(statFields(Number(entry))?.[1]) === pid) total += processCpuMs(Number(entry));
  }
  return total;
}

/** The PostgreSQL server (postmaster) whose data folder is `dataDir`. */
export function postmasterPid(dataDir: string): number | null {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const d = args.indexOf('-D');
      if (args[0].endsWith('/postgres') && d >= 0 && args[d + 1] === dataDir) return Number(entry);
    } catch {
      // ended meanwhile
    }
  }
  return null;
}

/** CPU time all cores have spent busy since boot, in ms. */
export function machineBusyMs(): number {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = ticks;
  return (user + nice + system + irq + softirq + steal) * TICK_MS;
}

/** A process's peak resident memory (VmHWM) since it started or since resetPeakRss(), in bytes. */
export function peakRssBytes(pid: number): number {
  const line = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return line ? Number(line[1]) * 1024 : 0;
}

/** Resets a process's peak resident memory to its current size (writing 5 to clear_refs). */
export function resetPeakRss(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}
