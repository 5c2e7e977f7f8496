import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testRedisUrl } from '../../server/test/support/redis.js';
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
    // The worker-thread mode of the embedded server is exercised too.
    expect(written.rows.some((r) => r['target'] === 'embedded (worker thread)')).toBe(true);
    expect(new Set(embedded.map((r) => r['durability']))).toEqual(new Set(['fsync', 'none']));
    for (const row of written.rows) {
      expect(typeof row['durability']).toBe('string');
      expect(Number(row['appendsPerSec'])).toBeGreaterThan(0);
    }
    expect(written.rows.some((r) => String(r['target']).startsWith('disk'))).toBe(true);
    expect(formatTable(written.rows)).toContain('appendsPerSec');
  });

  // The socket scenarios at tiny sizes, concurrently (servers and clients are child processes).
  const quickRun = async (name: string, redisUrl?: string): Promise<ScenarioResult> => {
    const outDir = await mkdtemp(path.join(os.tmpdir(), 'candor-bench-test-'));
    outDirs.push(outDir);
    const [scenario] = selectScenarios(scenarios, [name]);
    if (!scenario) throw new Error(`${name} scenario missing`);
    return runScenario(scenario, { outDir, quick: true, ...(redisUrl ? { redisUrl } : {}) });
  };

  it.concurrent('first-token: acks and first tokens measured, no errors', async () => {
    const { rows } = await quickRun('first-token');
    expect(rows.map((r) => `${String(r['arrival'])}/${String(r['server'])}`)).toEqual([
      'spread/baseline (bare socket.io)',
      'spread/candor',
      'burst/baseline (bare socket.io)',
      'burst/candor',
    ]);
    expect(Number(rows[1]?.['p99VsBaseline'])).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row['errors'], JSON.stringify(row)).toBe(0);
      expect(Number(row['answers'])).toBeGreaterThan(0);
      expect(Number(row['ackP99ms'])).toBeGreaterThan(0);
      expect(Number(row['firstTokenP99ms'])).toBeGreaterThan(0);
    }
  }, 150_000);

  it.concurrent('fanout: candor and baseline deliver every token in order to candidates and watchers', async () => {
    const { rows } = await quickRun('fanout');
    expect(rows.map((r) => `${String(r['server'])}/${String(r['side'])}`)).toEqual([
      'baseline (bare socket.io)/candidate',
      'baseline (bare socket.io)/watcher',
      'candor/candidate',
      'candor/watcher',
    ]);
    for (const row of rows) {
      expect(row['dropped']).toBe(0);
      expect(row['reordered']).toBe(0);
      expect(Number(row['tokensMeasured'])).toBeGreaterThan(0);
    }
    expect(Number(rows[3]?.['p99VsBaseline'])).toBeGreaterThan(0);
  }, 150_000);

  it.concurrent('multinode: watchers on another node receive every token through Redis', async () => {
    const { rows } = await quickRun('multinode', testRedisUrl());
    const viaRedis = rows.filter((r) => String(r['server']).includes('Redis'));
    expect(viaRedis).toHaveLength(2);
    for (const row of rows) {
      expect(row['dropped']).toBe(0);
      expect(row['reordered']).toBe(0);
      expect(Number(row['tokensMeasured'])).toBeGreaterThan(0);
    }
    expect(typeof viaRedis.find((r) => r['side'] === 'watcher')?.['addedP99ms']).toBe('number');
  }, 150_000);

  it.concurrent('capacity: finds the largest passing level for Candor and the baseline', async () => {
    const { rows } = await quickRun('capacity');
    expect(rows.map((r) => r['server'])).toEqual(['baseline (bare socket.io)', 'candor']);
    for (const row of rows) expect(Number(row['maxSessions'])).toBeGreaterThan(0);
    expect(Number(rows[1]?.['vsBaseline'])).toBeGreaterThan(0);
  }, 150_000);

  it.concurrent('memory: per-socket RSS and heap of Candor and the baseline', async () => {
    const { rows } = await quickRun('memory');
    expect(rows.map((r) => r['server'])).toEqual(['candor /interview', 'baseline (bare socket.io)']);
    for (const row of rows) expect(Number(row['heapUsedMiB'])).toBeGreaterThan(0);
  }, 150_000);

  it.concurrent('voice-turn: request -> first SSE chunk of Candor and of the bare express endpoint, with the ratio', async () => {
    const { rows } = await quickRun('voice-turn');
    expect(rows.map((r) => r['server'])).toEqual(['baseline (bare express SSE)', 'candor /llm/v1']);
    for (const row of rows) {
      expect(row['errors'], JSON.stringify(row)).toBe(0);
      expect(Number(row['requests'])).toBeGreaterThan(0);
      expect(Number(row['firstChunkP99ms'])).toBeGreaterThan(0);
    }
    expect(Number(rows[1]?.['p50VsBaseline'])).toBeGreaterThan(0);
  }, 150_000);

  it('rejects an unknown scenario name, listing the known ones', () => {
    expect(() => selectScenarios(scenarios, ['nope'])).toThrow(/known: .*store/);
  });
});
