import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runScenario, selectScenarios, type ScenarioResult } from './harness.js';
import { scenarios } from './scenarios/index.js';

const outDirs: string[] = [];
afterAll(async () => {
  await Promise.all(outDirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('bench: stats scenario', () => {
  it('seeds a small collection and times the three stats queries', async () => {
    const outDir = await mkdtemp(path.join(os.tmpdir(), 'candor-bench-stats-test-'));
    outDirs.push(outDir);
    const [stats] = selectScenarios(scenarios, ['stats']);
    if (!stats) throw new Error('stats scenario missing');
    const result = await runScenario(stats, { outDir, quick: true });
    const written = JSON.parse(await readFile(result.file, 'utf8')) as ScenarioResult;
    const embedded = written.rows.filter((r) => r['target'] === 'embedded');
    expect(embedded.map((r) => r['query'])).toEqual(['all', 'one opening', 'one opening, 7 days']);
    expect(embedded[0]?.['matched']).toBe(2_000);
    for (const row of embedded) expect(Number(row['bestMs'])).toBeGreaterThan(0);
    expect(Number(embedded[1]?.['matched'])).toBeLessThan(2_000);
  });
});
