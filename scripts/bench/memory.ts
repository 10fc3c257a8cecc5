import { readFileSync } from 'node:fs';
import { peakRssBytes, resetPeakRss } from '../proc-stats.js';

/** A process's resident memory now (VmRSS), in bytes. */
export function residentBytes(pid: number): number {
  const line = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return line ? Number(line[1]) * 1024 : 0;
}

/**
 * The server's peak resident memory phase by phase (sign-ins and first pages, idle, load, export),
 * so that a peak over the budget says which part of the run reached it. The kernel keeps the peak
 * (VmHWM); each phase's end reads it and resets it to the current size, so the next phase's peak
 * starts from what the previous one left resident. The peak over the whole run is the largest.
 */
export class RssPhases {
  readonly peaks: { phase: string; bytes: number }[] = [];

  constructor(private readonly pid: number) {}

  end(phase: string): number {
    const bytes = peakRssBytes(this.pid);
    this.peaks.push({ phase, bytes });
    resetPeakRss(this.pid);
    return bytes;
  }

  /** The peak over every phase ended so far. */
  get peak(): number {
    return Math.max(0, ...this.peaks.map((p) => p.bytes));
  }
}
