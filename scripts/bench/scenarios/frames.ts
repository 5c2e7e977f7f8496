import { round, type BenchRow, type Scenario } from '../harness.js';
import { startCandorChild } from '../load/procs.js';
import { candorLeg, type Sizes } from './fanout.js';

/**
 * Token frames (TOKEN_FRAME_MS) with an interviewer that emits faster than a person reads:
 * the scripted interviewer at 5 ms per delta (~200 deltas/s per session, as a fast model
 * streams), S sessions with 2 watchers each, frames off (0) and on (16 ms). Reported
 * honestly: events per socket per second, server CPU per delta, emit -> receipt latency, AND
 * how long a merged delta waited for its frame before it was emitted
 * (candor_token_frame_hold_seconds, read from /metrics) — the latency frames add, which the
 * emit -> receipt columns do not include.
 */
const FULL: Sizes & { delayMs: string } = { levels: [100], warmupMs: 2_000, measureMs: 6_000, delayMs: '5' };
const QUICK: Sizes & { delayMs: string } = { levels: [2], warmupMs: 200, measureMs: 600, delayMs: '5' };

interface Scrape {
  deltas: number;
  frames: number;
  hold: Array<{ le: number; count: number }>;
}

async function scrape(url: string): Promise<Scrape> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  const hold = [...text.matchAll(/^candor_token_frame_hold_seconds_bucket\{le="([^"]+)"\} (\S+)$/gm)].map((m) => ({ le: m[1] === '+Inf' ? Infinity : Number(m[1]), count: Number(m[2]) }));
  return { deltas: value('candor_tokens_emitted_total'), frames: value('candor_token_frames_total'), hold };
}

/** The bucket bound under which `p` % of the held frames fall (ms), from a Prometheus histogram. */
function holdPercentile(before: Scrape, after: Scrape, p: number): number | null {
  const counts = after.hold.map((b, i) => ({ le: b.le, count: b.count - (before.hold[i]?.count ?? 0) }));
  const total = counts.at(-1)?.count ?? 0;
  if (total === 0) return 0;
  const hit = counts.find((b) => b.count >= (total * p) / 100);
  return hit && Number.isFinite(hit.le) ? round(hit.le * 1000, 1) : null;
}

export const framesScenario: Scenario = {
  name: 'frames',
  description: 'token frames with a fast interviewer (5 ms/delta): events, CPU per delta and latency with TOKEN_FRAME_MS=0 vs 16, including the hold time frames add',
  async run({ quick, log }) {
    const sizes = quick ? QUICK : FULL;
    const rows: BenchRow[] = [];
    for (const s of sizes.levels) {
      for (const frameMs of ['0', '16']) {
        const server = await startCandorChild({ env: { SCRIPTED_TOKEN_DELAY_MS: sizes.delayMs, DISCONNECT_GRACE_MS: '0', TOKEN_FRAME_MS: frameMs } });
        try {
          const before = await scrape(server.url);
          const leg = await candorLeg(`candor, TOKEN_FRAME_MS=${frameMs}`, s, sizes, quick, server, server);
          const after = await scrape(server.url);
          const deltas = after.deltas - before.deltas;
          const frames = after.frames - before.frames;
          const deltasPerEvent = frames > 0 ? deltas / frames : null;
          for (const row of leg.rows) {
            const cpuPerEvent = row['serverCpuUsPerToken'];
            row['deltasPerEvent'] = deltasPerEvent === null ? null : round(deltasPerEvent, 2);
            row['serverCpuUsPerDelta'] = typeof cpuPerEvent === 'number' && deltasPerEvent ? Math.round(cpuPerEvent / deltasPerEvent) : null;
            row['holdP50ms'] = holdPercentile(before, after, 50);
            row['holdP99ms'] = holdPercentile(before, after, 99);
            delete row['serverCpuUsPerToken'];
          }
          rows.push(...leg.rows);
          log(`frames S=${s} TOKEN_FRAME_MS=${frameMs}: ${String(leg.rows[0]?.['tokPerSecPerSocket'])} events/s per socket, ${deltasPerEvent === null ? '?' : round(deltasPerEvent, 2)} deltas per event, p99 ${String(leg.candidateP99)} ms + hold p99 ${String(holdPercentile(before, after, 99))} ms`);
        } finally {
          await server.stop();
        }
      }
    }
    return rows;
  },
};
