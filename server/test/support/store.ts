import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mongoose';
import { closeMongoose, connectMongoose } from '../../src/db/connection.js';
import { EmbeddedMongo } from '../../src/db/embedded/index.js';
import { createModels, type Models } from '../../src/db/models/index.js';
import { createRepository, type Repository, type RepositoryOptions } from '../../src/db/repository.js';

export interface TestStore {
  uri: string;
  conn: Connection;
  repo: Repository;
  /** The raw models, for assertions only: production code writes through `repo`. */
  models: Models;
  /** 'mongodb' when MONGODB_URI pointed at a real server, else 'embedded'. */
  kind: 'mongodb' | 'embedded';
  /** Runs `fn` and returns the driver commands it sent (name + body), to count writes. */
  commandsDuring<T>(fn: () => Promise<T>): Promise<{ result: T; commands: SentCommand[] }>;
  stop(): Promise<void>;
}

export interface SentCommand {
  name: string;
  body: Record<string, unknown>;
}

/** Commands that change data. */
export const WRITE_COMMANDS = new Set(['insert', 'update', 'delete', 'findAndModify']);

function commandRecorder(conn: Connection): TestStore['commandsDuring'] {
  let sink: SentCommand[] | undefined;
  conn.getClient().on('commandStarted', (event) => {
    sink?.push({ name: event.commandName, body: { ...event.command } });
  });
  return async (fn) => {
    if (sink) throw new Error('commandsDuring does not nest');
    const commands: SentCommand[] = [];
    sink = commands;
    try {
      return { result: await fn(), commands };
    } finally {
      sink = undefined;
    }
  };
}

/** True when the suite runs against a real MongoDB (MONGODB_URI set). */
export const realMongoUri = process.env['MONGODB_URI'] || undefined;

function uniqueDbName(): string {
  return `candor_test_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/**
 * A fresh, isolated store for one test file: a unique database on MONGODB_URI
 * (dropped at stop), else an embedded server in a new temp dir (removed at stop).
 */
export async function startTestStore(opts: RepositoryOptions = {}): Promise<TestStore> {
  const dbName = uniqueDbName();
  if (realMongoUri) {
    const conn = await connectMongoose(realMongoUri, { dbName, monitorCommands: true });
    const repo = await createRepository(conn, opts);
    return {
      uri: realMongoUri,
      conn,
      repo,
      models: createModels(conn),
      kind: 'mongodb',
      commandsDuring: commandRecorder(conn),
      async stop() {
        await conn.dropDatabase();
        await closeMongoose(conn);
      },
    };
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'candor-store-'));
  const server = await EmbeddedMongo.start({ dir, host: '127.0.0.1', port: 0, durability: 'none' });
  const uri = server.uri(dbName);
  let conn: Connection;
  let repo: Repository;
  try {
    conn = await connectMongoose(uri, { monitorCommands: true });
    repo = await createRepository(conn, opts);
  } catch (err) {
    await server.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    uri,
    conn,
    repo,
    models: createModels(conn),
    kind: 'embedded',
    commandsDuring: commandRecorder(conn),
    async stop() {
      await closeMongoose(conn);
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A settable clock for lease tests: `now()` returns the current value, `advance(ms)` moves it. */
export function testClock(start = new Date('2026-01-01T00:00:00.000Z')): { now: () => Date; advance: (ms: number) => void; set: (d: Date) => void } {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    advance: (ms) => {
      t += ms;
    },
    set: (d) => {
      t = d.getTime();
    },
  };
}

/** A candidate answer as the turn loop would append it. */
export function answer(id: string, text = `answer ${id}`): { id: string; role: 'candidate'; text: string; source: 'text'; at: Date } {
  return { id, role: 'candidate', text, source: 'text', at: new Date() };
}

/** An interviewer question as the turn loop would append it. */
export function question(id: string, text = `question ${id}?`): { id: string; role: 'interviewer'; text: string; source: 'text'; questionId: string; at: Date } {
  return { id, role: 'interviewer', text, source: 'text', questionId: id, at: new Date() };
}
