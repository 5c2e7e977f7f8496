/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): self time by function and by package /
 * source folder, and inclusive (self + callees) time of Candor's own functions, so a cost can
 * be charged to the code path that caused it.
 *
 *   npx tsx scripts/bench/profile.ts <file.cpuprofile> [--top 25] [--from S] [--to S] [--per N --unit token]
 *
 * `--from`/`--to` keep only samples taken S seconds after the profile started (skip start-up
 * and warm-up); `--per N` adds a column of µs per unit (e.g. the tokens a benchmark counted in
 * that window). Benchmarks write server profiles when BENCH_CPU_PROF_DIR is set.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
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
  const src = /\/(server\/src\/[^/]+(?:\/[^/.]+)?|shared|scripts\/[^/]+)\//.exec(url);
  return src?.[1] ?? url.split('/').slice(-2).join('/');
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, per: { type: 'string' }, unit: { type: 'string' } },
});
const file = positionals[0];
if (!file) {
  process.stderr.write('usage: profile.ts <file.cpuprofile> [--top N] [--from S] [--to S] [--per N --unit name]\n');
  process.exit(2);
}
const top = Number(values.top ?? positionals[1] ?? 25);
const fromUs = Number(values.from ?? 0) * 1e6;
const toUs = values.to === undefined ? Infinity : Number(values.to) * 1e6;
const per = values.per === undefined ? undefined : Number(values.per);
const unit = values.unit ?? 'unit';

const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const self = new Map<number, number>();
let t = 0;
let windowUs = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  t += dt;
  if (t < fromUs || t > toUs) return;
  windowUs += dt;
  self.set(id, (self.get(id) ?? 0) + dt);
});

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);
const label = (n: ProfileNode) => {
  const name = n.callFrame.functionName || '(anonymous)';
  return SPECIAL.has(name) ? name : `${name}  ${area(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
};
const fns = new Map<string, number>();
const areas = new Map<string, number>();
const inclusive = new Map<string, number>();
let idle = 0;
for (const [id, us] of self) {
  const n = byId.get(id);
  if (!n) continue;
  const name = n.callFrame.functionName;
  if (name === '(idle)') {
    idle += us;
    continue;
  }
  const key = label(n);
  fns.set(key, (fns.get(key) ?? 0) + us);
  const a = SPECIAL.has(name) ? name : area(n.callFrame.url);
  areas.set(a, (areas.get(a) ?? 0) + us);
  // Inclusive time: charge every distinct Candor frame on the stack once.
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const frame = byId.get(cur);
    if (!frame || !/\/(server\/src|shared)\//.test(frame.callFrame.url)) continue;
    const k = label(frame);
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + us);
  }
}
const busy = [...fns.values()].reduce((a, b) => a + b, 0);
const pct = (us: number) => `${((us / busy) * 100).toFixed(1)}%`.padStart(6);
const perUnit = (us: number) => (per ? `${(us / per).toFixed(1)} µs/${unit}`.padStart(16) + '  ' : '');
const print = (title: string, rows: Map<string, number>) => {
  process.stdout.write(`\n${title}:\n`);
  for (const [k, us] of [...rows].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${pct(us)}  ${perUnit(us)}${k}\n`);
};
process.stdout.write(
  `profile ${file}: ${(windowUs / 1e6).toFixed(1)} s in window, ${(busy / 1e6).toFixed(2)} s busy, ${(idle / 1e6).toFixed(1)} s idle` +
    (per ? `; ${perUnit(busy).trim()} busy` : '') +
    ' (shares are of busy time)\n',
);
print('by area (self time)', areas);
print('by function (self time)', fns);
print("Candor's functions (inclusive time: self + callees)", inclusive);
