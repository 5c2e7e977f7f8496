import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EJSON } from 'bson';
import type { Connection } from 'mongoose';
import { io, type Socket } from 'socket.io-client';
import { errorResponseSchema, errorBodySchema } from '../../../shared/errors.js';
import { afterEach } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * A digest of every document of every collection (sorted by _id), to prove
 * that a burst of bad input changed nothing that is stored.
 */
export async function databaseDigest(connection: Connection): Promise<{ digest: string; documents: number }> {
  const db = connection.db;
  if (!db) throw new Error('not connected');
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
  const hash = createHash('sha256');
  let documents = 0;
  for (const name of names) {
    const docs = await db.collection(name).find({}).sort({ _id: 1 }).toArray();
    documents += docs.length;
    hash.update(name).update(EJSON.stringify(docs, { relaxed: false }));
  }
  return { digest: hash.digest('hex'), documents };
}

/** True when `body` is PROTOCOL.md's REST error envelope. */
export function isRestError(body: unknown): boolean {
  return errorResponseSchema.safeParse(body).success;
}

/** True when `ack` is PROTOCOL.md's failed socket ack `{ok: false, error: {code, message}}`. */
export function isAckError(ack: unknown): boolean {
  if (typeof ack !== 'object' || ack === null) return false;
  const { ok, error } = ack as { ok?: unknown; error?: unknown };
  return ok === false && errorBodySchema.safeParse(error).success;
}

/** A raw socket.io-client socket (no typed events: fuzzing sends what the types forbid). */
export function rawSocket(url: string, namespace: string, auth: Record<string, unknown>, extra: { extraHeaders?: Record<string, string> } = {}): Socket {
  return io(`${url}${namespace}`, { auth, transports: ['websocket'], reconnection: false, forceNew: true, ...extra });
}

export function connected(socket: Socket, timeoutMs = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('socket did not connect')), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (err: Error & { data?: unknown }) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`connect_error: ${err.message}`), { data: err.data }));
    });
  });
}

/** The connect_error a handshake ends with (rejects if it connects instead). */
export function connectErrorOf(socket: Socket, timeoutMs = 5_000): Promise<{ message: string; data: unknown }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no connect_error')), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      reject(new Error('connected, expected a connect_error'));
    });
    socket.once('connect_error', (err: Error & { data?: unknown }) => {
      clearTimeout(timer);
      resolve({ message: err.message, data: err.data });
    });
  });
}

/** Emits with an ack and a deadline; resolves with the ack or 'timeout'. */
export function emitAck(socket: Socket, event: string, args: unknown[], timeoutMs = 10_000): Promise<unknown> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), timeoutMs);
    socket.emit(event, ...args, (ack: unknown) => {
      clearTimeout(timer);
      resolve(ack);
    });
  });
}

/** Runs `tasks` with at most `concurrency` in flight. */
export async function pool<T>(items: readonly T[], concurrency: number, run: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await run(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `npm run db:embedded` on a FIXED port and directory, so a restart serves the same data at the same address. */
export async function startEmbeddedDbAt(port: number, dir: string): Promise<ChildProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/src/db/embedded/cli.ts', '--port', String(port), '--dir', dir, '--durability', 'fsync'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('embedded db did not start')), 15_000);
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (/mongodb:\/\/\S+/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`embedded db exited ${code}`));
    });
  });
  return proc;
}

export function exited(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => proc.once('exit', () => resolve()));
}

/**
 * A TCP proxy in front of a database that can hold back ONE command: once armed, the
 * first client->server chunk containing `marker` (a BSON command name such as
 * `findAndModify`) and everything after it on that connection is held until `release()`.
 * Other connections (the driver's heartbeats, other pooled sockets) keep flowing, so the
 * driver does not notice an outage: exactly "this write is slow", then it lands.
 */
export async function holdingProxy(target: { host: string; port: number }): Promise<{
  port: number;
  arm(marker: string): void;
  held(): boolean;
  release(): void;
  close(): Promise<void>;
}> {
  const net = await import('node:net');
  let marker: string | undefined;
  let holding: { queue: Buffer[]; upstream: import('node:net').Socket } | undefined;
  const sockets = new Set<import('node:net').Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    sockets.add(client).add(upstream);
    let mine = false;
    client.on('data', (chunk: Buffer) => {
      if (!mine && marker && !holding && chunk.includes(marker)) {
        mine = true;
        marker = undefined;
        holding = { queue: [], upstream };
      }
      if (mine && holding) holding.queue.push(chunk);
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  return {
    port,
    arm: (m) => void (marker = m),
    held: () => holding !== undefined && holding.queue.length > 0,
    release() {
      if (!holding) return;
      const { queue, upstream } = holding;
      holding = undefined;
      for (const chunk of queue) upstream.write(chunk);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * In-process servers (quiet logs) and raw sockets that a test file starts,
 * closed after every test. Call once at module level.
 */
export function trackedServers(): { server: (env?: Record<string, string>) => Promise<TestServer>; track: (socket: Socket) => Socket } {
  const servers: TestServer[] = [];
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return {
    server: async (env = {}) => {
      const s = await startTestServer({ LOG_LEVEL: 'warn', ...env });
      servers.push(s);
      return s;
    },
    track: (socket) => {
      sockets.push(socket);
      return socket;
    },
  };
}
