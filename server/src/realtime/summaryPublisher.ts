import type { Server } from 'socket.io';
import type { Repository } from '../db/repository/index.js';
import { toSessionSummary } from '../interview/summary.js';
import type { RetentionPolicy } from '../privacy/retentionPolicy.js';
import type { Logger } from '../observability/logger.js';
import { SESSIONS_ROOM } from './rooms.js';

/**
 * Publishes `sessions:upsert` to subscribed recruiters (on every node, through
 * the adapter) when a session's row may have changed. Bursts (a question's
 * end, the answer after it) are coalesced per session for `delayMs`, and the
 * row is read from the store, so it is never ahead of what is stored.
 */
export class SummaryPublisher {
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly deps: { io: Server; repo: Repository; logger: Logger; delayMs?: number; retention?: RetentionPolicy },
  ) {}

  touch(clientSessionId: string): void {
    if (this.pending.has(clientSessionId)) return;
    const timer = setTimeout(() => {
      this.pending.delete(clientSessionId);
      void this.publish(clientSessionId);
    }, this.deps.delayMs ?? 30);
    timer.unref();
    this.pending.set(clientSessionId, timer);
  }

  stop(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }

  private async publish(clientSessionId: string): Promise<void> {
    try {
      const session = await this.deps.repo.findSummaryByClientSessionId(clientSessionId);
      if (session) this.deps.io.of('/monitor').to(SESSIONS_ROOM).emit('sessions:upsert', { summary: toSessionSummary(session, this.deps.retention) });
    } catch (err) {
      this.deps.logger.warn('session summary not published', { clientSessionId, err });
    }
  }
}
