/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): self time by function and by package /
 * source folder. `npx tsx scripts/bench/profile.ts <file.cpuprofile> [top]`.
 * Benchmarks write server profiles when BENCH_CPU_PROF_DIR is set (first-token, fanout).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function area(url: string): string {
  if (url === '') return '(native / GC / idle)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm?.[1]) return nm[1];
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0] ?? ''}`;
  const src = /\/(server\/src\/[^/]+(?:\/[^/.]+)?|shared)\//.exec(url);
  return src?.[1] ?? url.split('/').slice(-2).join('/');
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: profile.ts <file.cpuprofile> [top]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
let total = 0;
const fns = new Map<string, number>();
const areas = new Map<string, number>();
for (const [id, us] of self) {
  const n = byId.get(id);
  if (!n) continue;
  total += us;
  const name = n.callFrame.functionName || '(anonymous)';
  if (name === '(idle)' || name === '(program)' || name === '(garbage collector)') {
    fns.set(name, (fns.get(name) ?? 0) + us);
    areas.set(name, (areas.get(name) ?? 0) + us);
    continue;
  }
  const key = `${name}  ${area(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  fns.set(key, (fns.get(key) ?? 0) + us);
  const a = area(n.callFrame.url);
  areas.set(a, (areas.get(a) ?? 0) + us);
}
const busy = total - (fns.get('(idle)') ?? 0);
const pct = (us: number, of: number) => `${((us / of) * 100).toFixed(1)}%`.padStart(6);
const top = Number(topArg ?? 25);
process.stdout.write(`profile ${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (shares below are of busy time)\n\nby area:\n`);
for (const [k, us] of [...areas].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${pct(us, busy)}  ${k}\n`);
process.stdout.write('\nby function (self time):\n');
for (const [k, us] of [...fns].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${pct(us, busy)}  ${k}\n`);
