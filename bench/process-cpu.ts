import { readdir, readFile } from 'node:fs/promises';

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system) used so far by the processes `roots` and all their
 * descendants, from /proc. A machine shared with other work changes how fast a run goes,
 * much less how much CPU each order costs: compare this between runs.
 */
export async function cpuSeconds(roots: readonly number[]): Promise<number> {
  const stats = new Map<number, { parent: number; ticks: number }>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => undefined);
    if (!stat) continue; // gone meanwhile
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    stats.set(Number(entry), { parent: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
  }
  const included = new Set(roots);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, { parent }] of stats) {
      if (!included.has(pid) && included.has(parent)) {
        included.add(pid);
        grew = true;
      }
    }
  }
  let ticks = 0;
  for (const pid of included) ticks += stats.get(pid)?.ticks ?? 0;
  return ticks / TICKS_PER_SECOND;
}

/**
 * CPU seconds the whole machine has been busy (every core, every process: user, nice,
 * system, interrupts, steal), from /proc/stat. Less what the system under test and the
 * benchmark used, it is what else ran meanwhile: a trace collector on the same cores,
 * another job.
 */
export async function machineBusySeconds(): Promise<number> {
  const [total] = (await readFile('/proc/stat', 'utf8')).split('\n');
  // cpu  user nice system idle iowait irq softirq steal …
  const [user, nice, system, , , irq, softirq, steal] = total!.trim().split(/\s+/).slice(1).map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) / TICKS_PER_SECOND;
}
