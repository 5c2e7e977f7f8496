// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionSummary } from '../../../shared/monitor.js';
import type { WireNote } from '../../../shared/notes.js';
import type { WireNudge, WireTakeover } from '../../../shared/nudges.js';
import type { MeResponse } from '../../../shared/recruiters.js';
import { FakeSocket, answer, question, snapshot } from '../test/fakeSocket.js';
import { RecruiterPage } from './RecruiterPage.js';

const SESSION = '0123456789abcdef01234567';
const summary: SessionSummary = {
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
const ME: MeResponse = { id: 'aaaaaaaaaaaaaaaaaaaaaaaa', name: 'Grace Hopper', role: 'recruiter' };
const note = (overrides: Partial<WireNote> = {}): WireNote => ({
  id: 'n-1',
  sessionId: SESSION,
  messageId: null,
  text: 'Calm and structured.',
  rating: null,
  author: { id: ME.id, name: ME.name },
  createdAt: '2026-01-01T00:00:10.000Z',
  updatedAt: '2026-01-01T00:00:10.000Z',
  ...overrides,
});

let sockets: FakeSocket[];
let me: MeResponse | { status: number };
const connect = () => {
  const s = new FakeSocket();
  sockets.push(s);
  return s.asMonitorSocket();
};

beforeEach(() => {
  sessionStorage.clear();
  sockets = [];
  me = ME;
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string) => {
      if (url === '/api/recruiters/me') {
        if ('status' in me) return new Response(JSON.stringify({ error: { code: 'UNAUTHORIZED', message: 'This recruiter token was revoked' } }), { status: me.status });
        return new Response(JSON.stringify(me), { status: 200 });
      }
      if (url === '/api/recruiters') return new Response(JSON.stringify({ items: [] }), { status: 200 });
      return new Response(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no' } }), { status: 404 });
    }),
  );
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

async function signIn(token = 'cr_token'): Promise<FakeSocket> {
  render(<RecruiterPage connect={connect} />);
  fireEvent.change(screen.getByLabelText('Recruiter token'), { target: { value: token } });
  fireEvent.click(screen.getByRole('button', { name: 'Open dashboard' }));
  const list = sockets[0]!;
  act(() => list.serverConnect());
  await waitFor(() => expect(list.sentOf('sessions:subscribe')).toHaveLength(1));
  await act(async () => list.sentOf('sessions:subscribe')[0]!.resolve({ ok: true, sessions: [summary] }));
  return list;
}

async function watch(notes: WireNote[], extra: { nudges?: WireNudge[]; takeover?: WireTakeover } = {}): Promise<FakeSocket> {
  fireEvent.click(screen.getByRole('button', { name: 'Ada Candidate' }));
  const w = sockets[1]!;
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

const nudge = (overrides: Partial<WireNudge> = {}): WireNudge => ({
  id: 'nudge-1',
  sessionId: SESSION,
  kind: 'follow_up',
  text: 'How did you test the retries?',
  state: 'pending',
  author: { id: ME.id, name: ME.name },
  questionId: null,
  questionNumber: null,
  withdrawnBy: null,
  createdAt: '2026-01-01T00:00:20.000Z',
  updatedAt: '2026-01-01T00:00:20.000Z',
  ...overrides,
});

describe('RecruiterPage: steering the watched interview', () => {
  it('suggests a follow-up over the watch socket, lists it with its author, shows it used as Q2, and withdraws a pending one', async () => {
    await signIn();
    await screen.findByTestId('signed-in-as');
    const w = await watch([], { nudges: [nudge({ id: 'old', kind: 'topic', text: 'caching', author: { id: 'bootstrap', name: 'admin' } })], takeover: { sessionId: SESSION, by: null, at: null } });
    const panel = screen.getByTestId('steering-panel');
    expect(within(panel).getByTestId('nudge').textContent).toContain('Topic · pending · by admin');

    fireEvent.change(within(panel).getByLabelText('Suggest'), { target: { value: 'follow_up' } });
    fireEvent.change(within(panel).getByLabelText('Question'), { target: { value: 'How did you test the retries?' } });
    fireEvent.click(within(panel).getByRole('button', { name: 'Suggest' }));
    await waitFor(() => expect(w.sentOf('session:nudge')).toHaveLength(1));
    const sent = w.sentOf('session:nudge')[0]!;
    expect(sent.payload).toEqual({ sessionId: SESSION, nudgeId: expect.any(String), kind: 'follow_up', text: 'How did you test the retries?' });
    const nudgeId = (sent.payload as { nudgeId: string }).nudgeId;
    await act(async () => sent.resolve({ ok: true, created: true, nudge: nudge({ id: nudgeId }) }));
    expect(within(panel).getAllByTestId('nudge')).toHaveLength(2);
    expect(within(panel).getByLabelText('Question')).toHaveProperty('value', '');

    // Used by question 2 (nudge:updated from whichever node generated it).
    act(() => w.fire('nudge:updated', nudge({ id: nudgeId, state: 'used', questionId: 'q2', questionNumber: 2, updatedAt: '2026-01-01T00:00:30.000Z' })));
    const used = within(panel).getAllByTestId('nudge').find((n) => n.getAttribute('data-nudge-id') === nudgeId)!;
    expect(used.getAttribute('data-state')).toBe('used');
    expect(within(used).getByTestId('nudge-question').textContent).toContain('asked as Q2');
    expect(within(used).queryByRole('button', { name: 'Withdraw' })).toBeNull();

    const old = within(panel).getAllByTestId('nudge').find((n) => n.getAttribute('data-nudge-id') === 'old')!;
    fireEvent.click(within(old).getByRole('button', { name: 'Withdraw' }));
    await waitFor(() => expect(w.sentOf('session:nudge:withdraw')).toHaveLength(1));
    expect(w.sentOf('session:nudge:withdraw')[0]!.payload).toEqual({ sessionId: SESSION, nudgeId: 'old' });
    await act(async () =>
      w.sentOf('session:nudge:withdraw')[0]!.resolve({ ok: true, nudge: nudge({ id: 'old', kind: 'topic', text: 'caching', state: 'withdrawn', withdrawnBy: { id: ME.id, name: ME.name }, updatedAt: '2026-01-01T00:00:40.000Z' }) }),
    );
    expect(old.getAttribute('data-state')).toBe('withdrawn');
    expect(old.textContent).toContain('withdrawn by Grace Hopper');
  });

  it('takes over, asks its own question, hands back; someone else’s take-over is shown by name', async () => {
    await signIn();
    await screen.findByTestId('signed-in-as');
    const w = await watch([], { nudges: [], takeover: { sessionId: SESSION, by: null, at: null } });
    const panel = screen.getByTestId('steering-panel');
    fireEvent.click(within(panel).getByRole('button', { name: 'Take over' }));
    await waitFor(() => expect(w.sentOf('session:takeover')).toHaveLength(1));
    expect(w.sentOf('session:takeover')[0]!.payload).toEqual({ sessionId: SESSION });
    await act(async () => w.sentOf('session:takeover')[0]!.resolve({ ok: true, takeover: { sessionId: SESSION, by: { id: ME.id, name: ME.name }, at: '2026-01-01T00:01:00.000Z' } }));

    fireEvent.change(within(panel).getByLabelText('Your question'), { target: { value: 'What would you page on?' } });
    fireEvent.click(within(panel).getByRole('button', { name: 'Ask' }));
    await waitFor(() => expect(w.sentOf('session:takeover:ask')).toHaveLength(1));
    expect(w.sentOf('session:takeover:ask')[0]!.payload).toEqual({ sessionId: SESSION, text: 'What would you page on?' });
    await act(async () => w.sentOf('session:takeover:ask')[0]!.resolve({ ok: false, error: { code: 'STATE_CONFLICT', message: 'The candidate has not answered the current question yet' } }));
    expect(within(panel).getByRole('alert').textContent).toBe('The candidate has not answered the current question yet');

    fireEvent.click(within(panel).getByRole('button', { name: 'Hand back to the AI' }));
    await waitFor(() => expect(w.sentOf('session:handback')).toHaveLength(1));
    await act(async () => w.sentOf('session:handback')[0]!.resolve({ ok: true, takeover: { sessionId: SESSION, by: null, at: null } }));
    expect(within(panel).getByRole('button', { name: 'Take over' })).toBeTruthy();

    act(() => w.fire('takeover:updated', { sessionId: SESSION, by: { id: 'bbbbbbbbbbbbbbbbbbbbbbbb', name: 'Bob Builder' }, at: '2026-01-01T00:02:00.000Z' }));
    expect(within(panel).getByTestId('takeover-held').textContent).toBe('Bob Builder has taken over.');
    expect(within(panel).queryByRole('button', { name: 'Take over' })).toBeNull();
  });
});
