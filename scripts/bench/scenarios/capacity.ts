import { round, type BenchRow, type Scenario } from '../harness.js';
import { startCandorChild } from '../load/procs.js';
import { baselineLeg, candorEnv, candorLeg, type LegResult, type Sizes } from './fanout.js';

/**
 * Capacity: the most sessions one node streams at 20 tokens/s, each watched by 2 recruiter
 * sockets, while every token still arrives within 50 ms (p99, candidates and watchers), none
 * is lost or reordered, and the node keeps up (>= 90 % of the rate it delivers when lightly
 * loaded). Found per server — Candor (scripted interviewer, embedded store with fsync, the
 * candidates answering every question at once) and the bare socket.io baseline — by doubling
 * from `start` until a level fails, then bisecting `refine` times. Each probe is one fan-out
 * leg (scenarios/fanout.ts). The load clients share the machine's 2 cores with the server, so
 * read the ratio: both servers meet the same clients.
 */
interface CapacitySizes extends Sizes {
  start: number;
  max: number;
  refine: number;
  p99LimitMs: number;
}
const FULL: CapacitySizes = { levels: [], warmupMs: 2_000, measureMs: 5_000, start: 100, max: 3_200, refine: 3, p99LimitMs: 50 };
const QUICK: CapacitySizes = { levels: [], warmupMs: 200, measureMs: 600, start: 2, max: 2, refine: 0, p99LimitMs: 1_000 };

interface Probe {
  sessions: number;
  pass: boolean;
  why: string;
  rate: number;
  p99: number | null;
  cpuUsPerToken: number | null;
}

function verdict(leg: LegResult, sessions: number, referenceRate: number | null, limit: number): Probe {
  const [candidate, watcher] = leg.rows;
  const rate = Number(candidate?.['tokPerSecPerSocket'] ?? 0);
  const p99 = Math.max(Number(candidate?.['latP99ms'] ?? Infinity), Number(watcher?.['latP99ms'] ?? Infinity));
  const dropped = Number(candidate?.['dropped'] ?? 0);
  const reordered = Number(candidate?.['reordered'] ?? 0);
  const cpu = candidate?.['serverCpuUsPerToken'];
  const why =
    dropped > 0 || reordered > 0 ? `dropped ${dropped}, reordered ${reordered}`
    : p99 > limit ? `p99 ${round(p99)} ms > ${limit} ms`
    : referenceRate !== null && rate < 0.9 * referenceRate ? `${rate} tokens/s per socket < 90 % of ${referenceRate}`
    : '';
  return { sessions, pass: why === '', why: why || 'ok', rate, p99: Number.isFinite(p99) ? round(p99) : null, cpuUsPerToken: typeof cpu === 'number' ? cpu : null };
}

/** Doubling, then bisection: the largest passing level (0 if even `start` fails). */
async function search(sizes: CapacitySizes, probe: (s: number, reference: number | null) => Promise<Probe>, log: (l: string) => void, label: string): Promise<{ best: Probe | null; probes: Probe[] }> {
  const probes: Probe[] = [];
  let reference: number | null = null;
  let best: Probe | null = null;
  let fail: number | null = null;
  for (let s = sizes.start; s <= sizes.max; s *= 2) {
    const p = await probe(s, reference);
    probes.push(p);
    log(`capacity ${label} S=${s}: ${p.pass ? 'pass' : 'FAIL'} (${p.why}; ${p.rate} tok/s, p99 ${String(p.p99)} ms)`);
    reference ??= p.rate;
    if (!p.pass) {
      fail = s;
      break;
    }
    best = p;
  }
  let lo = best?.sessions ?? 0;
  let hi = fail;
  for (let i = 0; i < sizes.refine && hi !== null && hi - lo > Math.max(10, lo * 0.05); i++) {
    const mid = Math.round((lo + hi) / 2);
    const p = await probe(mid, reference);
    probes.push(p);
    log(`capacity ${label} S=${mid}: ${p.pass ? 'pass' : 'FAIL'} (${p.why}; ${p.rate} tok/s, p99 ${String(p.p99)} ms)`);
    if (p.pass) {
      best = p;
      lo = mid;
    } else hi = mid;
  }
  return { best, probes };
}

export const capacityScenario: Scenario = {
  name: 'capacity',
  description: 'most sessions one node streams at 20 tokens/s with 2 watchers each, p99 <= 50 ms and 0 drops: Candor vs the bare socket.io baseline',
  async run({ quick, log }) {
    const sizes = quick ? QUICK : FULL;
    const base = await search(sizes, async (s, ref) => verdict(await baselineLeg(s, sizes, quick), s, ref, sizes.p99LimitMs), log, 'baseline');
    const candor = await search(
      sizes,
      async (s, ref) => {
        const server = await startCandorChild({ env: candorEnv });
        try {
          return verdict(await candorLeg('candor', s, sizes, quick, server, server), s, ref, sizes.p99LimitMs);
        } finally {
          await server.stop();
        }
      },
      log,
      'candor',
    );
    const row = (server: string, r: { best: Probe | null; probes: Probe[] }): BenchRow => ({
      server,
      maxSessions: r.best?.sessions ?? 0,
      tokPerSecPerSocket: r.best?.rate ?? null,
      p99ms: r.best?.p99 ?? null,
      serverCpuUsPerToken: r.best?.cpuUsPerToken ?? null,
      firstFailure: r.probes.find((p) => !p.pass)?.why ?? `none up to ${sizes.max}`,
      probes: r.probes.map((p) => `${p.sessions}${p.pass ? '' : '✗'}`).join(' '),
    });
    const rows = [row('baseline (bare socket.io)', base), row('candor', candor)];
    const b = Number(rows[0]?.['maxSessions'] ?? 0);
    rows[1]!['vsBaseline'] = b > 0 ? round(Number(rows[1]?.['maxSessions'] ?? 0) / b, 2) : null;
    return rows;
  },
};
