import { io, type Socket } from 'socket.io-client';
import type { AckError } from '../../../shared/errors.js';
import { SESSION_EVENT_NAMES } from '../../../shared/events.js';
import type { MonitorClientToServer, MonitorServerToClient, SessionSummary } from '../../../shared/monitor.js';
import type { WireNote } from '../../../shared/notes.js';
import type { WireNudge, WireTakeover } from '../../../shared/nudges.js';
import type { SessionSnapshot } from '../../../shared/protocol.js';
import { emptySessionView, reduceSessionView, type SessionEvent, type SessionView } from '../../../shared/sessionView.js';

/** A recruiter on /monitor: the live list and one watched session rendered with shared/sessionView.ts. */
export class TestRecruiter {
  view: SessionView = emptySessionView();
  readonly upserts: SessionSummary[] = [];
  /** Private notes: the watch ack's, then every `note:upserted` (latest version per id). */
  notes = new Map<string, WireNote>();
  /** Nudges: the watch ack's, then every `nudge:updated` (latest state per id). */
  nudges = new Map<string, WireNudge>();
  /** Who holds the watched session (null: the AI), from the watch ack and `takeover:updated`. */
  takeover: WireTakeover | null = null;
  /** Every watcher-only event received, in order (name, payload). */
  readonly watcherEvents: Array<{ event: string; payload: unknown }> = [];
  /** Set when the server closed this socket (e.g. 'io server disconnect' after a revocation). */
  disconnectReason: string | null = null;
  private readonly listeners = new Set<() => void>();

  private constructor(readonly socket: Socket<MonitorServerToClient, MonitorClientToServer>) {
    const untyped = socket as unknown as { on(event: string, listener: (payload: unknown) => void): void };
    for (const name of SESSION_EVENT_NAMES) untyped.on(name, (payload) => this.apply({ type: name, payload } as SessionEvent));
    socket.on('sessions:upsert', ({ summary }) => {
      this.upserts.push(summary);
      this.notify();
    });
    socket.on('nudge:updated', (nudge) => {
      this.nudges.set(nudge.id, nudge);
      this.watcherEvents.push({ event: 'nudge:updated', payload: nudge });
      this.notify();
    });
    socket.on('takeover:updated', (takeover) => {
      this.takeover = takeover;
      this.watcherEvents.push({ event: 'takeover:updated', payload: takeover });
      this.notify();
    });
    socket.on('note:upserted', (note) => {
      this.notes.set(note.id, note);
      this.notify();
    });
    socket.on('disconnect', (reason) => {
      this.disconnectReason = reason;
      this.notify();
    });
  }

  static connect(baseUrl: string, token: string): Promise<TestRecruiter> {
    const socket: Socket<MonitorServerToClient, MonitorClientToServer> = io(`${baseUrl}/monitor`, {
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve(new TestRecruiter(socket)));
      socket.once('connect_error', (err) => reject(err));
    });
  }

  async subscribe(): Promise<SessionSummary[]> {
    const ack = await this.call('sessions:subscribe', {});
    return (ack as { sessions: SessionSummary[] }).sessions;
  }

  /** Watches one session: a fresh view, events before the ack buffered by the reducer. */
  async watch(sessionId: string): Promise<SessionSnapshot> {
    this.view = emptySessionView();
    const ack = await this.call('session:watch', { sessionId });
    const snapshot = (ack as { snapshot: SessionSnapshot }).snapshot;
    this.notes = new Map(((ack as { notes?: WireNote[] }).notes ?? []).map((n) => [n.id, n]));
    this.nudges = new Map(((ack as { nudges?: WireNudge[] }).nudges ?? []).map((n) => [n.id, n]));
    this.takeover = (ack as { takeover?: WireTakeover }).takeover ?? null;
    this.apply({ type: 'session:state', payload: snapshot });
    return snapshot;
  }

  async unwatch(sessionId: string): Promise<void> {
    await this.call('session:unwatch', { sessionId });
    this.view = emptySessionView();
  }

  call(event: keyof MonitorClientToServer, payload: unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      (this.socket.emit as (e: string, p: unknown, ack: (r: unknown) => void) => void)(event, payload, (response) => {
        if ((response as AckError).ok === false) reject(Object.assign(new Error((response as AckError).error.message), (response as AckError).error));
        else resolve(response);
      });
    });
  }

  until(predicate: (view: SessionView, upserts: SessionSummary[], recruiter: TestRecruiter) => boolean, timeoutMs = 10_000, what = 'condition'): Promise<SessionView> {
    if (predicate(this.view, this.upserts, this)) return Promise.resolve(this.view);
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!predicate(this.view, this.upserts, this)) return;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve(this.view);
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`recruiter timed out waiting for ${what}`));
      }, timeoutMs);
      this.listeners.add(check);
    });
  }

  close(): void {
    this.socket.close();
  }

  private apply(event: SessionEvent): void {
    this.view = reduceSessionView(this.view, event);
    this.notify();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
