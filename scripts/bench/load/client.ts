/**
 * A load-client process: receives one job over IPC, opens its sockets (socket.io-client,
 * websocket transport, 127.0.0.1 only), reports `ready`, runs, and on `finish` sends its
 * measurements and CPU time. Latencies are measured here, on this process's event loop; a
 * saturated client inflates them, which is why its CPU is reported next to the server's.
 */
import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { ClientJob, ClientReport, SessionCreds } from './procs.js';

const nowMicros = (): number => Number(process.hrtime.bigint() / 1000n);
const ANSWER = 'I would partition by tenant, keep an append-only log per partition, and replay it after a crash.';

interface TokenMsg {
  questionId: string;
  index: number;
  text: string;
  t?: number;
}

const report: ClientReport = { tokens: 0, dropped: 0, reordered: 0, errors: 0, late: 0, connected: 0, cpuMicros: 0 };
const sockets: Socket[] = [];
let finished = false;
const cpu0 = process.cpuUsage();
/** Tokens emitted inside this window (server stamp, µs) are recorded; set by the parent's `start`. */
const measureWindow = { from: Number.POSITIVE_INFINITY, until: Number.NEGATIVE_INFINITY };
let onStart: (startAtMicros: number) => void = () => undefined;
const started = new Promise<number>((resolve) => (onStart = resolve));

/**
 * Connects one socket. `arm` attaches listeners before any packet can arrive: the server's
 * first emits (session:state) may be parsed in the same tick as the connect packet, before a
 * continuation after `await connect()` would run.
 */
function connect(url: string, nsp: string, auth: Record<string, unknown>, arm?: (socket: Socket) => void): Promise<Socket> {
  const socket = io(`${url}${nsp}`, { auth, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 60_000 });
  sockets.push(socket);
  arm?.(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => {
      report.connected++;
      resolve(socket);
    });
    socket.once('connect_error', (err) => reject(err));
  });
}

/** Opens sockets with at most `width` handshakes in flight. */
async function pooled<T, R>(items: readonly T[], width: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T, i);
      }
    }),
  );
  return out;
}

function emitAck(socket: Socket, event: string, payload: unknown): Promise<{ ok: boolean; error?: unknown }> {
  return new Promise((resolve) => socket.emit(event, payload, (r: { ok: boolean; error?: unknown }) => resolve(r)));
}

/** Order and completeness of one socket's token stream, question by question. */
class TokenTracker {
  private expected = new Map<string, number>();
  private text = new Map<string, string>();
  constructor(private readonly sink: number[]) {}

  token(msg: TokenMsg): void {
    const recv = nowMicros();
    report.tokens++;
    const exp = this.expected.get(msg.questionId) ?? 0;
    if (msg.index > exp) report.dropped += msg.index - exp;
    if (msg.index < exp) report.reordered++;
    else {
      this.expected.set(msg.questionId, msg.index + 1);
      this.text.set(msg.questionId, (this.text.get(msg.questionId) ?? '') + msg.text);
    }
    if (msg.t !== undefined && msg.t >= measureWindow.from && msg.t <= measureWindow.until) this.sink.push(Math.round((recv - msg.t) / 10) / 100);
  }

  /** question:end carries the full text: a shorter concatenation means lost tokens at the tail. */
  end(questionId: string, text: string): void {
    const got = this.text.get(questionId) ?? '';
    if (got !== text && !text.startsWith(got)) report.errors++;
    else if (got.length < text.length) report.dropped++;
    this.expected.delete(questionId);
    this.text.delete(questionId);
  }
}

const sleepUntil = (micros: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, (micros - nowMicros()) / 1000)));

async function firstToken(job: Extract<ClientJob, { kind: 'first-token' }>): Promise<void> {
  const ack: number[] = (report.ack = []);
  const first: number[] = (report.firstToken = []);
  const run = async (s: SessionCreds, socket: Socket): Promise<void> => {
    let current: string | undefined;
    let ended = false;
    let waiter: { t0: number; prev: string | undefined } | undefined;
    let endWaiters: (() => void)[] = [];
    socket.on('question:start', (m: { questionId: string }) => {
      current = m.questionId;
      ended = false;
    });
    socket.on('question:token', (m: TokenMsg) => {
      if (waiter && m.questionId !== waiter.prev) {
        first.push(Math.round((nowMicros() - waiter.t0) / 10) / 100);
        waiter = undefined;
      }
    });
    socket.on('question:end', (m: { questionId: string }) => {
      if (m.questionId === current) ended = true;
      const ws = endWaiters;
      endWaiters = [];
      for (const w of ws) w();
    });
    const questionEnded = () => (ended ? Promise.resolve() : new Promise<void>((r) => endWaiters.push(r)));
    const startAck = await emitAck(socket, 'interview:start', {});
    if (!startAck.ok) throw new Error(`interview:start refused for ${s.clientSessionId}`);
    await questionEnded();
    for (let r = 0; r < job.rounds && !finished; r++) {
      const offset = job.burst ? 0 : Math.random() * 0.8 * job.periodMs * 1000;
      await sleepUntil(job.startAtMicros + r * job.periodMs * 1000 + offset);
      if (!ended) {
        report.late++;
        await questionEnded();
      }
      // Round 0 warms the server's code paths (JIT, pools) and is not recorded.
      const t0 = nowMicros();
      waiter = r > 0 ? { t0, prev: current } : undefined;
      // The next question starts after the ack; until its question:end, the turn is the server's.
      ended = false;
      const res = await emitAck(socket, 'answer:submit', { messageId: `m_${randomUUID()}`, text: ANSWER });
      if (r > 0) ack.push(Math.round((nowMicros() - t0) / 10) / 100);
      if (!res.ok) {
        report.errors++;
        report.note ??= JSON.stringify(res).slice(0, 300);
      }
      await questionEnded();
    }
  };
  const connected = await pooled(job.sessions, 32, (s) => connect(job.url, '/interview', { clientSessionId: s.clientSessionId, candidateToken: s.candidateToken }));
  process.send?.({ type: 'ready' });
  await Promise.all(job.sessions.map((s, i) => run(s, connected[i] as Socket)));
}

