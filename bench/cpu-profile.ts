/**
 * Where the CPU of a benchmark's processes went, by owner: the project's libraries and
 * apps, each npm package, Node's internals, system calls made from JavaScript (as
 * `(native writev)`), garbage collection. Reads the `.cpuprofile` files that
 * `BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR"` has the host (or every app) write.
 *
 *   npm run bench:profile -- DIR              every sample
 *   npm run bench:profile -- DIR --last 11    the last 11 s of each profile: the measured
 *                                             run (orders ÷ orders/s), not the start, the
 *                                             seeding and the warm-up
 *
 * A sample is wall-clock time in which the process was on a core or in a system call;
 * time spent waiting for a core that another process held also counts to the system
 * call it waited in, so system calls read high on a busy machine.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The parts of V8's `.cpuprofile` (Chrome DevTools Protocol `Profiler.Profile`) read here. */
export interface CpuProfile {
  readonly nodes: readonly { readonly id: number; readonly callFrame: { readonly functionName: string; readonly url: string } }[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Who owns a function: `project libs/order`, `package pg`, `node internal`, `(native writev)`, `(garbage collector)`… */
export function ownerOf({ functionName, url }: { readonly functionName: string; readonly url: string }): string {
  if (!url) return functionName.startsWith('(') ? functionName : `(native ${functionName || 'anonymous'})`;
  if (url.startsWith('node:')) return `node ${url.slice('node:'.length).split('/')[0]}`;
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency) return `package ${dependency[1]}`;
  // The built apps hold the libraries they use under dist/apps/<app>/libs/<lib>/src.
  const own = /\/(libs|apps)\/([^/]+)\/src\//.exec(url);
  return own ? `project ${own[1]}/${own[2]}` : `other ${url}`;
}

/** Microseconds of busy samples per owner (idle left out), over the last `lastMicros` of the profile when given. */
export function busyByOwner(profile: CpuProfile, lastMicros?: number): Map<string, number> {
  const owners = new Map(profile.nodes.map((node) => [node.id, node.callFrame.functionName === '(idle)' ? undefined : ownerOf(node.callFrame)]));
  const from = lastMicros === undefined ? -Infinity : profile.endTime - lastMicros;
  const busy = new Map<string, number>();
  let at = profile.startTime;
  profile.samples.forEach((node, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    const owner = owners.get(node);
    if (owner === undefined || at < from) return;
    busy.set(owner, (busy.get(owner) ?? 0) + delta);
  });
  return busy;
}

function table(busy: ReadonlyMap<string, number>, rows: number): string[] {
  const total = [...busy.values()].reduce((sum, micros) => sum + micros, 0);
  const project = [...busy].reduce((sum, [owner, micros]) => sum + (owner.startsWith('project ') ? micros : 0), 0);
  const line = (micros: number, label: string) => `  ${(micros / 1e6).toFixed(2).padStart(7)} s ${((100 * micros) / total).toFixed(1).padStart(5)} %  ${label}`;
  return [
    `busy ${(total / 1e6).toFixed(1)} s; the project's own code ${((100 * project) / total).toFixed(1)} %`,
    ...[...busy].sort((a, b) => b[1] - a[1]).slice(0, rows).map(([owner, micros]) => line(micros, owner)),
  ];
}

async function main(): Promise<void> {
  const [dir, ...rest] = process.argv.slice(2);
  if (!dir) throw new Error('usage: tsx bench/cpu-profile.ts DIR [--last SECONDS] [--rows N]');
  const option = (name: string) => {
    const index = rest.indexOf(name);
    return index < 0 ? undefined : Number(rest[index + 1]);
  };
  const last = option('--last');
  const rows = option('--rows') ?? 20;
  const files = (await readdir(dir)).filter((file) => file.endsWith('.cpuprofile')).sort();
  if (files.length === 0) throw new Error(`No .cpuprofile in ${dir}`);
  const all = new Map<string, number>();
  for (const file of files) {
    const busy = busyByOwner(JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile, last === undefined ? undefined : last * 1e6);
    console.log(`${file}: ${table(busy, rows).join('\n')}`);
    for (const [owner, micros] of busy) all.set(owner, (all.get(owner) ?? 0) + micros);
  }
  if (files.length > 1) console.log(`all processes: ${table(all, rows).join('\n')}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
