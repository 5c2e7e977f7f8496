import type { Phase } from '../../../shared/plan.js';
import { emptySessionView, reduceSessionView, type SessionEvent, type SessionView } from '../../../shared/sessionView.js';

/**
 * A session as a page shows it across reconnects, built on the shared reducer
 * (shared/sessionView.ts). While the connection is down, or back up but the
 * new snapshot has not arrived, the screen keeps the last good view and the
 * reconnecting banner stays up; the events of the new connection go into a
 * fresh view (buffered by the reducer until its snapshot), which replaces the
 * shown one the moment it is ready. So the screen never mixes old state with
 * events of a connection whose snapshot it has not seen.
 */
export interface LiveView {
  shown: SessionView;
  /** The view being rebuilt on a new connection; null while `shown` is live. */
  next: SessionView | null;
  connection: 'connecting' | 'connected' | 'reconnecting' | 'failed';
  /** The newest question the interviewer asked or is asking. */
  progress: { number: number; phase: Phase } | null;
  error: { code: string; message: string } | null;
}

export type LiveAction =
  | { type: 'event'; event: SessionEvent }
  | { type: 'connected' }
  | { type: 'disconnected' }
  | { type: 'failed'; code: string; message: string }
  /** Another session (or none): start over. */
  | { type: 'reset' };

export function initialLiveView(): LiveView {
  return { shown: emptySessionView(), next: null, connection: 'connecting', progress: null, error: null };
}

function progressOf(view: SessionView, previous: LiveView['progress']): LiveView['progress'] {
  if (view.streaming) return { number: view.streaming.number, phase: view.streaming.phase };
  const asked = view.messages.filter((m) => m.role === 'interviewer').length;
  if (asked === 0) return null;
  return { number: asked, phase: previous?.phase ?? view.plan?.phase ?? 'warmup' };
}

export function reduceLiveView(state: LiveView, action: LiveAction): LiveView {
  switch (action.type) {
    case 'connected':
      // The snapshot follows on its own; until it arrives the banner stays.
      return { ...state, error: null, connection: state.connection === 'failed' ? (state.shown.ready ? 'reconnecting' : 'connecting') : state.connection };
    case 'disconnected':
      return {
        ...state,
        connection: state.shown.ready ? 'reconnecting' : state.connection === 'failed' ? 'failed' : 'connecting',
        shown: state.shown.ready ? state.shown : emptySessionView(),
        next: state.shown.ready ? emptySessionView() : null,
      };
    case 'failed':
      return { ...state, connection: 'failed', error: { code: action.code, message: action.message } };
    case 'reset':
      return initialLiveView();
    case 'event': {
      if (state.next) {
        const next = reduceSessionView(state.next, action.event);
        if (!next.ready) return { ...state, next };
        return { ...state, shown: next, next: null, connection: 'connected', progress: progressOf(next, null) };
      }
      const shown = reduceSessionView(state.shown, action.event);
      const connection = shown.ready ? 'connected' : state.connection;
      return { ...state, shown, connection, progress: progressOf(shown, action.event.type === 'session:state' ? null : state.progress) };
    }
  }
}

/** Whether the page should show the reconnecting banner. */
export function isReconnecting(state: LiveView): boolean {
  return state.connection === 'reconnecting' || (state.next !== null && !state.next.ready);
}
