import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { InterviewStatus } from '../../../shared/interview.js';
import type { SessionSummary, WireFocusSignal } from '../../../shared/monitor.js';
import type { NoteAddPayload, NoteEditPayload, WireNote } from '../../../shared/notes.js';
import { mergeFocus } from './focusTimeline.js';
import type { NudgeKind, WireNudge, WireTakeover } from '../../../shared/nudges.js';
import { mergeNotes, mergeNudges } from './notes.js';
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
    socket.on('disconnect', (reason) => {
      setState((s) => (s.kind === 'live' ? { ...s, reconnecting: true } : s));
      // The server closed us (e.g. this recruiter was revoked): socket.io does not retry by
      // itself then. Retry once; a refused handshake brings the sign-in prompt with the reason.
      if (reason === 'io server disconnect') socket.connect();
    });
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
export interface WatchNotes {
  /** Private notes of the watched session, oldest first (watchers only). */
  notes: WireNote[];
  /** `note:add` on this watch's socket; resolves with the stored note, rejects with the server's message. */
  addNote: (input: Omit<NoteAddPayload, 'sessionId'>) => Promise<WireNote>;
  /** `note:edit` (own notes only). */
  editNote: (input: Omit<NoteEditPayload, 'sessionId'>) => Promise<WireNote>;
}

/** Steering the watched session (docs/recruiters.md): nudges and take-over. */
export interface WatchSteering {
  /** Nudges of the watched session (every state), oldest first. */
  nudges: WireNudge[];
  /** Who has taken the session over (null: the AI asks). */
  takeover: WireTakeover | null;
  nudge: (input: { nudgeId: string; kind: NudgeKind; text: string }) => Promise<WireNudge>;
  withdrawNudge: (nudgeId: string) => Promise<WireNudge>;
  takeOver: () => Promise<void>;
  askAsRecruiter: (text: string) => Promise<void>;
  handBack: () => Promise<void>;
}

export function useWatch(token: string, sessionId: string | null, connect: MonitorConnector = connectMonitor): LiveView & { focus: WireFocusSignal[] } & WatchNotes & WatchSteering {
  const [live, dispatch] = useReducer(reduceLiveView, undefined, initialLiveView);
  // Focus signals (watchers only): the ack's stored ones, merged with `focus:signal` events.
  const [focus, setFocus] = useState<WireFocusSignal[]>([]);
  // Notes (watchers only): the ack's stored ones, merged with `note:upserted` events and our own acks.
  const [notes, setNotes] = useState<WireNote[]>([]);
  // Nudges and take-over (watchers only): the ack's, then `nudge:updated` / `takeover:updated` and our own acks.
  const [nudges, setNudges] = useState<WireNudge[]>([]);
  const [takeover, setTakeover] = useState<WireTakeover | null>(null);
  const socketRef = useRef<MonitorSocket | null>(null);

  useEffect(() => {
    dispatch({ type: 'reset' });
    setFocus([]);
    setNotes([]);
    setNudges([]);
    setTakeover(null);
    if (!sessionId) return;
    const socket = connect(token);
    socketRef.current = socket;
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
              setNotes((current) => mergeNotes(current, ack.notes ?? []));
              setNudges((current) => mergeNudges(current, ack.nudges ?? []));
              setTakeover(ack.takeover ?? null);
            }
            else dispatch({ type: 'failed', code: ack.error.code, message: ack.error.message });
          },
          () => {
            // No ack: drop the connection and watch again from a fresh snapshot.
            socket.disconnect().connect();
          },
        );
    });
    socket.on('disconnect', (reason) => {
      dispatch({ type: 'disconnected' });
      if (reason === 'io server disconnect') socket.connect();
    });
    socket.on('connect_error', (err) => {
      const body = connectErrorBody(err);
      if (isFatalConnectError(body.code)) dispatch({ type: 'failed', code: body.code, message: body.message });
    });
    socket.on('focus:signal', (signal) => setFocus((current) => mergeFocus(current, [signal])));
    socket.on('note:upserted', (note) => setNotes((current) => mergeNotes(current, [note])));
    socket.on('nudge:updated', (nudge) => setNudges((current) => mergeNudges(current, [nudge])));
    socket.on('takeover:updated', (t) => setTakeover(t));
    const unbind = bindSessionEvents(socket, (event) => dispatch({ type: 'event', event }));
    return () => {
      unbind();
      socket.removeAllListeners();
      socket.disconnect();
      socketRef.current = null;
    };
  }, [token, sessionId, connect]);

  const addNote = useCallback(
    async (input: Omit<NoteAddPayload, 'sessionId'>) => {
      const socket = socketRef.current;
      if (!socket || !sessionId) throw new Error('Not connected; try again in a moment.');
      const ack = await socket.timeout(10_000).emitWithAck('note:add', { ...input, sessionId });
      if (!ack.ok) throw new Error(ack.error.message);
      setNotes((current) => mergeNotes(current, [ack.note]));
      return ack.note;
    },
    [sessionId],
  );

  const editNote = useCallback(
    async (input: Omit<NoteEditPayload, 'sessionId'>) => {
      const socket = socketRef.current;
      if (!socket || !sessionId) throw new Error('Not connected; try again in a moment.');
      const ack = await socket.timeout(10_000).emitWithAck('note:edit', { ...input, sessionId });
      if (!ack.ok) throw new Error(ack.error.message);
      setNotes((current) => mergeNotes(current, [ack.note]));
      return ack.note;
    },
    [sessionId],
  );

  const steer = useCallback(
    async (event: 'session:nudge' | 'session:nudge:withdraw' | 'session:takeover' | 'session:takeover:ask' | 'session:handback', payload: Record<string, unknown>) => {
      const socket = socketRef.current;
      if (!socket || !sessionId) throw new Error('Not connected; try again in a moment.');
      type SteerAck = { ok: true; nudge?: WireNudge; takeover?: WireTakeover } | { ok: false; error: { message: string } };
      const timed = socket.timeout(10_000) as unknown as { emitWithAck(e: string, p: unknown): Promise<SteerAck> };
      const ack = await timed.emitWithAck(event, { ...payload, sessionId });
      if (!ack.ok) throw new Error(ack.error.message);
      if (ack.nudge) setNudges((current) => mergeNudges(current, [ack.nudge!]));
      if (ack.takeover) setTakeover(ack.takeover);
      return ack;
    },
    [sessionId],
  );
  const nudge = useCallback(async (input: { nudgeId: string; kind: NudgeKind; text: string }) => (await steer('session:nudge', input)).nudge!, [steer]);
  const withdrawNudge = useCallback(async (nudgeId: string) => (await steer('session:nudge:withdraw', { nudgeId })).nudge!, [steer]);
  const takeOver = useCallback(async () => void (await steer('session:takeover', {})), [steer]);
  const askAsRecruiter = useCallback(async (text: string) => void (await steer('session:takeover:ask', { text })), [steer]);
  const handBack = useCallback(async () => void (await steer('session:handback', {})), [steer]);

  return { ...live, focus, notes, addNote, editNote, nudges, takeover, nudge, withdrawNudge, takeOver, askAsRecruiter, handBack };
}
