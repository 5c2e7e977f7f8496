import type { SessionSnapshot } from '../../../shared/protocol.js';
import type { InterviewSocket, MonitorSocket } from '../lib/sockets.js';

type Listener = (...args: unknown[]) => void;

export interface SentEvent {
  event: string;
  payload: unknown;
  resolve: (ack: unknown) => void;
  reject: (err: Error) => void;
}

/**
 * Just enough of a socket.io client socket for the pages: listeners,
 * `timeout().emitWithAck()` recorded for the test to answer, and server-side
 * helpers to connect, drop, and push events.
 */
export class FakeSocket {
  private readonly listeners = new Map<string, Set<Listener>>();
  readonly sent: SentEvent[] = [];
  connected = false;
  active = true;

  on(event: string, listener: Listener): this {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return this;
  }

  off(event: string, listener: Listener): this {
    this.listeners.get(event)?.delete(listener);
    return this;
  }

  removeAllListeners(): this {
    this.listeners.clear();
    return this;
  }

  disconnect(): this {
    this.connected = false;
    this.active = false;
    return this;
  }

  connect(): this {
    this.active = true;
    return this;
  }

  timeout(_ms: number): { emitWithAck: (event: string, payload: unknown) => Promise<unknown> } {
    return {
      emitWithAck: (event, payload) =>
        new Promise((resolve, reject) => {
          this.sent.push({ event, payload, resolve, reject });
        }),
    };
  }

  /** A plain emit with an ack callback (focus signals): recorded like emitWithAck. */
  emit(event: string, payload: unknown, ack?: (response: unknown) => void): this {
    this.sent.push({ event, payload, resolve: (r) => ack?.(r), reject: () => undefined });
    return this;
  }

  /** Events sent with the given name, oldest first. */
  sentOf(event: string): SentEvent[] {
    return this.sent.filter((s) => s.event === event);
  }

  // ---- the server's side ----

  fire(event: string, ...args: unknown[]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) listener(...args);
  }

  serverConnect(snapshot?: SessionSnapshot): void {
    this.connected = true;
    this.fire('connect');
    if (snapshot) this.fire('session:state', snapshot);
  }

  serverDrop(): void {
    this.connected = false;
    this.fire('disconnect', 'transport close');
  }

  asInterviewSocket(): InterviewSocket {
    return this as unknown as InterviewSocket;
  }

  asMonitorSocket(): MonitorSocket {
    return this as unknown as MonitorSocket;
  }
}

export function snapshot(overrides: Partial<SessionSnapshot> = {}): SessionSnapshot {
  return {
    sessionId: '0123456789abcdef01234567',
    clientSessionId: '11111111-1111-4111-8111-111111111111',
    status: 'active',
    mode: 'text',
    role: 'backend-engineer',
    messages: [],
    plan: { phase: 'warmup', asked: 0, scored: 0, boundaries: 0, complete: null },
    turn: { state: 'generating' },
    inflight: null,
    evaluationStatus: null,
    ...overrides,
  };
}

export function question(id: string, text: string, at = '2026-01-01T00:00:00.000Z') {
  return { id, role: 'interviewer' as const, text, source: 'text' as const, questionId: id, at };
}

export function answer(id: string, text: string, questionId: string, at = '2026-01-01T00:00:01.000Z') {
  return { id, role: 'candidate' as const, text, source: 'text' as const, questionId, at };
}
