import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, expect, vi } from 'vitest';
import type { SessionSummary } from '../../../shared/monitor.js';
import type { WireNote } from '../../../shared/notes.js';
import type { WireNudge, WireTakeover } from '../../../shared/nudges.js';
import type { MeResponse } from '../../../shared/recruiters.js';
import type { MonitorSocket } from '../lib/sockets.js';
import { RecruiterPage } from '../pages/RecruiterPage.js';
import { FakeSocket, answer, question, snapshot } from './fakeSocket.js';

export const SESSION = '0123456789abcdef01234567';

/** The one session the dashboard lists. */
export const summary: SessionSummary = {
  sessionId: SESSION,
  clientSessionId: '11111111-1111-4111-8111-111111111111',
  candidateName: 'Ada Candidate',
  role: 'backend-engineer',
  mode: 'text',
  status: 'active',
  questionNumber: 1,
  phase: 'warmup',
  lastActivityAt: new Date().toISOString(),
  createdAt: '2026-01-01T00:00:00.000Z',
  linkState: 'none',
  linkedBy: null,
  evaluationStatus: null,
  deleteAfter: null,
};

/** Who the token is, unless a test says otherwise. */
export const ME: MeResponse = { id: 'aaaaaaaaaaaaaaaaaaaaaaaa', name: 'Grace Hopper', role: 'recruiter' };

export function note(overrides: Partial<WireNote> = {}): WireNote {
  return {
    id: 'n-1',
    sessionId: SESSION,
    messageId: null,
    text: 'Calm and structured.',
    rating: null,
    author: { id: ME.id, name: ME.name },
    createdAt: '2026-01-01T00:00:10.000Z',
    updatedAt: '2026-01-01T00:00:10.000Z',
    ...overrides,
  };
}

/**
 * The recruiter dashboard over fake sockets: every socket the page opens is
 * recorded in order (the live list first, then the watched session), and
 * `fetch` answers GET /api/recruiters/me with `me`. Create one per test file
 * with `recruiterPageHarness()`; it starts fresh before every test.
 */
export class RecruiterPageHarness {
  /** The sockets the page opened, oldest first. */
  sockets: FakeSocket[] = [];
  /** What /api/recruiters/me answers: this recruiter, or an error with this status. */
  me: MeResponse | { status: number } = ME;

  /** The page's `connect`: a new fake socket each time. */
  readonly connect = (): MonitorSocket => {
    const s = new FakeSocket();
    this.sockets.push(s);
    return s.asMonitorSocket();
  };

  /** Unmounts the page and forgets the tab's token and sockets; `me` answers from now on. */
  reset(me: MeResponse | { status: number } = ME): void {
    cleanup();
    sessionStorage.clear();
    this.sockets = [];
    this.me = me;
  }

  render(): void {
    render(<RecruiterPage connect={this.connect} />);
  }

  /** Signs in with `token`; the live list connects and lists `summary`. Returns the list's socket. */
  async signIn(token = 'cr_token'): Promise<FakeSocket> {
    this.render();
    fireEvent.change(screen.getByLabelText('Recruiter token'), { target: { value: token } });
    fireEvent.click(screen.getByRole('button', { name: 'Open dashboard' }));
    const list = this.sockets[0]!;
    act(() => list.serverConnect());
    await waitFor(() => expect(list.sentOf('sessions:subscribe')).toHaveLength(1));
    await act(async () => list.sentOf('sessions:subscribe')[0]!.resolve({ ok: true, sessions: [summary] }));
    return list;
  }

  /** Opens the listed session: one question and its answer, with these notes (and steering state). Returns the watch socket. */
  async watch(notes: WireNote[], extra: { nudges?: WireNudge[]; takeover?: WireTakeover } = {}): Promise<FakeSocket> {
    fireEvent.click(screen.getByRole('button', { name: 'Ada Candidate' }));
    const w = this.sockets[1]!;
    act(() => w.serverConnect());
    await waitFor(() => expect(w.sentOf('session:watch')).toHaveLength(1));
    await act(async () =>
      w.sentOf('session:watch')[0]!.resolve({
        ok: true,
        snapshot: snapshot({ messages: [question('q1', 'How do you shard a queue?'), answer('a1', 'By tenant, with idempotent consumers.', 'q1')], turn: { state: 'awaiting_answer', questionId: 'q1' } }),
        notes,
        ...extra,
      }),
    );
    return w;
  }

  private answerFetch = async (url: string): Promise<Response> => {
    const me = this.me;
    if (url === '/api/recruiters/me') {
      if ('status' in me) return new Response(JSON.stringify({ error: { code: 'UNAUTHORIZED', message: 'This recruiter token was revoked' } }), { status: me.status });
      return new Response(JSON.stringify(me), { status: 200 });
    }
    if (url === '/api/recruiters') return new Response(JSON.stringify({ items: [] }), { status: 200 });
    return new Response(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no' } }), { status: 404 });
  };

  /** Before every test: a fresh page state and `fetch` stubbed; after it: unmounted, globals restored. */
  installHooks(): this {
    beforeEach(() => {
      this.reset();
      vi.stubGlobal('fetch', vi.fn(this.answerFetch));
    });
    afterEach(() => {
      cleanup();
      vi.unstubAllGlobals();
    });
    return this;
  }
}

/** Call once at module level. */
export function recruiterPageHarness(): RecruiterPageHarness {
  return new RecruiterPageHarness().installHooks();
}
