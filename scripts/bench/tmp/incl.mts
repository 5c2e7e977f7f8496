import { readFileSync } from 'node:fs';
const p = JSON.parse(readFileSync(process.argv[2]!, 'utf8'));
const byId = new Map<number, any>(p.nodes.map((n: any) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const incl = new Map<string, number>();
let total = 0;
p.samples.forEach((id: number, i: number) => {
  const dt = p.timeDeltas[i] ?? 0;
  const leaf = byId.get(id);
  if (leaf.callFrame.functionName === '(idle)') return;
  total += dt;
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const n = byId.get(cur);
    const url: string = n.callFrame.url;
    const m = /server\/src\/(.*)$/.exec(url);
    if (!m) continue;
    const key = `${n.callFrame.functionName || '(anon)'} ${m[1]}:${n.callFrame.lineNumber + 1}`;
    if (seen.has(key)) continue;
    seen.add(key);
    incl.set(key, (incl.get(key) ?? 0) + dt);
  }
});
for (const [k, v] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[3] ?? 40))) console.log(((v / total) * 100).toFixed(1).padStart(5) + '%', k);
