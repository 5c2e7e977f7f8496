import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BSON, ObjectId } from 'bson';
import type { Connection } from 'mongoose';
import type { Message } from '../../../shared/interview.js';
import { closeMongoose, connectMongoose } from '../../../server/src/db/connection.js';
import { EmbeddedMongo, type Durability, type EmbeddedStats } from '../../../server/src/db/embedded/index.js';
import { createRepository, type Repository } from '../../../server/src/db/repository/index.js';
import { ScriptedInterviewer } from '../../../server/src/llm/scripted/index.js';
import { closedLoop, percentile, round, type BenchRow, type Scenario, type ScenarioContext } from '../harness.js';
import { procCpuMicros } from '../load/procs.js';

/**
 * Guarded `$push` appends through the mongoose connection and the real repository, two kinds:
 * - `answer`: the question cycle's answer write (Repository.storeAnswer, repository/cycle.ts):
 *   one findAndModify whose filter states status, turn and the absence of the message id,
 *   `$push` + the turn's `$set`, replying with the projected view (the transcript's last 10
 *   messages and its length) — what every candidate answer costs;
 * - `appendMessage`: the general append (voice live lines), whose reply is the whole document.
 * On the embedded server with fsync durability (the default: worker thread; also on the
 * caller's event loop, in its own process, and with durability 'none'), plus a raw-disk
 * baseline (write + fdatasync of records the size of one append's journal record) and, when
 * MONGODB_URI is set, a real MongoDB.
 */

interface Sizes {
  /** Sessions written concurrently (fresh ones every round). */
  sessions: number;
  /** Messages appended to each session per round: a finished interview (20 questions + answers). */
  messagesPerSession: number;
  levels: number[];
  /** A level repeats rounds until it has measured this long (or maxRounds). */
  minMs: number;
  maxRounds: number;
  /** Cap of one round (a slow disk or a busy machine must not stretch the run). */
  roundMs: number;
  /** Budget of the whole scenario; later levels get shorter rounds when it runs out. */
  budgetMs: number;
  /** The one-growing-document case: appends to a single session at concurrency 64. */
  bigDocAppends: number;
  warmup: number;
  baselineMs: number;
  textChars: number;
}

const FULL: Sizes = { sessions: 50, messagesPerSession: 40, levels: [1, 16, 64], minMs: 1_500, maxRounds: 6, roundMs: 2_500, budgetMs: 75_000, bigDocAppends: 1_000, warmup: 300, baselineMs: 1_500, textChars: 300 };
const QUICK: Sizes = { sessions: 4, messagesPerSession: 5, levels: [1, 8], minMs: 0, maxRounds: 1, roundMs: 1_000, budgetMs: 4_000, bigDocAppends: 20, warmup: 10, baselineMs: 100, textChars: 300 };

const WORDS = 'the candidate would shard the sessions by tenant and keep a write ahead log so that every acknowledged answer survives a crash of the node'.split(' ');

function sentence(chars: number, seed: number): string {
  let s = '';
  for (let i = seed; s.length < chars; i++) s += `${WORDS[i % WORDS.length] ?? 'x'} `;
  return s.slice(0, chars);
}

function message(i: number, chars: number): Message {
  return { id: `m-${i}-${randomBytes(4).toString('hex')}`, role: 'candidate', source: 'text', text: sentence(chars, i), at: new Date() };
}

const ACTIVE = { allowedStatuses: ['active'] } as const;
/** The question every bench answer answers: the turn stays awaiting it, so each write's CAS holds. */
const QUESTION = 'q_bench';
const AWAITING = { state: 'awaiting_answer', questionId: QUESTION } as const;
/** The messages the answer write returns: what the default (scripted) interviewer reads. */
const TAIL = new ScriptedInterviewer().historyWindow;

export type WriteKind = 'answer' | 'appendMessage';

async function seedSessions(repo: Repository, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = randomUUID();
    await repo.createSession({ clientSessionId: id, mode: 'text', role: 'backend-engineer' });
    const r = await repo.transition(id, { from: ['created'], to: 'active', set: { turn: AWAITING } });
    if (!r.won) throw new Error('bench: could not activate a session');
    ids.push(id);
  }
  return ids;
}

async function append(repo: Repository, kind: WriteKind, csid: string, m: Message): Promise<void> {
  const outcome =
    kind === 'answer'
      ? (await repo.storeAnswer(csid, { message: { ...m, questionId: QUESTION }, questionId: QUESTION, next: AWAITING, tail: TAIL })).outcome
      : (await repo.appendMessage(csid, m, ACTIVE)).outcome;
  if (outcome !== 'stored') throw new Error(`bench: ${kind} was ${outcome}`);
}

