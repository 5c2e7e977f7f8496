import type { CandidateEventMap, CandidateEventName, SessionEventMap, SessionEventName } from '../../../shared/events.js';
import type { Inflight } from '../../../shared/protocol.js';
import type { WatcherBroadcaster } from './focusSignals.js';
import type { SummarySource } from './summary.js';

/**
 * What the interview domain needs from the outside, implemented in realtime/
 * (socket rooms, single node or Redis) and wired in main.ts.
 */

/** Sends one session's events to its candidate sockets and its watchers. */
export interface SessionBroadcaster {
  emit<E extends SessionEventName>(clientSessionId: string, event: E, payload: SessionEventMap[E]): void;
  /** The session's list row may have changed: it is read back (batched) for the live list. */
  touched(clientSessionId: string): void;
  /** The session's list row, as the write that changed it returned it (no read). */
  summary(row: SummarySource): void;
  /** Watcher-only events (nudge:updated when an end expires nudges); absent in tests that record only session events. */
  emitToWatchers?: WatcherBroadcaster['emitToWatchers'];
}

/** Events only the candidate's own sockets get (never the watchers): `voice:context`. */
export interface CandidateBroadcaster {
  emitToCandidate<E extends CandidateEventName>(clientSessionId: string, event: E, payload: CandidateEventMap[E]): void;
}

/**
 * The text of questions still streaming, readable by any node that builds a
 * snapshot. Writes are synchronous with the token emit (same tick), so a
 * snapshot taken on this node is never behind the tokens it has sent.
 */
export interface InflightStore {
  begin(clientSessionId: string, question: Omit<Inflight, 'text' | 'lastIndex'>): void;
  append(clientSessionId: string, questionId: string, index: number, text: string): void;
  end(clientSessionId: string, questionId: string): void;
  get(clientSessionId: string): Promise<Inflight | null>;
}
