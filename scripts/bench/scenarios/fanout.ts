import { round, type BenchRow, type Scenario } from '../harness.js';
import {
  RECRUITER_TOKEN,
  createSessions,
  nowMicros,
  split,
  startBaselineChild,
  startCandorChild,
  startClient,
  startEmbeddedDbChild,
  uniquePrefix,
  type ClientProc,
  type ServerChild,
} from '../load/procs.js';
import { levels, clientProcs, cpuMeter, cpuPct, finishAll, JIT_WARMUP_MS, mainThreadShare, merged, sleep, stats } from './realtime.js';

/**
 * Token fan-out: S sessions streaming at 20 tokens/s (SCRIPTED_TOKEN_DELAY_MS=50; the scripted
 * interviewer's jitter is fixed in code at ±30 %, and a sentence end waits 2.5x), each watched
 * by 2 recruiter sockets on /monitor; candidates answer the moment a question ends, so every
 * session keeps streaming. Latency = receipt time in the client process minus the emit time
 * the server stamped into the token (scripts/bench/load/probe.ts; CLOCK_MONOTONIC is one clock
 * for all processes of the machine). Dropped = index gaps or a shorter text than question:end;
 * reordered = an index lower than one already received. The baseline (baseline/server.ts,
 * bare socket.io) streams the same tokens to the same socket layout in the same run.
 */
export interface Sizes {
  levels: number[];
  warmupMs: number;
  measureMs: number;
  /**
   * Streaming before the measured leg, on a fresh server, for its JIT: V8 compiles Candor's
   * hot code over its first ~20 s (4 compiler threads at ~10 % of a core each, measured), a
   * cost a long-running server does not pay per token. The baseline streams as long.
   */
  jitWarmupMs?: number;
}
const FULL: Sizes = { levels: [100, 500], warmupMs: 2_000, measureMs: 8_000, jitWarmupMs: JIT_WARMUP_MS };
const QUICK: Sizes = { levels: [3], warmupMs: 200, measureMs: 600 };
const WATCHERS = 2;
const DELAY_MS = '50';

export interface LegResult {
  rows: BenchRow[];
  candidateP99: number | null;
  watcherP99: number | null;
  watcherP50: number | null;
}

/** Starts the clients' streams together, waits out warm-up + window, collects. */
async function measure(clients: ClientProc[], sizes: Sizes, servers: ServerChild[], kick?: () => void) {
  const startAtMicros = nowMicros() + 200_000;
  const measureFromMicros = startAtMicros + sizes.warmupMs * 1000;
  const measureUntilMicros = measureFromMicros + sizes.measureMs * 1000;
  for (const c of clients) c.start({ startAtMicros, measureFromMicros, measureUntilMicros });
  await sleep(200);
  kick?.();
  await sleep(sizes.warmupMs);
  const meters = servers.map((s) => cpuMeter(s.cpuMicros));
  const mainMeters = servers.map((s) => cpuMeter(s.mainThreadCpuMicros));
  const t0 = performance.now();
  await sleep(sizes.measureMs);
  const wallMs = performance.now() - t0;
  const used = meters.map((m) => m());
  const mainShare = used.map((u, i) => mainThreadShare(mainMeters[i]!(), u));
  const serverCpu = used.map((u) => cpuPct(u, wallMs));
  const serverCpuMicros = used.every((u) => u !== undefined) ? used.reduce<number>((a, u) => a + (u ?? 0), 0) : undefined;
  await sleep(500); // tokens emitted at the end of the window are still on their way
  const m = merged(await finishAll(clients));
  return { m, serverCpu, serverCpuMicros, wallMs, mainShare };
}

type Measured = Awaited<ReturnType<typeof measure>>;

