import type { Server } from 'socket.io';
import type { SessionEventMap, SessionEventName } from '../../../shared/events.js';
import type { WatcherEventMap, WatcherEventName } from '../../../shared/monitor.js';
import type { WatcherBroadcaster } from '../interview/focusSignals.js';
import type { SessionBroadcaster } from '../interview/ports.js';
import type { SummarySource } from '../interview/summary.js';
import { sessionRoom, watchRoom } from './rooms.js';
import type { SummaryPublisher } from './summaryPublisher.js';

/**
 * Events after which a session's list row is different and read back. The question
 * cycle's events (`message:appended`, `question:end`) are not here: their writes hand the
 * row over (`summary`), so the hot path reads nothing for the live list.
 */
const CHANGES_SUMMARY: ReadonlySet<SessionEventName> = new Set([
  'session:status',
  'session:linked',
  'interview:complete',
  'evaluation:ready',
]);

/**
 * Delivers a session's events to its candidate room on /interview and its
 * watchers on /monitor. With the Redis adapter installed on the server, the
 * same calls reach sockets on every node.
 */
export class SocketBroadcaster implements SessionBroadcaster, WatcherBroadcaster {
  constructor(
    private readonly io: Server,
    private readonly summaries: SummaryPublisher,
    private readonly onEmit?: (event: SessionEventName) => void,
  ) {}

  emit<E extends SessionEventName>(clientSessionId: string, event: E, payload: SessionEventMap[E]): void {
    const args = [event, payload] as const;
    this.io.of('/interview').to(sessionRoom(clientSessionId)).emit(...args);
    this.io.of('/monitor').to(watchRoom(clientSessionId)).emit(...args);
    this.onEmit?.(event);
    if (CHANGES_SUMMARY.has(event)) this.summaries.touch(clientSessionId);
  }

  /** Watcher-only events (focus signals): the candidate's own room never gets them. */
  emitToWatchers<E extends WatcherEventName>(clientSessionId: string, event: E, payload: WatcherEventMap[E]): void {
    this.io.of('/monitor').to(watchRoom(clientSessionId)).emit(event, payload);
  }

  touched(clientSessionId: string): void {
    this.summaries.touch(clientSessionId);
  }

  summary(row: SummarySource): void {
    this.summaries.publish(row);
  }
}
