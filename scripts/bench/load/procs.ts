/**
 * Child processes of the load scenarios: Candor servers (main.ts through tsx, with the probe
 * preloaded), the bare socket.io baseline, the embedded database, and load-client processes.
 * Every child gets its own event loop, so the server's work is not mixed with the clients'.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProbeReply } from './probe.js';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const probeTs = path.join(root, 'scripts/bench/load/probe.ts');
const clientTs = path.join(root, 'scripts/bench/load/client.ts');

/** Open files allowed in children (each socket is a file descriptor on both sides). */
export const NOFILE = 20_000;

export const RECRUITER_TOKEN = 'bench-recruiter-token-0123456789';
export const SESSION_SECRET = 'bench-session-secret-0123456789abcdef0123';

/**
 * user + system CPU of a process from /proc/<pid>/stat (all its threads), or of one of its
 * threads (`tid`; the main thread's tid is the pid), in µs; undefined where unavailable.
 */
export function procCpuMicros(pid: number | undefined, tid?: number): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1e6) / 100 : undefined;
  } catch {
    return undefined;
  }
}

/** Resident set size of a process (Linux /proc), bytes. */
export function procRssBytes(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export interface Child {
  proc: ChildProcess;
  pid: number | undefined;
  output: () => string;
  /** CPU µs used so far (user + system), all threads. */
  cpuMicros: () => number | undefined;
  /** CPU µs of the main thread (the event loop) alone: the rest is the store's worker, V8's compiler and GC threads, libuv's pool. */
  mainThreadCpuMicros: () => number | undefined;
  stop(): Promise<void>;
}

/**
 * Spawns `node --import tsx [nodeArgs] <script>` under `sh -c 'ulimit -n NOFILE; exec ...'` so
 * the child may hold thousands of sockets (the soft limit is raised up to the hard limit).
 */
function spawnNode(script: string, nodeArgs: string[], env: Record<string, string>, ipc: boolean, scriptArgs: string[] = []): Child {
  const args = ['--import', 'tsx', ...nodeArgs, script, ...scriptArgs].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const proc = spawn('sh', ['-c', `ulimit -n ${NOFILE} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec '${process.execPath}' ${args}`], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString('utf8')).slice(-20_000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return {
    proc,
    pid: proc.pid,
    output: () => out,
    cpuMicros: () => procCpuMicros(proc.pid),
    mainThreadCpuMicros: () => procCpuMicros(proc.pid, proc.pid),
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 8_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function waitForLine(child: Child, re: RegExp, what: string, timeoutMs = Number(process.env["BENCH_START_TIMEOUT_MS"] ?? 90_000)): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start within ${timeoutMs} ms:\n${child.output()}`)), timeoutMs);
    const check = () => {
      const m = re.exec(child.output());
      if (m) {
        clearTimeout(timer);
        child.proc.stdout?.off('data', check);
        resolve(m[1] ?? m[0]);
      }
    };
    child.proc.stdout?.on('data', check);
    child.proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${String(code)}) before starting:\n${child.output()}`));
    });
    check();
  });
}

export interface ServerChild extends Child {
  url: string;
  /** Memory and CPU as the server process itself sees them (after two GCs when `gc`). */
  probe(gc?: boolean): Promise<ProbeReply>;
}

let probeSeq = 0;
function probeOf(child: Child): (gc?: boolean) => Promise<ProbeReply> {
  return (gc = false) =>
    new Promise((resolve, reject) => {
      const id = ++probeSeq;
      const timer = setTimeout(() => reject(new Error('probe timed out')), 10_000);
      const onMessage = (msg: unknown) => {
        if ((msg as ProbeReply).id !== id) return;
        clearTimeout(timer);
        child.proc.off('message', onMessage);
        resolve(msg as ProbeReply);
      };
      child.proc.on('message', onMessage);
      child.proc.send({ type: 'probe', id, gc });
    });
}

