import type { Server } from 'socket.io';
import type { CandidateEventMap, CandidateEventName, SessionEventMap, SessionEventName } from '../../../shared/events.js';
import type { WatcherEventMap, WatcherEventName } from '../../../shared/monitor.js';
import type { WatcherBroadcaster } from '../interview/focusSignals.js';
import type { CandidateBroadcaster, SessionBroadcaster } from '../interview/ports.js';
import type { SummarySource } from '../interview/summary.js';
import { deliverLocally, type SessionChannel } from './sessionChannel.js';
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
 * Delivers a session's events to its candidate room on /interview and its watchers on
 * /monitor: on this node directly, on the other nodes through the session channel
 * (Redis, when configured).
 */
export class SocketBroadcaster implements SessionBroadcaster, WatcherBroadcaster, CandidateBroadcaster {
  constructor(
    private readonly io: Server,
    private readonly summaries: SummaryPublisher,
    private readonly channel: SessionChannel | null = null,
  ) {}

  emit<E extends SessionEventName>(clientSessionId: string, event: E, payload: SessionEventMap[E]): void {
    deliverLocally(this.io, clientSessionId, 'both', event, payload);
    this.channel?.publish(clientSessionId, 'both', event, payload);
    if (CHANGES_SUMMARY.has(event)) this.summaries.touch(clientSessionId);
  }

  /** Watcher-only events (focus signals): the candidate's own room never gets them. */
  emitToWatchers<E extends WatcherEventName>(clientSessionId: string, event: E, payload: WatcherEventMap[E]): void {
    deliverLocally(this.io, clientSessionId, 'watchers', event, payload);
    this.channel?.publish(clientSessionId, 'watchers', event, payload);
  }

  /** Candidate-only events (`voice:context`): the watchers never get them. */
  emitToCandidate<E extends CandidateEventName>(clientSessionId: string, event: E, payload: CandidateEventMap[E]): void {
    deliverLocally(this.io, clientSessionId, 'candidate', event, payload);
    this.channel?.publish(clientSessionId, 'candidate', event, payload);
  }

  touched(clientSessionId: string): void {
    this.summaries.touch(clientSessionId);
  }

  summary(row: SummarySource): void {
    this.summaries.publish(row);
  }
}
