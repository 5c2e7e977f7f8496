import { randomUUID } from 'node:crypto';
import { createWriteStream, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import winston from 'winston';
import { startCandor, type RunningCandor } from '../../../server/src/candor.js';
import { loadConfig } from '../../../server/src/config.js';
import { createRepository, type Repository } from '../../../server/src/db/repository/index.js';
import { askedEntry } from '../../../server/src/interview/plan.js';
import type { AskStep, QuestionSink } from '../../../server/src/interview/questionCycle.js';
import { findRole } from '../../../server/src/interview/roles.js';
import { createLogger } from '../../../server/src/observability/logger.js';
import { round, type BenchRow, type Scenario } from '../harness.js';
import { procCpuMicros } from '../load/procs.js';
import { JIT_WARMUP_MS } from './realtime.js';

/**
 * The question cycle alone, in this process, with no socket attached: answer -> ① -> the next
 * question generated (scripted, no token delay) -> ②, one answer at a time. What is left is
 * what Candor adds to the transport on every answer — the two durable writes through
 * mongoose, the embedded store's work and fsync, scoring, planning, logging — split by thread
 * (`/proc/self/task`): the event loop, the store's worker thread, and the rest (V8's
 * compiler and GC threads, libuv's pool). `fsync` is the default durability (`npm start`);
 * `none` shows what the syncs cost. `writes only` sends just the cycle's two writes through
 * the repository (① storeAnswer, ② storeQuestion, the same shapes, nothing generated): what
 * the durable writes alone cost. docs/performance.md reads these rows as the floor under the
 * CPU-per-answer and CPU-per-token goals.
 */
type Work = 'cycle' | 'writes only';
type Durability = 'fsync' | 'none';
interface Sizes {
  sessions: number;
  /** Answers per session measured (at most ANSWERS_PER_SESSION). */
  rounds: number;
  warmupMs: number;
  legs: Array<{ work: Work; durability: Durability }>;
}
const FULL: Sizes = {
  sessions: 100,
  rounds: 10,
  warmupMs: JIT_WARMUP_MS,
  legs: [
    { work: 'cycle', durability: 'fsync' },
    { work: 'writes only', durability: 'fsync' },
    { work: 'cycle', durability: 'none' },
  ],
};
const QUICK: Sizes = { sessions: 3, rounds: 2, warmupMs: 0, legs: [{ work: 'cycle', durability: 'fsync' }, { work: 'writes only', durability: 'fsync' }] };
/** Interviews end after 12-20 questions: fresh sessions before this many answers each. */
const ANSWERS_PER_SESSION = 10;
/** A question as long as the scripted interviewer's (~20 tokens). */
const QUESTION = 'How would you keep every acknowledged answer of an interview safe when the node that stored it crashes a moment later?';
/** The plan fact every `writes only` question records (its content does not change the write's cost). */
const STEP: AskStep = { kind: 'ask', number: 2, phase: 'standard', difficulty: 3, skill: findRole('backend-engineer')?.skills[0]?.id ?? 'system-design' };
const ANSWER = 'I would shard the sessions by tenant and keep a write ahead log, so that every acknowledged answer survives a crash of the node; then I would watch the p99.';

/** CPU (µs) of each thread of this process, by thread id. */
function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const us = procCpuMicros(process.pid, Number(tid));
    if (us !== undefined) out.set(tid, us);
  }
  return out;
}

function delta(after: Map<string, number>, before: Map<string, number>): Map<string, number> {
  return new Map([...after].map(([tid, us]) => [tid, us - (before.get(tid) ?? 0)]));
}

class Driver {
  private ids: string[] = [];
  /** The question each session awaits an answer to (writes only). */
  private readonly awaiting = new Map<string, string>();

  constructor(
    private readonly candor: RunningCandor,
    /** The server's own store, through a repository on its connection (writes only). */
    private readonly repo: Repository,
    private readonly sessions: number,
    private readonly work: Work,
  ) {}

  /** One answer per session, one at a time; each resolves once its next question is stored. */
  async round(): Promise<number> {
    for (const csid of this.ids) await (this.work === 'cycle' ? this.answer(csid) : this.writes(csid));
    return this.ids.length;
  }

