import { readFileSync, readdirSync } from 'node:fs';

/** utime, stime, cutime and cstime of a process, in clock ticks (`/proc/<pid>/stat`), and its parent. */
function stat(pid: number | string): { ppid: number; own: number; reaped: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name is in parentheses and may hold spaces: the fields follow its last ')'.
  const fields = text
    .slice(text.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  return { ppid: fields[1]!, own: fields[11]! + fields[12]!, reaped: fields[13]! + fields[14]! };
}

/** Clock ticks per second on Linux (USER_HZ). */
const TICKS_PER_SECOND = 100;

/**
 * CPU time, in ms, spent by process `pid` and every child it has had: its own, its children's that
 * have ended (once reaped), and those of its living children. Linux only.
 */
export function processTreeCpuMs(pid: number = process.pid): number {
  const self = stat(pid);
  if (!self) throw new Error(`no process ${pid}`);
  let ticks = self.own + self.reaped;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = stat(entry);
    if (child?.ppid === pid) ticks += child.own + child.reaped;
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}
