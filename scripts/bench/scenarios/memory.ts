import { round, type BenchRow, type Scenario } from '../harness.js';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NOFILE, createSessions, split, startBaselineChild, startCandorChild, startClient, type ClientProc, type ServerChild, type SessionCreds } from '../load/procs.js';
import type { ProbeReply } from '../load/probe.js';
import { levels, finishAll, sleep } from './realtime.js';

/**
 * Memory per idle connected candidate socket: the server's RSS and V8 heap (after two full
 * GCs, `--expose-gc`, read inside the server by the probe) before and after N candidates
 * connect to /interview and receive their snapshot; (after - before) / N. Sessions are created
 * first, so their documents are in `before`. Children run under `ulimit -n` raised to
 * NOFILE (20,000; the machine's hard limit) since every socket is a descriptor on both sides.
 * The same is measured on the bare socket.io baseline as a reference.
 */
interface Sizes {
  levels: number[];
  perClientProc: number;
}
const FULL: Sizes = { levels: [1_000, 5_000], perClientProc: 2_500 };
const QUICK: Sizes = { levels: [20], perClientProc: 20 };
const GOAL_KB = 64;

function perSocket(label: string, n: number, before: ProbeReply, after: ProbeReply, prev?: { n: number; probe: ProbeReply }): BenchRow {
  const kb = (bytes: number) => round(bytes / 1024 / n, 1);
  const marginal = prev ? (key: 'rss' | 'heapUsed') => round((after[key] - prev.probe[key]) / 1024 / (n - prev.n), 1) : () => null;
  return {
    server: label,
    sockets: n,
    rssMiB: round(after.rss / 2 ** 20, 1),
    heapUsedMiB: round(after.heapUsed / 2 ** 20, 1),
    rssKBPerSocket: kb(after.rss - before.rss),
    heapKBPerSocket: kb(after.heapUsed - before.heapUsed),
    externalKBPerSocket: kb(after.external - before.external),
    // From the previous level to this one: the cost of one more socket, free of start-up effects.
    marginalRssKBPerSocket: marginal('rss'),
    marginalHeapKBPerSocket: marginal('heapUsed'),
    goalMet: (after.rss - before.rss) / 1024 / n <= GOAL_KB && (after.heapUsed - before.heapUsed) / 1024 / n <= GOAL_KB,
  };
}

async function connectInSteps(server: ServerChild, sizes: Sizes, label: string, connect: (from: number, to: number) => ClientProc[], log: (l: string) => void): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const clients: ClientProc[] = [];
  try {
    const before = await server.probe(true);
    let connected = 0;
    let prev: { n: number; probe: ProbeReply } | undefined;
    for (const n of sizes.levels) {
      const batch = connect(connected, n);
      clients.push(...batch);
      await Promise.all(batch.map((c) => c.ready));
      connected = n;
      await sleep(1_000);
      const after = await server.probe(true);
      rows.push(perSocket(label, n, before, after, prev));
      prev = { n, probe: after };
      log(`memory ${label} n=${n}: ${String(rows[rows.length - 1]?.['rssKBPerSocket'])} KB RSS / socket`);
    }
  } finally {
    await finishAll(clients).catch(() => undefined);
  }
  return rows;
}

export const memoryScenario: Scenario = {
  name: 'memory',
  description: `server RSS and heap per idle connected candidate socket at 1,000 and 5,000 (goal <= ${GOAL_KB} KB; ulimit -n ${NOFILE} in children)`,
  async run({ quick, log }) {
    const defaults = quick ? QUICK : FULL;
    const sizes: Sizes = { ...defaults, levels: levels(quick, defaults.levels) };
    const rows: BenchRow[] = [];
    const max = Math.max(...sizes.levels);
    // Sessions are created by a first server, which then stops; the measured server starts on the
    // same data, so creating 5,000 sessions (garbage, grown heap) is not in its `before`.
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'candor-bench-mem-'));
    let sessions: SessionCreds[];
    // (--quick: one server, the few sessions are noise.)
    let candor: ServerChild;
    if (quick) {
      candor = await startCandorChild({ dataDir });
      sessions = await createSessions(candor.url, max);
    } else {
      const seeder = await startCandorChild({ dataDir });
      try {
        sessions = await createSessions(seeder.url, max);
      } finally {
        await seeder.stop();
      }
      candor = await startCandorChild({ dataDir });
    }
    try {
      rows.push(
        ...(await connectInSteps(candor, sizes, 'candor /interview', (from, to) =>
          split(sessions.slice(from, to), Math.ceil((to - from) / sizes.perClientProc)).map((part) => startClient({ kind: 'idle', url: candor.url, sessions: part })), log)),
      );
    } finally {
      await candor.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
    const base = await startBaselineChild({});
    try {
      rows.push(
        ...(await connectInSteps(base, sizes, 'baseline (bare socket.io)', (from, to) => {
          const slots = split(Array.from({ length: to - from }, (_, i) => from + i), Math.ceil((to - from) / sizes.perClientProc));
          return slots.map((part) => startClient({ kind: 'baseline', url: base.url, sessions: part.length, offset: part[0] ?? 0, perSession: 0 }));
        }, log)),
      );
    } finally {
      await base.stop();
    }
    return rows;
  },
};