  /** New started sessions, each awaiting its first answer (outside any measured window: it reads). */
  async fresh(): Promise<void> {
    const { service } = this.candor;
    this.ids = [];
    for (let i = 0; i < this.sessions; i++) {
      const csid = randomUUID();
      await service.createSession({ clientSessionId: csid, mode: 'text', role: 'backend-engineer', candidateName: 'Bench Candidate' });
      await service.start(csid);
      this.ids.push(csid);
    }
    // The opening questions stream in the background: wait until every session awaits an answer.
    for (const csid of this.ids) {
      for (let i = 0; i < 200; i++) {
        const { turn } = await service.snapshot(csid);
        if (turn.state === 'awaiting_answer' && turn.questionId) {
          this.awaiting.set(csid, turn.questionId);
          break;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  }

  /** ① and ② as the cycle sends them, with nothing generated in between. */
  private async writes(csid: string): Promise<void> {
    const questionId = this.awaiting.get(csid)!;
    const next = `q_${randomUUID()}`;
    const message = { id: `m_${randomUUID()}`, role: 'candidate' as const, text: ANSWER, source: 'text' as const, questionId, at: new Date() };
    const lease = { state: 'generating' as const, questionId: next, leaseUntil: new Date(Date.now() + 60_000), node: 'bench-cycle' };
    const stored = await this.repo.storeAnswer(csid, { message, questionId, next: lease, tail: this.candor.cycle.tail });
    if (stored.outcome !== 'stored') throw new Error('bench: answer not stored');
    const question = await this.repo.storeQuestion(csid, { questionId: next, text: QUESTION, asked: askedEntry(STEP, next, new Date()), at: new Date(), statuses: ['active', 'paused'] });
    if (!question) throw new Error('bench: question not stored');
    this.awaiting.set(csid, next);
  }

  private answer(csid: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const sink: QuestionSink = {
        start: () => undefined,
        delta: () => undefined,
        end: () => resolve(),
        error: (err) => reject(err instanceof Error ? err : new Error(String(err))),
        complete: async () => resolve(),
      };
      this.candor.cycle.answer(csid, `m_${randomUUID()}`, ANSWER, { sink }).catch(reject);
    });
  }
}

async function measure({ work, durability }: { work: Work; durability: Durability }, sizes: Sizes): Promise<BenchRow> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'candor-bench-cycle-'));
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, SCRIPTED_TOKEN_DELAY_MS: '0', TOKEN_FRAME_MS: '0', ANSWER_MIN_INTERVAL_MS: '0', EMBEDDED_DB_DURABILITY: durability });
  // As every bench server runs (LOG_LEVEL=warn), into /dev/null instead of the table.
  const logger = createLogger({ level: 'warn', transports: [new winston.transports.Stream({ stream: createWriteStream('/dev/null') })] });
  const before = threadCpu();
  const candor = await startCandor(config, logger, { clientDir: '/nonexistent' });
  // Threads started with the server; the busiest of them is the store's worker.
  const ownThreads = (tid: string) => !before.has(tid);
  try {
    const driver = new Driver(candor, await createRepository(candor.connection), sizes.sessions, work);
    const warmUntil = performance.now() + sizes.warmupMs;
    while (performance.now() < warmUntil) {
      await driver.fresh();
      for (let r = 0; r < ANSWERS_PER_SESSION && performance.now() < warmUntil; r++) await driver.round();
    }
    await driver.fresh();
    let answers = 0;
    const t0 = threadCpu();
    const w0 = performance.now();
    for (let r = 0; r < sizes.rounds; r++) answers += await driver.round();
    const wallMs = performance.now() - w0;
    const used = delta(threadCpu(), t0);
    const main = used.get(String(process.pid)) ?? 0;
    const store = Math.max(0, ...[...used].filter(([tid]) => ownThreads(tid)).map(([, us]) => us));
    const total = [...used.values()].reduce((a, b) => a + b, 0);
    const per = (us: number) => Math.round(us / answers);
    return {
      work,
      durability,
      answers,
      cpuUsPerAnswer: per(total),
      mainThreadUs: per(main),
      storeThreadUs: per(store),
      otherThreadsUs: per(total - main - store),
      wallUsPerAnswer: Math.round((wallMs * 1000) / answers),
      cpuPctOfWall: round((total / 1000 / wallMs) * 100, 0),
    };
  } finally {
    await candor.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export const cycleScenario: Scenario = {
  name: 'cycle',
  description: 'the question cycle in-process, no sockets: CPU per answer by thread (event loop, store worker, other); the two writes alone; fsync vs none',
  async run({ quick, log }) {
    const sizes = quick ? QUICK : FULL;
    const rows: BenchRow[] = [];
    for (const leg of sizes.legs) {
      const row = await measure(leg, sizes);
      log(`cycle, ${leg.work}, ${leg.durability}: ${String(row['cpuUsPerAnswer'])} µs CPU per answer (event loop ${String(row['mainThreadUs'])}, store ${String(row['storeThreadUs'])})`);
      rows.push(row);
    }
    return rows;
  },
};
