import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** One result line. Every scenario decides its columns; values are printed as they are. */
export type BenchValue = string | number | boolean | null;
export type BenchRow = Record<string, BenchValue>;

export interface ScenarioContext {
  /** Tiny sizes (smoke tests): a scenario must then finish in a few seconds. */
  quick: boolean;
  /** Progress lines (stderr in the CLI; silent in tests). */
  log: (line: string) => void;
  /** Redis of the multinode scenario (tests pass theirs; the CLI uses BENCH_REDIS_URL or 127.0.0.1:6379). */
  redisUrl?: string | undefined;
}

export interface Scenario {
  name: string;
  description: string;
  run(ctx: ScenarioContext): Promise<BenchRow[]>;
}

export interface MachineInfo {
  hostname: string;
  platform: string;
  release: string;
  arch: string;
  cpus: number;
  cpuModel: string;
  totalMemGiB: number;
  node: string;
  /** 1-minute load average when the run started: above the core count, other work shares the CPUs. */
  loadAvg1: number;
}

export interface ScenarioResult {
  scenario: string;
  description: string;
  startedAt: string;
  durationMs: number;
  quick: boolean;
  machine: MachineInfo;
  rows: BenchRow[];
  /** Where the JSON was written. */
  file: string;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    hostname: os.hostname(),
    platform: os.platform(),
    release: os.release(),
    arch: os.arch(),
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    totalMemGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    loadAvg1: Math.round((os.loadavg()[0] ?? 0) * 10) / 10,
  };
}

/** Plain-text table with the union of the rows' columns, in first-seen order. */
export function formatTable(rows: BenchRow[]): string {
  if (rows.length === 0) return '(no rows)';
  const columns: string[] = [];
  for (const row of rows) for (const k of Object.keys(row)) if (!columns.includes(k)) columns.push(k);
  const cell = (v: BenchValue | undefined): string => (v === undefined || v === null ? '' : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]): string =>
    values.map((v, i) => (/^-?[\d.]+$/.test(v) ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n');
}

function timestamp(d: Date): string {
  return d.toISOString().replace(/[:.]/g, '-');
}

/** Runs one scenario and writes `<outDir>/<scenario>-<timestamp>.json`. */
export async function runScenario(scenario: Scenario, opts: { outDir: string; quick?: boolean; log?: (line: string) => void; redisUrl?: string }): Promise<ScenarioResult> {
  const started = new Date();
  const t0 = performance.now();
  const quick = opts.quick ?? false;
  const rows = await scenario.run({ quick, log: opts.log ?? (() => undefined), redisUrl: opts.redisUrl });
  const durationMs = Math.round(performance.now() - t0);
  await mkdir(opts.outDir, { recursive: true });
  const file = path.join(opts.outDir, `${scenario.name}-${timestamp(started)}.json`);
  const result: ScenarioResult = {
    scenario: scenario.name,
    description: scenario.description,
    startedAt: started.toISOString(),
    durationMs,
    quick,
    machine: machineInfo(),
    rows,
    file,
  };
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

/** Selects scenarios by name (all when `names` is empty); unknown names throw, listing the known ones. */
export function selectScenarios(registry: readonly Scenario[], names: readonly string[]): Scenario[] {
  if (names.length === 0) return [...registry];
  return names.map((n) => {
    const s = registry.find((x) => x.name === n);
    if (!s) throw new Error(`unknown bench scenario '${n}' (known: ${registry.map((x) => x.name).join(', ')})`);
    return s;
  });
}

// ---- measurement helpers shared by scenarios ----

/** Percentile (0..100) of an unsorted sample, nearest-rank. */
export function percentile(sample: readonly number[], p: number): number {
  if (sample.length === 0) return Number.NaN;
  const sorted = [...sample].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/**
 * Runs `op(i)` with `concurrency` workers until `count` operations were started or
 * `maxMs` elapsed; returns per-op latencies (ms) and the wall time.
 */
export async function closedLoop(
  concurrency: number,
  count: number,
  maxMs: number,
  op: (i: number) => Promise<void>,
): Promise<{ latencies: number[]; elapsedMs: number; ops: number }> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count && performance.now() - t0 < maxMs) {
      const i = next++;
      const s = performance.now();
      await op(i);
      latencies.push(performance.now() - s);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latencies, elapsedMs: performance.now() - t0, ops: latencies.length };
}