function legRows(label: string, s: number, { m, serverCpu, serverCpuMicros, wallMs, mainShare }: Measured, measureMs: number): LegResult {
  // Delivered rate: a server that falls behind sends fewer tokens, and its latency alone would flatter it.
  const rate = (n: number, sockets: number) => round(n / sockets / (measureMs / 1000), 1);
  // Server CPU per token emitted (each token goes to 3 sockets): steadier than latency on a shared machine.
  const cpuPerToken = serverCpuMicros !== undefined && m.candidate.length > 0 ? Math.round(serverCpuMicros / m.candidate.length) : null;
  const common = { dropped: m.dropped, reordered: m.reordered, errors: m.errors, serverCpuPct: serverCpu.join('+'), mainThreadPct: mainShare.join('+'), clientCpuPct: cpuPct(m.cpuMicros, wallMs + 700) };
  const rows: BenchRow[] = [
    { sessions: s, server: label, side: 'candidate', sockets: s, tokensMeasured: m.candidate.length, tokPerSecPerSocket: rate(m.candidate.length, s), ...stats('lat', m.candidate, [50, 99]), ...common, serverCpuUsPerToken: cpuPerToken },
    { sessions: s, server: label, side: 'watcher', sockets: s * WATCHERS, tokensMeasured: m.watcher.length, tokPerSecPerSocket: rate(m.watcher.length, s * WATCHERS), ...stats('lat', m.watcher, [50, 99]), ...common, serverCpuUsPerToken: cpuPerToken },
  ];
  return {
    rows,
    candidateP99: (rows[0]?.['latP99ms'] as number | null) ?? null,
    watcherP99: (rows[1]?.['latP99ms'] as number | null) ?? null,
    watcherP50: (rows[1]?.['latP50ms'] as number | null) ?? null,
  };
}

export async function baselineLeg(s: number, sizes: Sizes, quick: boolean): Promise<LegResult> {
  const server = await startBaselineChild({ SCRIPTED_TOKEN_DELAY_MS: DELAY_MS });
  try {
    const slots = split(Array.from({ length: s }, (_, i) => i), clientProcs(quick));
    const clients = slots.map((part) => startClient({ kind: 'baseline', url: server.url, sessions: part.length, offset: part[0] ?? 0, perSession: WATCHERS }));
    await Promise.all(clients.map((c) => c.ready));
    // Its streams never end: the JIT warm-up is a longer warm-up of the same streams.
    const warmed = { ...sizes, warmupMs: sizes.warmupMs + (sizes.jitWarmupMs ?? 0) };
    const measured = await measure(clients, warmed, [server], () => server.proc.send({ type: 'start', slots: s }));
    return legRows('baseline (bare socket.io)', s, measured, sizes.measureMs);
  } finally {
    await server.stop();
  }
}

/** Candidates on `candidates`, watchers on `watchers` (the same server, or another node through Redis). */
export async function candorLeg(label: string, s: number, sizes: Sizes, quick: boolean, candidates: ServerChild, watchers: ServerChild): Promise<LegResult> {
  if (sizes.jitWarmupMs) {
    // Interviews end after 12-20 questions, so the warm-up streams sessions of its own (the measured leg gets fresh ones).
    await candorLeg(`${label} (JIT warm-up)`, s, { ...sizes, warmupMs: 0, measureMs: sizes.jitWarmupMs, jitWarmupMs: 0 }, quick, candidates, watchers);
    await sleep(1_000);
  }
  const sessions = await createSessions(candidates.url, s);
  const parts = split(sessions, clientProcs(quick));
  const watcherClients = parts.map((part) => startClient({ kind: 'watchers', url: watchers.url, token: RECRUITER_TOKEN, sessions: part, perSession: WATCHERS }));
  await Promise.all(watcherClients.map((c) => c.ready));
  const candidateClients = parts.map((part) => startClient({ kind: 'stream-candidates', url: candidates.url, sessions: part }));
  await Promise.all(candidateClients.map((c) => c.ready));
  const servers = candidates === watchers ? [candidates] : [candidates, watchers];
  const measured = await measure([...watcherClients, ...candidateClients], sizes, servers);
  return legRows(label, s, measured, sizes.measureMs);
}

