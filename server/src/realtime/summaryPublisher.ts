import type { Server } from 'socket.io';
import type { Repository } from '../db/repository/index.js';
import { toSessionSummary, type SummarySource } from '../interview/summary.js';
import type { RetentionPolicy } from '../privacy/retentionPolicy.js';
import type { Logger } from '../observability/logger.js';
import { SESSIONS_ROOM } from './rooms.js';

/**
 * Publishes `sessions:upsert` to subscribed recruiters (on every node, through the
 * adapter) when a session's row changed. Changes are coalesced for `delayMs` across all
 * sessions: a row handed over by the write that changed it (`publish`, the question cycle's
 * writes) goes out as is — never behind the store, no read —; sessions only `touch`ed are
 * read back together in ONE query per interval, never one read per event.
 */
export class SummaryPublisher {
  private readonly rows = new Map<string, SummarySource>();
  private readonly touched = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: {
      io: Server;
      repo: Pick<Repository, 'findSummaries'>;
      logger: Logger;
      delayMs?: number;
      retention?: RetentionPolicy;
      /** Other nodes' recruiters get the rows too (the Redis adapter): publish even with no subscriber here. */
      crossNode?: boolean;
    },
  ) {}

  /** The row as the write that changed it returned it. */
  publish(row: SummarySource): void {
    const current = this.rows.get(row.clientSessionId);
    if (!current || current.updatedAt <= row.updatedAt) this.rows.set(row.clientSessionId, row);
    this.touched.delete(row.clientSessionId);
    this.schedule();
  }

  /** The row may have changed; read it back (batched). */
  touch(clientSessionId: string): void {
    this.rows.delete(clientSessionId);
    this.touched.add(clientSessionId);
    this.schedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.rows.clear();
    this.touched.clear();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => void this.flush(), this.deps.delayMs ?? 30);
    this.timer.unref();
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    const rows = [...this.rows.values()];
    const ids = [...this.touched];
    this.rows.clear();
    this.touched.clear();
    const monitor = this.deps.io.of('/monitor');
    // Nobody subscribed: nothing to build or read. A recruiter joins before reading the list, so no change is missed.
    if (!this.deps.crossNode && !monitor.adapter.rooms.has(SESSIONS_ROOM)) return;
    const room = monitor.to(SESSIONS_ROOM);
    for (const row of rows) room.emit('sessions:upsert', { summary: toSessionSummary(row, this.deps.retention) });
    if (ids.length === 0) return;
    try {
      for (const row of await this.deps.repo.findSummaries(ids)) room.emit('sessions:upsert', { summary: toSessionSummary(row, this.deps.retention) });
    } catch (err) {
      this.deps.logger.warn('session summaries not published', { count: ids.length, err });
    }
  }
}
