import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatTable, runScenario, selectScenarios, type ScenarioResult } from './harness.js';
import { scenarios } from './scenarios/index.js';

const outDirs: string[] = [];
afterAll(async () => {
  await Promise.all(outDirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('bench harness', () => {
  it('runs the store scenario at tiny sizes and writes valid JSON with machine info', async () => {
    const outDir = await mkdtemp(path.join(os.tmpdir(), 'candor-bench-test-'));
    outDirs.push(outDir);
    const [store] = selectScenarios(scenarios, ['store']);
    if (!store) throw new Error('store scenario missing');
    const result = await runScenario(store, { outDir, quick: true });
    const written = JSON.parse(await readFile(result.file, 'utf8')) as ScenarioResult;
    expect(path.basename(result.file)).toMatch(/^store-.*\.json$/);
    expect(written.scenario).toBe('store');
    expect(written.machine.cpus).toBeGreaterThan(0);
    expect(written.machine.node).toBe(process.version);
    const embedded = written.rows.filter((r) => r['target'] === 'embedded');
    expect(new Set(embedded.map((r) => r['durability']))).toEqual(new Set(['fsync', 'none']));
    for (const row of written.rows) {
      expect(typeof row['durability']).toBe('string');
      expect(Number(row['appendsPerSec'])).toBeGreaterThan(0);
    }
    expect(written.rows.some((r) => String(r['target']).startsWith('disk'))).toBe(true);
    expect(formatTable(written.rows)).toContain('appendsPerSec');
  });

  it('rejects an unknown scenario name, listing the known ones', () => {
    expect(() => selectScenarios(scenarios, ['nope'])).toThrow(/known: .*store/);
  });
});