export const candorEnv = { SCRIPTED_TOKEN_DELAY_MS: DELAY_MS, DISCONNECT_GRACE_MS: '0' };

export const fanoutScenario: Scenario = {
  name: 'fanout',
  description: 'S sessions x 20 tokens/s, 1 candidate + 2 watchers each: emit->receipt latency vs a bare socket.io baseline (goal p99 <= 1.5x)',
  async run({ quick, log }) {
    const sizes = quick ? QUICK : FULL;
    const rows: BenchRow[] = [];
    for (const s of levels(quick, sizes.levels)) {
      const base = await baselineLeg(s, sizes, quick);
      rows.push(...base.rows);
      log(`fanout S=${s} baseline: candidate p99 ${String(base.candidateP99)} ms, watcher p99 ${String(base.watcherP99)} ms`);
      const server = await startCandorChild({ env: candorEnv, ...(process.env['BENCH_CPU_PROF_DIR'] ? { cpuProfDir: process.env['BENCH_CPU_PROF_DIR'] } : {}) });
      let candor: LegResult;
      try {
        candor = await candorLeg('candor', s, sizes, quick, server, server);
      } finally {
        await server.stop();
      }
      rows.push(...candor.rows);
      const ratio = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? round(a / b, 2) : null);
      for (const row of candor.rows) {
        const side = row['side'];
        row['p99VsBaseline'] = ratio(row['latP99ms'] as number | null, side === 'candidate' ? base.candidateP99 : base.watcherP99);
      }
      log(`fanout S=${s} candor: candidate p99 ${String(candor.candidateP99)} ms, watcher p99 ${String(candor.watcherP99)} ms`);
    }
    return rows;
  },
};

export const multinodeScenario: Scenario = {
  name: 'multinode',
  description: 'fanout with candidates on node A and watchers on node B through Redis (unique REDIS_PREFIX), vs single node on the same store',
  async run({ quick, log, redisUrl: given }) {
    const sizes = quick ? QUICK : FULL;
    const rows: BenchRow[] = [];
    const redisUrl = given ?? process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
    // One store for both nodes (as in production): the embedded server in its own process.
    const db = await startEmbeddedDbChild();
    try {
      for (const s of levels(quick, sizes.levels)) {
        const dbUri = (name: string) => db.uri.replace(/\/[^/]*$/, `/${name}`);
        const single = await startCandorChild({ env: { ...candorEnv, MONGODB_URI: dbUri(`single_${s}`) } });
        let one: LegResult;
        try {
          one = await candorLeg('single node', s, sizes, quick, single, single);
        } finally {
          await single.stop();
        }
        const prefix = uniquePrefix();
        const env = { ...candorEnv, MONGODB_URI: dbUri(`multi_${s}`), REDIS_URL: redisUrl, REDIS_PREFIX: prefix };
        const [a, b] = await Promise.allSettled([startCandorChild({ env: { ...env, NODE_NAME: `${prefix}-a` } }), startCandorChild({ env: { ...env, NODE_NAME: `${prefix}-b` } })]);
        let two: LegResult;
        try {
          if (a.status === 'rejected') throw a.reason;
          if (b.status === 'rejected') throw b.reason;
          two = await candorLeg('A: candidates, B: watchers (Redis)', s, sizes, quick, a.value, b.value);
        } finally {
          await Promise.all([a, b].map((x) => (x.status === 'fulfilled' ? x.value.stop() : undefined)));
        }
        const added = (x: number | null, y: number | null) => (x !== null && y !== null ? round(x - y, 2) : null);
        for (const row of two.rows) {
          if (row['side'] !== 'watcher') continue;
          row['addedP50ms'] = added(two.watcherP50, one.watcherP50);
          row['addedP99ms'] = added(two.watcherP99, one.watcherP99);
        }
        rows.push(...one.rows, ...two.rows);
        log(`multinode S=${s}: watcher p99 single ${String(one.watcherP99)} ms, via Redis ${String(two.watcherP99)} ms`);
      }
    } finally {
      await db.stop();
    }
    return rows;
  },
};
