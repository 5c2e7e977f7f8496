import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { AckError } from '../../../shared/errors.js';
import { SESSION_EVENT_NAMES, type InterviewClientToServer, type InterviewServerToClient, type QuestionToken } from '../../../shared/events.js';
import type { CreateSessionResponse } from '../../../shared/protocol.js';
import { emptySessionView, reduceSessionView, type SessionEvent, type SessionView } from '../../../shared/sessionView.js';

export type CandidateSocket = Socket<InterviewServerToClient, InterviewClientToServer>;

/**
 * A scripted candidate speaking PROTOCOL.md over a real socket.io-client: it
 * keeps the view every client renders (shared/sessionView.ts) and a raw log of
 * tokens, so tests can check both what a user sees and what was on the wire.
 */
export class TestCandidate {
  view: SessionView = emptySessionView();
  readonly tokens: QuestionToken[] = [];
  socket: CandidateSocket | null = null;
  private listeners = new Set<() => void>();

  private constructor(
    readonly baseUrl: string,
    readonly clientSessionId: string,
    readonly candidateToken: string,
    readonly created: CreateSessionResponse,
  ) {}

  /** `openingSlug`: start from a candidate link (the opening sets the role). */
  static async create(
    baseUrl: string,
    opts: { role?: string; mode?: 'text' | 'voice'; clientSessionId?: string; openingSlug?: string } = {},
  ): Promise<TestCandidate> {
    const clientSessionId = opts.clientSessionId ?? randomUUID();
    const target = opts.openingSlug ? { openingSlug: opts.openingSlug } : { role: opts.role ?? 'backend-engineer' };
    const res = await fetch(`${baseUrl}/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientSessionId, mode: opts.mode ?? 'text', ...target, candidateName: 'Test Candidate' }),
    });
    if (res.status !== 201 && res.status !== 200) throw new Error(`create session: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as CreateSessionResponse;
    return new TestCandidate(baseUrl, clientSessionId, body.candidateToken, body);
  }

  /** Connects (a fresh view each time, as a reloaded page would) and waits for the snapshot. */
  async connect(opts: { reconnection?: boolean } = {}): Promise<void> {
    this.view = emptySessionView();
    const socket: CandidateSocket = io(`${this.baseUrl}/interview`, {
      auth: { clientSessionId: this.clientSessionId, candidateToken: this.candidateToken },
      transports: ['websocket'],
      reconnection: opts.reconnection ?? false,
      forceNew: true,
    });
    this.socket = socket;
    socket.on('session:state', (snapshot) => this.apply({ type: 'session:state', payload: snapshot }));
    const untyped = socket as unknown as { on(event: string, listener: (payload: unknown) => void): void };
    for (const name of SESSION_EVENT_NAMES) {
      untyped.on(name, (payload) => {
        if (name === 'question:token') this.tokens.push(payload as QuestionToken);
        this.apply({ type: name, payload } as SessionEvent);
      });
    }
    // A reconnect starts from a new snapshot, like a reloaded page.
    socket.io.on('reconnect_attempt', () => {
      this.view = emptySessionView();
    });
    await this.until((v) => v.ready, 10_000, 'snapshot');
  }

  disconnect(): void {
    this.socket?.disconnect();
    this.socket = null;
  }

  emit<E extends keyof InterviewClientToServer>(event: E, payload: Parameters<InterviewClientToServer[E]>[0]): Promise<unknown> {
    const socket = this.socket;
    if (!socket) throw new Error('not connected');
    return new Promise((resolve) => {
      (socket.emit as (e: string, p: unknown, ack: (r: unknown) => void) => void)(event, payload, resolve);
    });
  }

  start(): Promise<unknown> {
    return this.emit('interview:start', {});
  }

  answer(text: string, messageId: string = `m_${randomUUID()}`): Promise<unknown> {
    return this.emit('answer:submit', { messageId, text });
  }

  /** Resolves when `predicate(view)` holds (checked on every event). */
  until(predicate: (view: SessionView) => boolean, timeoutMs = 10_000, what = 'condition'): Promise<SessionView> {
    if (predicate(this.view)) return Promise.resolve(this.view);
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!predicate(this.view)) return;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve(this.view);
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`timed out waiting for ${what}; view: ${JSON.stringify({ ...this.view, messages: this.view.messages.length })}`));
      }, timeoutMs);
      this.listeners.add(check);
    });
  }

  /**
   * After an answer: waits until the answer is in the view and the question after it is
   * complete (or the interview is no longer active). Checking only that "the turn moved"
   * races a fast server, whose whole next question can arrive in the ack's TCP read.
   */
  nextQuestion(messageId: string, timeoutMs = 10_000): Promise<SessionView> {
    return this.until(
      (v) => {
        if (v.status !== 'active') return true;
        const at = v.messages.findIndex((m) => m.id === messageId);
        return at >= 0 && v.messages.slice(at + 1).some((m) => m.role === 'interviewer') && v.turn === 'awaiting_answer' && v.streaming === null;
      },
      timeoutMs,
      'the question after the answer',
    );
  }

  /** Waits until a question is complete and the turn is the candidate's. */
  awaitingAnswer(timeoutMs = 10_000): Promise<SessionView> {
    return this.until((v) => v.turn === 'awaiting_answer' && v.streaming === null && v.status === 'active', timeoutMs, 'a question');
  }

  async rest(method: string, path: string, body?: unknown, token: string | null = this.candidateToken): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
  }

  private apply(event: SessionEvent): void {
    this.view = reduceSessionView(this.view, event);
    for (const listener of [...this.listeners]) listener();
  }
}

export function isAckError(ack: unknown): ack is AckError {
  return typeof ack === 'object' && ack !== null && (ack as { ok?: unknown }).ok === false;
}