async function streamCandidates(job: Extract<ClientJob, { kind: 'stream-candidates' }>): Promise<void> {
  const sink: number[] = (report.candidate = []);
  const connected = await pooled(job.sessions, 32, (s) => connect(job.url, '/interview', { clientSessionId: s.clientSessionId, candidateToken: s.candidateToken }));
  for (const socket of connected) {
    const tracker = new TokenTracker(sink);
    socket.on('question:token', (m: TokenMsg) => tracker.token(m));
    socket.on('question:end', (m: { questionId: string; text: string }) => {
      tracker.end(m.questionId, m.text);
      // Answer at once, so the session keeps streaming (ANSWER_MIN_INTERVAL_MS=0).
      if (!finished) void emitAck(socket, 'answer:submit', { messageId: `m_${randomUUID()}`, text: ANSWER }).then((r) => (r.ok ? undefined : report.errors++));
    });
  }
  process.send?.({ type: 'ready' });
  await sleepUntil(await started);
  await Promise.all(connected.map((socket) => emitAck(socket, 'interview:start', {})));
}

async function watchers(job: Extract<ClientJob, { kind: 'watchers' }>): Promise<void> {
  const sink: number[] = (report.watcher = []);
  const pairs = job.sessions.flatMap((s) => Array.from({ length: job.perSession }, () => s));
  await pooled(pairs, 32, async (s) => {
    const socket = await connect(job.url, '/monitor', { token: job.token });
    const tracker = new TokenTracker(sink);
    socket.on('question:token', (m: TokenMsg) => tracker.token(m));
    socket.on('question:end', (m: { questionId: string; text: string }) => tracker.end(m.questionId, m.text));
    const ack = await emitAck(socket, 'session:watch', { sessionId: s.sessionId });
    if (!ack.ok) throw new Error('session:watch refused');
  });
  process.send?.({ type: 'ready' });
}

async function idle(job: Extract<ClientJob, { kind: 'idle' }>): Promise<void> {
  await pooled(job.sessions, 64, async (s) => {
    let snapshot: Promise<void> = Promise.resolve();
    await connect(job.url, '/interview', { clientSessionId: s.clientSessionId, candidateToken: s.candidateToken }, (socket) => {
      snapshot = new Promise<void>((resolve) => socket.once('session:state', () => resolve()));
    });
    await snapshot;
  });
  process.send?.({ type: 'ready' });
}

async function baseline(job: Extract<ClientJob, { kind: 'baseline' }>): Promise<void> {
  const cand: number[] = (report.candidate = []);
  const watch: number[] = (report.watcher = []);
  const slots = Array.from({ length: job.sessions }, (_, i) => job.offset + i);
  await pooled(slots, 32, async (slot) => {
    for (let w = 0; w <= job.perSession; w++) {
      const socket = await connect(job.url, w === 0 ? '/interview' : '/monitor', { slot });
      const tracker = new TokenTracker(w === 0 ? cand : watch);
      socket.on('question:token', (m: TokenMsg) => tracker.token(m));
      socket.on('question:end', (m: { questionId: string; text: string }) => tracker.end(m.questionId, m.text));
    }
  });
  process.send?.({ type: 'ready' });
}

process.on('message', (msg: unknown) => {
  const m = msg as { type: string; job?: ClientJob };
  if (m.type === 'finish') {
    finished = true;
    const cpu = process.cpuUsage(cpu0);
    report.cpuMicros = cpu.user + cpu.system;
    process.send?.({ type: 'report', report }, () => {
      for (const s of sockets) s.close();
      process.exit(0);
    });
    return;
  }
  if (m.type === 'start') {
    const st = msg as { startAtMicros: number; measureFromMicros: number; measureUntilMicros: number };
    measureWindow.from = st.measureFromMicros;
    measureWindow.until = st.measureUntilMicros;
    onStart(st.startAtMicros);
    return;
  }
  if (m.type !== 'job' || !m.job) return;
  const job = m.job;
  const run =
    job.kind === 'first-token' ? firstToken(job)
    : job.kind === 'stream-candidates' ? streamCandidates(job)
    : job.kind === 'watchers' ? watchers(job)
    : job.kind === 'idle' ? idle(job)
    : baseline(job);
  run.then(
    () => process.send?.({ type: 'done' }),
    (err: unknown) => process.send?.({ type: 'error', error: err instanceof Error ? err.message : String(err) }),
  );
});
