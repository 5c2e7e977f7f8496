import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { InterviewStatus } from '../../../shared/interview.js';
import type { SessionSummary, WireFocusSignal } from '../../../shared/monitor.js';
import { mergeFocus } from './focusTimeline.js';
import { initialLiveView, reduceLiveView, type LiveView } from './liveView.js';
import { bindSessionEvents, connectErrorBody, connectMonitor, isFatalConnectError, type MonitorSocket } from './sockets.js';

export type MonitorConnector = (token: string) => MonitorSocket;

export type ListState =
  | { kind: 'connecting' }
  | { kind: 'live'; sessions: SessionSummary[]; reconnecting: boolean }
  | { kind: 'unauthorized'; message: string }
  | { kind: 'error'; message: string };

function upsert(list: SessionSummary[], summary: SessionSummary): SessionSummary[] {
  const rest = list.filter((s) => s.sessionId !== summary.sessionId);
  return [summary, ...rest].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/**
 * The live list: `sessions:subscribe` (its ack is the first page), then
 * `sessions:upsert` for every change. The server sends every upsert to every
 * subscriber, so the status filter is applied here as well. Re-subscribes on
 * every (re)connect, so the list is never stale after a reconnect.
 */
export function useSessionList(token: string, status: InterviewStatus | null, connect: MonitorConnector = connectMonitor): ListState & { refresh: () => void } {
  const [state, setState] = useState<ListState>({ kind: 'connecting' });
  const statusRef = useRef(status);
  statusRef.current = status;
  const socketRef = useRef<MonitorSocket | null>(null);

  const subscribe = useCallback((socket: MonitorSocket) => {
    const filter = statusRef.current;
    socket
      .timeout(10_000)
      .emitWithAck('sessions:subscribe', filter ? { status: filter } : {})
      .then(
        (ack) => {
          if (filter !== statusRef.current) return;
          if (ack.ok) setState({ kind: 'live', sessions: ack.sessions, reconnecting: false });
          else setState({ kind: 'error', message: ack.error.message });
        },
        () => setState({ kind: 'error', message: 'The server did not answer the subscription; reconnecting…' }),
      );
  }, []);

  useEffect(() => {
    const socket = connect(token);
    socketRef.current = socket;
    socket.on('connect', () => subscribe(socket));
    socket.on('disconnect', () => setState((s) => (s.kind === 'live' ? { ...s, reconnecting: true } : s)));
    socket.on('connect_error', (err) => {
      const body = connectErrorBody(err);
      if (isFatalConnectError(body.code)) setState({ kind: 'unauthorized', message: body.message });
      else setState((s) => (s.kind === 'live' ? { ...s, reconnecting: true } : { kind: 'connecting' }));
    });
    socket.on('sessions:upsert', ({ summary }) => {
      setState((s) => {
        if (s.kind !== 'live') return s;
        const filter = statusRef.current;
        if (filter && summary.status !== filter) return { ...s, sessions: s.sessions.filter((x) => x.sessionId !== summary.sessionId) };
        return { ...s, sessions: upsert(s.sessions, summary) };
      });
    });
    return () => {
      socket.removeAllListeners();
      socket.disconnect();
      socketRef.current = null;
    };
  }, [token, connect, subscribe]);

  // A new filter: subscribe again; the ack replaces the list.
  useEffect(() => {
    const socket = socketRef.current;
    if (socket?.connected) subscribe(socket);
  }, [status, subscribe]);

  // Subscribing again replaces the list with the server's current one (after a change the
  // server announces no upsert for, such as an orphan removed by a manual link).
  const refresh = useCallback(() => {
    const socket = socketRef.current;
    if (socket?.connected) subscribe(socket);
  }, [subscribe]);

  return { ...state, refresh };
}

/**
 * One watched session on its own connection (so events of a session watched
 * before can never land in this view). The watch ack's snapshot is fed to the
 * shared reducer as `session:state`; events that arrive before it are
 * buffered by the reducer; a reconnect watches again and rebuilds from the new
 * snapshot (liveView.ts) — the gap-free rule of PROTOCOL.md.
 */
export function useWatch(token: string, sessionId: string | null, connect: MonitorConnector = connectMonitor): LiveView & { focus: WireFocusSignal[] } {
  const [live, dispatch] = useReducer(reduceLiveView, undefined, initialLiveView);
  // Focus signals (watchers only): the ack's stored ones, merged with `focus:signal` events.
  const [focus, setFocus] = useState<WireFocusSignal[]>([]);

  useEffect(() => {
    dispatch({ type: 'reset' });
    setFocus([]);
    if (!sessionId) return;
    const socket = connect(token);
    socket.on('connect', () => {
      dispatch({ type: 'connected' });
      socket
        .timeout(10_000)
        .emitWithAck('session:watch', { sessionId })
        .then(
          (ack) => {
            if (ack.ok) {
              dispatch({ type: 'event', event: { type: 'session:state', payload: ack.snapshot } });
              setFocus((current) => mergeFocus(current, ack.focus ?? []));
            }
            else dispatch({ type: 'failed', code: ack.error.code, message: ack.error.message });
          },
          () => {
            // No ack: drop the connection and watch again from a fresh snapshot.
            socket.disconnect().connect();
          },
        );
    });
    socket.on('disconnect', () => dispatch({ type: 'disconnected' }));
    socket.on('connect_error', (err) => {
      const body = connectErrorBody(err);
      if (isFatalConnectError(body.code)) dispatch({ type: 'failed', code: body.code, message: body.message });
    });
    socket.on('focus:signal', (signal) => setFocus((current) => mergeFocus(current, [signal])));
    const unbind = bindSessionEvents(socket, (event) => dispatch({ type: 'event', event }));
    return () => {
      unbind();
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [token, sessionId, connect]);

  return { ...live, focus };
}
