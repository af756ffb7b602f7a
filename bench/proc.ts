/**
 * Readings of a server process from /proc (Linux): the steadiest figures on a shared machine. A
 * server's figures include its child processes' (the gateway's fit processes with COVER_FIT=on).
 */
import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (`getconf CLK_TCK`; 100 on Linux x86-64). */
const CLOCK_TICKS = 100;

/** The fields of /proc/<pid>/stat after the command name (which may hold spaces), or undefined once it has ended. */
function statFields(pid: number | string): number[] | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
}

/** The processes whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && statFields(entry)?.[1] === pid)
    .map(Number);
}

/**
 * CPU time, user + system, in ms, that process `pid` has used, with every child it has had: its
 * own (utime 14, stime 15), its ended children's once reaped (cutime 16, cstime 17), and its living
 * children's.
 */
export function cpuMs(pid: number): number {
  const own = statFields(pid);
  if (!own) throw new Error(`no process ${pid}`);
  let ticks = own[11]! + own[12]! + own[13]! + own[14]!;
  for (const child of childrenOf(pid)) {
    const fields = statFields(child);
    if (fields) ticks += fields[11]! + fields[12]! + fields[13]! + fields[14]!;
  }
  return (ticks * 1000) / CLOCK_TICKS;
}

/** Resident set size now, in bytes, of the process and its children. */
export function rssBytes(pid: number): number {
  return [pid, ...childrenOf(pid)].reduce((sum, at) => {
    try {
      const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${at}/status`, 'utf8'))?.[1];
      return sum + Number(kb ?? 0) * 1024;
    } catch {
      return sum;
    }
  }, 0);
}

/** Samples RSS every `everyMs` until stopped; returns the peak. */
export function sampleRss(pid: number, everyMs = 20): { stop(): number } {
  let peak = rssBytes(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssBytes(pid));
    } catch {
      // the process ended
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}
