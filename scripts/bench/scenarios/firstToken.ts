import { round, type BenchRow, type Scenario } from '../harness.js';
import { createSessions, nowMicros, split, startBaselineChild, startCandorChild, startClient, type ServerChild, type SessionCreds } from '../load/procs.js';
import { JIT_WARMUP_MS, levels, clientProcs, cpuMeter, cpuPct, finishAll, mainThreadShare, merged, stats } from './realtime.js';

/**
 * answer:submit -> ack and -> first question:token of the next question, on N concurrent
 * candidate sessions (scripted interviewer, SCRIPTED_TOKEN_DELAY_MS=0, ANSWER_MIN_INTERVAL_MS=0,
 * embedded store with fsync as in `npm start`). The server runs in its own process; candidates
 * in load-client processes. Each round every session answers once:
 *  - `spread`: at a random moment of the round: ~40 answers/s in all (one answer per session
 *    every N/40 s; a person needs far longer, and each answer costs the server ~5-10 ms of CPU);
 *  - `burst`: all N at the same instant (monotonic clock shared by the processes): the queue.
 * Round 0 is a warm-up and not recorded.
 * The same clients run against the bare socket.io baseline (baseline/server.ts: ack at once,
 * then the same scripted question, nothing stored), so `p99VsBaseline` is Candor's first-token
 * p99 over the transport's own answer -> ack -> token round trip in the same run.
 */
interface Sizes {
  levels: number[];
  rounds: number;
  /** Answers per second of all sessions together in `spread` (a round lasts N / rate, at least minPeriodMs). */
  answersPerSec: number;
  minPeriodMs: number;
}
const FULL: Sizes = { levels: [50, 200], rounds: 4, answersPerSec: 40, minPeriodMs: 1_250 };
const QUICK: Sizes = { levels: [4], rounds: 2, answersPerSec: 40, minPeriodMs: 250 };

type Leg = { label: 'baseline (bare socket.io)' | 'candor'; server: ServerChild; sessions: (n: number) => Promise<SessionCreds[]> };

/** One level x arrival pattern on one server. */
async function measureLeg(leg: Leg, n: number, burst: boolean, sizes: Sizes, quick: boolean): Promise<BenchRow> {
  const periodMs = Math.max(sizes.minPeriodMs, Math.round((n / sizes.answersPerSec) * 1000));
  const sessions = await leg.sessions(n);
  const startAtMicros = nowMicros() + (quick ? 600_000 : 1_500_000) + n * 5_000;
  const parts = split(sessions, clientProcs(quick));
  const clients = parts.map((part) => startClient({ kind: 'first-token', url: leg.server.url, sessions: part, rounds: sizes.rounds, periodMs, startAtMicros, burst }));
  await Promise.all(clients.map((c) => c.ready));
  // Metered from round 1, as latency is: round 0 is the warm-up.
  const wait = (startAtMicros - nowMicros()) / 1000 + periodMs;
  await new Promise((r) => setTimeout(r, Math.max(0, wait)));
  const serverCpu = cpuMeter(leg.server.cpuMicros);
  const mainCpu = cpuMeter(leg.server.mainThreadCpuMicros);
  const t0 = performance.now();
  // Rounds follow the schedule; a server that falls behind delays them (counted in `late`).
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(clients.map((c) => c.done)), new Promise((r) => (timer = setTimeout(r, (sizes.rounds + 1) * periodMs + 30_000)))]);
  clearTimeout(timer);
  const wallMs = performance.now() - t0;
  const used = serverCpu();
  const usedMain = mainCpu();
  const m = merged(await finishAll(clients));
  return {
    sessions: n,
    arrival: burst ? 'burst' : 'spread',
    server: leg.label,
    answers: m.ack.length,
    answersPerSec: round((n / (burst ? periodMs : periodMs * 0.8)) * 1000, 0),
    ...stats('ack', m.ack),
    ...stats('firstToken', m.firstToken),
    errors: m.errors,
    late: m.late,
    ...(m.note ? { firstError: m.note } : {}),
    serverCpuPct: cpuPct(used, wallMs),
    // Server CPU per recorded answer (all threads: the store's worker counts): the steadier figure on a shared machine.
    serverCpuUsPerAnswer: used === undefined || m.ack.length === 0 ? null : Math.round(used / m.ack.length),
    mainThreadPct: mainThreadShare(usedMain, used),
    clientCpuPct: cpuPct(m.cpuMicros, wallMs),
  };
}

export const firstTokenScenario: Scenario = {
  name: 'first-token',
  description: 'answer:submit -> ack / first question:token, N concurrent sessions, Candor vs a bare socket.io answer->ack->token round trip',
  async run({ quick, log }) {
    const sizes = quick ? QUICK : FULL;
    const rows: BenchRow[] = [];
    const cpuProfDir = process.env['BENCH_CPU_PROF_DIR'];
    const baseline = await startBaselineChild({ SCRIPTED_TOKEN_DELAY_MS: '0' });
    let server: ServerChild | undefined;
    try {
      server = await startCandorChild({
        env: { SCRIPTED_TOKEN_DELAY_MS: '0', ...(process.env['BENCH_EMBEDDED_DURABILITY'] ? { EMBEDDED_DB_DURABILITY: process.env['BENCH_EMBEDDED_DURABILITY'] } : {}) },
        ...(cpuProfDir ? { cpuProfDir } : {}),
      });
      const candor: Leg = { label: 'candor', server, sessions: (n) => createSessions(server!.url, n) };
      let slots = 0;
      const bare: Leg = {
        label: 'baseline (bare socket.io)',
        server: baseline,
        sessions: async (n) => Array.from({ length: n }, () => ({ sessionId: `b${++slots}`, clientSessionId: `b${slots}`, candidateToken: '-' })),
      };
      if (!quick && JIT_WARMUP_MS > 0) {
        // Each server answers for JIT_WARMUP_MS first (50 sessions, spread), unrecorded: see JIT_WARMUP_MS.
        const warm = { ...sizes, rounds: Math.ceil(JIT_WARMUP_MS / sizes.minPeriodMs) + 1 };
        for (const leg of [bare, candor]) await measureLeg(leg, 50, false, warm, quick);
      }
      for (const n of levels(quick, sizes.levels)) {
        for (const burst of [false, true]) {
          const base = await measureLeg(bare, n, burst, sizes, quick);
          const row = await measureLeg(candor, n, burst, sizes, quick);
          const ratio = (a: unknown, b: unknown) => (typeof a === 'number' && typeof b === 'number' && b > 0 ? round(a / b, 2) : null);
          row['p99VsBaseline'] = ratio(row['firstTokenP99ms'], base['firstTokenP99ms']);
          rows.push(base, row);
          log(`first-token N=${n} ${String(row['arrival'])}: first token p99 ${String(row['firstTokenP99ms'])} ms (baseline ${String(base['firstTokenP99ms'])} ms), CPU ${String(row['serverCpuUsPerAnswer'])} µs/answer`);
        }
      }
    } finally {
      await server?.stop();
      await baseline.stop();
    }
    return rows;
  },
};
