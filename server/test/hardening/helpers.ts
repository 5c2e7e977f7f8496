import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EJSON } from 'bson';
import type { Connection } from 'mongoose';
import { io, type Socket } from 'socket.io-client';
import { errorResponseSchema, errorBodySchema } from '../../../shared/errors.js';

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
