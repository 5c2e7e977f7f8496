import type { Document } from 'bson';
import type { CursorRegistry } from '../cursors.js';
import type { ServerParameters } from '../params.js';
import type { Store } from '../store.js';

/** What a command handler may use. Handlers are synchronous: a command's reads and writes are atomic. */
export interface CommandContext {
  store: Store;
  cursors: CursorRegistry;
  /** setParameter / getParameter values (ttlMonitorSleepSecs...). */
  params: ServerParameters;
  /** Target database ($db). */
  db: string;
  connection: { id: number; remote: string };
  server: { host: string; port: number; startedAt: number; connections: () => number };
}

export type CommandHandler = (cmd: Document, ctx: CommandContext) => Document;
