import { readFileSync } from 'node:fs';
const [file, fnName, fileFrag] = process.argv.slice(2) as [string, string, string];
const p = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map<number, any>(p.nodes.map((n: any) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const leafs = new Map<string, number>(); let tot = 0, all = 0;
p.samples.forEach((id: number, i: number) => {
  const dt = p.timeDeltas[i] ?? 0; const leaf = byId.get(id);
  if (leaf.callFrame.functionName === '(idle)') return; all += dt;
  let under = false;
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) { const n = byId.get(cur); if (n.callFrame.functionName === fnName && n.callFrame.url.includes(fileFrag)) { under = true; break; } }
  if (!under) return; tot += dt;
  const u: string = leaf.callFrame.url; const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
  const k = `${leaf.callFrame.functionName || '(anon)'} ${m?.[1] ?? u.split('/').slice(-2).join('/')}`;
  leafs.set(k, (leafs.get(k) ?? 0) + dt);
});
console.log(`${fnName}: ${(tot / all * 100).toFixed(1)}% of busy`);
for (const [k, v] of [...leafs].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log((v / tot * 100).toFixed(1).padStart(5) + '%', k);
