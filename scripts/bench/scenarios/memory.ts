import { round, type BenchRow, type Scenario } from '../harness.js';
import { NOFILE, createSessions, split, startBaselineChild, startCandorChild, startClient, type ClientProc, type ServerChild } from '../load/procs.js';
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

function perSocket(label: string, n: number, before: ProbeReply, after: ProbeReply): BenchRow {
  const kb = (bytes: number) => round(bytes / 1024 / n, 1);
  return {
    server: label,
    sockets: n,
    rssMiB: round(after.rss / 2 ** 20, 1),
    heapUsedMiB: round(after.heapUsed / 2 ** 20, 1),
    rssKBPerSocket: kb(after.rss - before.rss),
    heapKBPerSocket: kb(after.heapUsed - before.heapUsed),
    externalKBPerSocket: kb(after.external - before.external),
    goalMet: (after.rss - before.rss) / 1024 / n <= GOAL_KB && (after.heapUsed - before.heapUsed) / 1024 / n <= GOAL_KB,
  };
}

async function connectInSteps(server: ServerChild, sizes: Sizes, label: string, connect: (from: number, to: number) => ClientProc[], log: (l: string) => void): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const clients: ClientProc[] = [];
  try {
    const before = await server.probe(true);
    let connected = 0;
    for (const n of sizes.levels) {
      const batch = connect(connected, n);
      clients.push(...batch);
      await Promise.all(batch.map((c) => c.ready));
      connected = n;
      await sleep(1_000);
      const after = await server.probe(true);
      rows.push(perSocket(label, n, before, after));
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
    const base = quick ? QUICK : FULL;
    const sizes: Sizes = { ...base, levels: levels(quick, base.levels) };
    const rows: BenchRow[] = [];
    const max = Math.max(...sizes.levels);
    const candor = await startCandorChild();
    try {
      const sessions = await createSessions(candor.url, max);
      rows.push(
        ...(await connectInSteps(candor, sizes, 'candor /interview', (from, to) =>
          split(sessions.slice(from, to), Math.ceil((to - from) / sizes.perClientProc)).map((part) => startClient({ kind: 'idle', url: candor.url, sessions: part })), log)),
      );
    } finally {
      await candor.stop();
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