interface Target {
  label: string;
  durability: string;
  conn: Connection;
  stats?: () => EmbeddedStats;
  /** CPU time (µs) used so far by a server running in another process (Linux /proc), if any. */
  serverCpuMicros?: () => number | undefined;
  close(): Promise<void>;
}

function ownCpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

async function embeddedTarget(durability: Durability, thread: 'main' | 'worker' = 'main'): Promise<Target> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'candor-bench-store-'));
  const mongo = await EmbeddedMongo.start({ dir, durability, ...(thread === 'worker' ? { thread } : {}) });
  const conn = await connectMongoose(mongo.uri('bench'), { maxPoolSize: 100 });
  return {
    label: thread === 'worker' ? 'embedded (worker thread)' : 'embedded',
    durability,
    conn,
    // Guarded so the scenario also runs against older server versions (before/after comparisons).
    ...(typeof (mongo as { stats?: unknown }).stats === 'function' ? { stats: () => mongo.stats() } : {}),
    async close() {
      await closeMongoose(conn);
      await mongo.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * The embedded server in its own process (`npm run db:embedded`): shows what the store does
 * when it does not share one event loop with mongoose, the driver and the repository.
 */
async function embeddedProcessTarget(durability: Durability): Promise<Target> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'candor-bench-store-'));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server/src/db/embedded/cli.ts'), '--port', '0', '--dir', dir, '--durability', durability], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const uri = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('mongodb://'));
      if (line) resolve(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`embedded server process exited with ${String(code)} before printing its URI`)));
  });
  const conn = await connectMongoose(uri, { dbName: 'bench', maxPoolSize: 100 });
  return {
    label: 'embedded (own process)',
    durability,
    conn,
    serverCpuMicros: () => (child.pid === undefined ? undefined : procCpuMicros(child.pid)),
    async close() {
      await closeMongoose(conn);
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function mongodbTarget(uri: string): Promise<Target> {
  const dbName = `candor_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const conn = await connectMongoose(uri, { dbName, maxPoolSize: 100 });
  return {
    label: 'mongodb',
    durability: 'server default write concern',
    conn,
    async close() {
      await conn.dropDatabase();
      await closeMongoose(conn);
    },
  };
}

interface Level {
  sessions: number;
  messagesPerSession: number;
  concurrency: number;
}

interface Budget {
  deadline: number;
  levelsLeft: number;
}

async function appendRows(target: Target, kinds: readonly WriteKind[], sizes: Sizes, budget: Budget, log: ScenarioContext['log']): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  try {
    const repo = await createRepository(target.conn);
    for (const kind of kinds) rows.push(...(await kindRows(target, repo, kind, sizes, budget, log)));
  } finally {
    await target.close();
  }
  return rows;
}

async function kindRows(target: Target, repo: Repository, kind: WriteKind, sizes: Sizes, budget: Budget, log: ScenarioContext['log']): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  {
    let seq = 0;
    const appendTo = (sessions: string[]) => async (i: number): Promise<void> => {
      const n = seq++;
      await append(repo, kind, sessions[i % sessions.length] as string, message(n, sizes.textChars));
    };
    const warm = await seedSessions(repo, 8);
    await closedLoop(8, sizes.warmup, 60_000, appendTo(warm));
    const levels: Level[] = [
      ...sizes.levels.map((concurrency) => ({ sessions: sizes.sessions, messagesPerSession: sizes.messagesPerSession, concurrency })),
      { sessions: 1, messagesPerSession: sizes.bigDocAppends, concurrency: Math.max(...sizes.levels) },
    ];
    for (const level of levels) {
      const roundMs = Math.max(300, Math.min(sizes.roundMs, (budget.deadline - performance.now()) / Math.max(1, budget.levelsLeft)));
      budget.levelsLeft--;
      const before = target.stats?.();
      const latencies: number[] = [];
      let elapsedMs = 0;
      let ops = 0;
      let cpuMicros = 0;
      let serverCpuKnown = target.serverCpuMicros === undefined;
      for (let round = 0; round < sizes.maxRounds && (round === 0 || elapsedMs < Math.min(sizes.minMs, roundMs)); round++) {
        // Fresh sessions each round: every document grows from empty to a finished interview.
        const sessions = await seedSessions(repo, level.sessions);
        const cpu0 = ownCpuMicros();
        const server0 = target.serverCpuMicros?.();
        const r = await closedLoop(level.concurrency, level.sessions * level.messagesPerSession, roundMs, appendTo(sessions));
        cpuMicros += ownCpuMicros() - cpu0;
        const server1 = target.serverCpuMicros?.();
        if (server0 !== undefined && server1 !== undefined) {
          cpuMicros += server1 - server0;
          serverCpuKnown = true;
        }
        latencies.push(...r.latencies);
        elapsedMs += r.elapsedMs;
        ops += r.ops;
      }
      const after = target.stats?.();
      const row: BenchRow = {
        target: target.label,
        write: kind,
        durability: target.durability,
        sessions: level.sessions,
        msgsPerSession: level.messagesPerSession,
        concurrency: level.concurrency,
        appends: ops,
        appendsPerSec: round((ops / elapsedMs) * 1000, 0),
        p50ms: round(percentile(latencies, 50)),
        p99ms: round(percentile(latencies, 99)),
        // CPU (client + server, all processes) per append: steadier than appends/s on a shared machine.
        cpuUsPerAppend: ops > 0 && serverCpuKnown ? Math.round(cpuMicros / ops) : null,
      };
      if (before && after) {
        const flushes = after.flushes - before.flushes;
        row.recordsPerFlush = flushes > 0 ? round((after.records - before.records) / flushes, 1) : null;
        row.journalBytesPerAppend = ops > 0 ? Math.round((after.bytes - before.bytes) / ops) : null;
      }
      rows.push(row);
      log(`${target.label}/${target.durability} ${kind} sessions=${level.sessions} c=${level.concurrency}: ${row.appendsPerSec} appends/s`);
    }
  }
  return rows;
}

/** Size of the journal record of one append: the document id, the pushed message and updatedAt. */
function appendRecordBytes(textChars: number): number {
  const rec = { op: 'update', db: 'bench', c: 'interviews', id: new ObjectId(), push: { messages: [message(0, textChars)] }, set: { updatedAt: new Date() } };
  return BSON.serialize(rec).length + 8;
}

/** The disk's own rate: write + fdatasync of `recordBytes` records, one per sync or `group` per sync. */
async function diskBaseline(recordBytes: number, group: number, maxMs: number): Promise<BenchRow> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'candor-bench-disk-'));
  const fd = openSync(path.join(dir, 'baseline.bin'), 'a');
  const batch = Buffer.alloc(recordBytes * group, 7);
  const latencies: number[] = [];
  let records = 0;
  const t0 = performance.now();
  try {
    while (performance.now() - t0 < maxMs) {
      const s = performance.now();
      writeSync(fd, batch);
      fdatasyncSync(fd);
      latencies.push(performance.now() - s);
      records += group;
    }
  } finally {
    closeSync(fd);
    await rm(dir, { recursive: true, force: true });
  }
  const elapsed = performance.now() - t0;
  return {
    target: group === 1 ? 'disk: write+fdatasync' : `disk: write+fdatasync, group ${group}`,
    durability: 'fsync',
    concurrency: group,
    appends: records,
    appendsPerSec: round((records / elapsed) * 1000, 0),
    p50ms: round(percentile(latencies, 50)),
    p99ms: round(percentile(latencies, 99)),
    recordBytes,
  };
}

export const storeScenario: Scenario = {
  name: 'store',
  description: 'guarded $push appends through mongoose + repository (embedded fsync / none, raw disk baseline, MongoDB if MONGODB_URI)',
  async run({ quick, log }) {
    const sizes = quick ? QUICK : FULL;
    const rows: BenchRow[] = [];
    const recordBytes = appendRecordBytes(sizes.textChars);
    rows.push(await diskBaseline(recordBytes, 1, sizes.baselineMs));
    rows.push(await diskBaseline(recordBytes, 64, sizes.baselineMs));
    const diskRate = Number(rows[0]?.appendsPerSec ?? 0);
    const uri = process.env['MONGODB_URI'];
    const levelsPerTarget = sizes.levels.length + 1;
    const budget: Budget = { deadline: performance.now() + sizes.budgetMs, levelsLeft: levelsPerTarget * ((quick ? 4 : 5) + (uri ? 1 : 0)) };
    const hot: WriteKind[] = ['answer'];
    // The default: the embedded server in a worker thread of this process, fsync (candor.ts).
    rows.push(...(await appendRows(await embeddedTarget('fsync', 'worker'), ['answer', 'appendMessage'], sizes, budget, log)));
    rows.push(...(await appendRows(await embeddedTarget('fsync'), hot, sizes, budget, log)));
    rows.push(...(await appendRows(await embeddedTarget('none'), hot, sizes, budget, log)));
    if (!quick) rows.push(...(await appendRows(await embeddedProcessTarget('fsync'), hot, sizes, budget, log)));
    if (uri) rows.push(...(await appendRows(await mongodbTarget(uri), hot, sizes, budget, log)));
    // How close the store gets to the disk's sequential sync rate (>1: group commit wins).
    for (const row of rows) row.vsDiskSync = diskRate > 0 ? round(Number(row.appendsPerSec) / diskRate, 2) : null;
    return rows;
  },
};