/** BENCH_SERVER_NODE_ARGS: extra node flags for Candor and baseline servers alike (e.g. `--trace-gc`). */
function extraServerArgs(): string[] {
  return (process.env['BENCH_SERVER_NODE_ARGS'] ?? '').split(/\s+/).filter(Boolean);
}

export interface CandorChildOptions {
  env?: Record<string, string>;
  /** Write a V8 CPU profile of the server into this directory (`node --cpu-prof`). */
  cpuProfDir?: string;
  /** Reuse this DATA_DIR (kept on stop; the caller removes it). Default: a fresh temp dir, removed on stop. */
  dataDir?: string;
}

/** A Candor server (server/src/main.ts) in its own process, scripted interviewer, probe preloaded. */
export async function startCandorChild(opts: CandorChildOptions = {}): Promise<ServerChild & { dataDir: string }> {
  const owned = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'candor-bench-srv-'));
  const nodeArgs = ['--expose-gc', ...extraServerArgs(), '--import', probeTs];
  if (opts.cpuProfDir) nodeArgs.unshift('--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`);
  const child = spawnNode(path.join(root, 'server/src/main.ts'), nodeArgs, {
    NODE_ENV: 'development',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    SESSION_SECRET,
    RECRUITER_TOKEN,
    ANSWER_MIN_INTERVAL_MS: '0',
    HTTP_RATE_LIMIT: '0',
    SOCKET_MAX_CONNECTIONS_PER_IP: '0',
    SIMULATED_WEBHOOK: 'off',
    ...opts.env,
  }, true);
  const stop = child.stop;
  try {
    const url = await waitForLine(child, /listening on (http:\/\/\S+)/, 'candor server');
    return {
      ...child,
      url: url.replace('localhost', '127.0.0.1'),
      dataDir,
      probe: probeOf(child),
      async stop() {
        await stop();
        if (owned) rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stop();
    if (owned) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}

/** scripts/bench/baseline/server.ts in its own process. */
export async function startBaselineChild(env: Record<string, string>): Promise<ServerChild> {
  const nodeArgs = ['--expose-gc', ...extraServerArgs(), '--import', probeTs];
  // Profiled with Candor (BENCH_CPU_PROF_DIR), into a subfolder: the two are read side by side.
  const profDir = process.env['BENCH_CPU_PROF_DIR'];
  if (profDir) nodeArgs.unshift('--cpu-prof', `--cpu-prof-dir=${path.join(profDir, 'baseline')}`);
  const child = spawnNode(path.join(root, 'scripts/bench/baseline/server.ts'), nodeArgs, env, true);
  try {
    const url = await waitForLine(child, /baseline listening on (http:\/\/\S+)/, 'baseline server');
    return { ...child, url, probe: probeOf(child) };
  } catch (err) {
    await child.stop();
    throw err;
  }
}

/** `npm run db:embedded` (durability none) in its own process, for servers sharing one store. */
export async function startEmbeddedDbChild(): Promise<Child & { uri: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'candor-bench-db-'));
  const real = spawnNode(path.join(root, 'server/src/db/embedded/cli.ts'), [], {}, false, ['--port', '0', '--dir', dir, '--durability', 'fsync']);
  const stop = real.stop;
  const uri = await waitForLine(real, /(mongodb:\/\/\S+)/, 'embedded db');
  return {
    ...real,
    uri,
    async stop() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}


// ---- load clients ----

export type ClientJob =
  | { kind: 'first-token'; url: string; sessions: SessionCreds[]; rounds: number; periodMs: number; startAtMicros: number; burst: boolean }
  | { kind: 'stream-candidates'; url: string; sessions: SessionCreds[] }
  | { kind: 'watchers'; url: string; token: string; sessions: SessionCreds[]; perSession: number }
  | { kind: 'idle'; url: string; sessions: SessionCreds[] }
  | { kind: 'baseline'; url: string; sessions: number; offset: number; perSession: number };

/** Sent to every client of a leg once all are ready: when streaming starts and which emits count. */
export interface StartMsg {
  startAtMicros: number;
  measureFromMicros: number;
  measureUntilMicros: number;
}

export interface SessionCreds {
  sessionId: string;
  clientSessionId: string;
  candidateToken: string;
}

export interface ClientReport {
  /** Submit -> ack, ms. */
  ack?: number[];
  /** Submit -> first question:token of the next question, ms. */
  firstToken?: number[];
  /** Server emit -> receipt, ms (question:token only), split by socket kind. */
  candidate?: number[];
  watcher?: number[];
  tokens: number;
  dropped: number;
  reordered: number;
  errors: number;
  /** first-token: answers sent late because the previous question had not ended by the round's time. */
  late: number;
  connected: number;
  cpuMicros: number;
  note?: string;
}

export interface ClientProc {
  child: Child;
  /** Resolves when the job's sockets are connected (and, for watchers, watching). */
  ready: Promise<void>;
  start(msg: StartMsg): void;
  /** Resolves when a job that ends by itself (first-token) has run all its rounds. */
  done: Promise<void>;
  /** Ask the client to stop and report. */
  finish(): Promise<ClientReport>;
}

/** Runs `job` in a load-client process (scripts/bench/load/client.ts). */
export function startClient(job: ClientJob): ClientProc {
  const child = spawnNode(clientTs, ['--max-old-space-size=2048'], {}, true);
  let resolveReady: () => void = () => undefined;
  let rejectReady: (e: Error) => void = () => undefined;
  const ready = new Promise<void>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  let resolveReport: (r: ClientReport) => void = () => undefined;
  let rejectReport: (e: Error) => void = () => undefined;
  const report = new Promise<ClientReport>((res, rej) => {
    resolveReport = res;
    rejectReport = rej;
  });
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((res) => (resolveDone = res));
  child.proc.on('message', (msg: unknown) => {
    const m = msg as { type: string; report?: ClientReport; error?: string };
    if (m.type === 'ready') resolveReady();
    else if (m.type === 'done') resolveDone();
    else if (m.type === 'report' && m.report) resolveReport(m.report);
    else if (m.type === 'error') {
      const e = new Error(`load client: ${m.error ?? 'failed'}`);
      rejectReady(e);
      rejectReport(e);
    }
  });
  child.proc.once('exit', (code) => {
    const e = new Error(`load client exited (${String(code)}):\n${child.output()}`);
    rejectReady(e);
    rejectReport(e);
  });
  ready.catch(() => undefined);
  report.catch(() => undefined);
  child.proc.send({ type: 'job', job });
  return {
    child,
    ready,
    done,
    start(msg) {
      child.proc.send({ type: 'start', ...msg });
    },
    async finish() {
      child.proc.send({ type: 'finish' });
      try {
        return await report;
      } finally {
        await child.stop();
      }
    },
  };
}

/** Splits `items` into `n` nearly equal consecutive parts (none empty). */
export function split<T>(items: readonly T[], n: number): T[][] {
  const parts: T[][] = [];
  const size = Math.ceil(items.length / Math.max(1, n));
  for (let i = 0; i < items.length; i += size) parts.push(items.slice(i, i + size));
  return parts;
}

/** Creates `n` text sessions through the REST API (concurrency 16). */
export async function createSessions(url: string, n: number): Promise<SessionCreds[]> {
  const out: SessionCreds[] = [];
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      const clientSessionId = crypto.randomUUID();
      const res = await fetch(`${url}/api/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clientSessionId, mode: 'text', role: 'backend-engineer', candidateName: 'Bench Candidate' }),
      });
      if (res.status !== 201 && res.status !== 200) throw new Error(`create session: ${res.status} ${await res.text()}`);
      const body = (await res.json()) as { sessionId: string; candidateToken: string };
      out.push({ sessionId: body.sessionId, clientSessionId, candidateToken: body.candidateToken });
    }
  };
  await Promise.all(Array.from({ length: Math.min(16, n) }, worker));
  return out;
}

export function uniquePrefix(): string {
  return `bench-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export function nowMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
