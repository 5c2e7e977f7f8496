/** Helpers shared by the socket scenarios (first-token, fanout, multinode, memory). */
import { percentile, round, type BenchRow } from '../harness.js';
import type { ClientProc, ClientReport } from '../load/procs.js';

/**
 * Work a fresh server does before its measured window, so that V8's optimizing compiler has
 * settled (BENCH_JIT_WARMUP_MS, default 12 s; 0 measures a cold process). Servers run for
 * hours; without it, the compiler threads' first ~20 s were charged to every token and answer.
 */
export const JIT_WARMUP_MS = Number(process.env['BENCH_JIT_WARMUP_MS'] ?? 12_000);

export function stats(prefix: string, sample: readonly number[], ps: readonly number[] = [50, 95, 99]): BenchRow {
  const row: BenchRow = {};
  for (const p of ps) row[`${prefix}P${p}ms`] = sample.length > 0 ? round(percentile(sample, p)) : null;
  return row;
}

export async function finishAll(clients: readonly ClientProc[]): Promise<ClientReport[]> {
  return Promise.all(clients.map((c) => c.finish()));
}

export function merged(reports: readonly ClientReport[]) {
  const cat = (k: 'ack' | 'firstToken' | 'candidate' | 'watcher') => reports.flatMap((r) => r[k] ?? []);
  const sum = (k: 'tokens' | 'dropped' | 'reordered' | 'errors' | 'late' | 'connected' | 'cpuMicros') => reports.reduce((a, r) => a + r[k], 0);
  return {
    ack: cat('ack'),
    firstToken: cat('firstToken'),
    candidate: cat('candidate'),
    watcher: cat('watcher'),
    tokens: sum('tokens'),
    dropped: sum('dropped'),
    reordered: sum('reordered'),
    errors: sum('errors'),
    late: sum('late'),
    connected: sum('connected'),
    cpuMicros: sum('cpuMicros'),
    note: reports.map((r) => r.note).find((n) => n !== undefined) ?? null,
  };
}

/** CPU micros over wall micros, as % of one core. */
export function cpuPct(cpuMicros: number | undefined, wallMs: number): number | null {
  return cpuMicros === undefined || wallMs <= 0 ? null : round((cpuMicros / (wallMs * 1000)) * 100, 0);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Child CPU delta helper: call once at the start, once at the end. */
/** The main thread's share of a server's CPU, in % (the rest ran on other threads of the process). */
export function mainThreadShare(mainMicros: number | undefined, allMicros: number | undefined): number | null {
  return mainMicros === undefined || allMicros === undefined || allMicros <= 0 ? null : round((mainMicros / allMicros) * 100, 0);
}

export function cpuMeter(read: () => number | undefined): () => number | undefined {
  const start = read();
  return () => {
    const end = read();
    return start === undefined || end === undefined ? undefined : end - start;
  };
}

/** Load-client processes per role: two keep a client loop from being the bottleneck on 2 cores. */
export function clientProcs(quick: boolean): number {
  return quick ? 1 : 2;
}

/** BENCH_LEVELS=200,500 replaces a scenario's sizes (profiling one level); ignored in quick mode. */
export function levels(quick: boolean, defaults: number[]): number[] {
  const env = process.env['BENCH_LEVELS'];
  if (quick || !env) return defaults;
  const parsed = env.split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
  return parsed.length > 0 ? parsed : defaults;
}
