// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionSummary } from '../../../shared/monitor.js';
import { FakeSocket, answer, question, snapshot } from '../test/fakeSocket.js';
import { RecruiterPage } from './RecruiterPage.js';

const summary = (overrides: Partial<SessionSummary> = {}): SessionSummary => ({
  sessionId: '0123456789abcdef01234567',
  clientSessionId: '11111111-1111-4111-8111-111111111111',
  candidateName: 'Ada Lovelace',
  role: 'backend-engineer',
  mode: 'text',
  status: 'active',
  questionNumber: 2,
  phase: 'warmup',
  lastActivityAt: new Date().toISOString(),
  createdAt: '2026-01-01T00:00:00.000Z',
  linkState: 'none',
  linkedBy: null,
  deleteAfter: null,
  evaluationStatus: null,
  ...overrides,
});

let sockets: FakeSocket[];
let tokens: string[];
const connect = (token: string) => {
  tokens.push(token);
  const s = new FakeSocket();
  sockets.push(s);
  return s.asMonitorSocket();
};

beforeEach(() => {
  sessionStorage.clear();
  sockets = [];
  tokens = [];
  // Who the token is (the dashboard asks once); everything else here goes over the fake sockets.
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string) =>
      url === '/api/recruiters/me'
        ? new Response(JSON.stringify({ id: 'bootstrap', name: 'admin', role: 'admin' }), { status: 200 })
        : new Response(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'not stubbed' } }), { status: 404 }),
    ),
  );
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

async function signIn(): Promise<FakeSocket> {
  render(<RecruiterPage connect={connect} />);
  fireEvent.change(screen.getByLabelText('Recruiter token'), { target: { value: 'recruiter-token-123' } });
  fireEvent.click(screen.getByRole('button', { name: 'Open dashboard' }));
  const list = sockets[0]!;
  act(() => list.serverConnect());
  await waitFor(() => expect(list.sentOf('sessions:subscribe')).toHaveLength(1));
  return list;
}

describe('RecruiterPage', () => {
  it('keeps the token for the tab, lists sessions live and filters by status', async () => {
    const list = await signIn();
    expect(tokens).toEqual(['recruiter-token-123']);
    expect(sessionStorage.getItem('candor:recruiterToken')).toBe('recruiter-token-123');
    await act(async () => list.sentOf('sessions:subscribe')[0]!.resolve({ ok: true, sessions: [summary()] }));
    expect(screen.getAllByTestId('session-row')).toHaveLength(1);
    expect(screen.getByTestId('session-row').textContent).toContain('Q2');

    act(() => list.fire('sessions:upsert', { summary: summary({ sessionId: 'aaaaaaaaaaaaaaaaaaaaaaaa', candidateName: 'Grace', status: 'completed', createdAt: '2026-01-02T00:00:00.000Z' }) }));
    expect(screen.getAllByTestId('session-row').map((r) => r.textContent)).toEqual([expect.stringContaining('Grace'), expect.stringContaining('Ada')]);

    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'completed' } });
    await waitFor(() => expect(list.sentOf('sessions:subscribe')).toHaveLength(2));
    expect(list.sentOf('sessions:subscribe')[1]!.payload).toEqual({ status: 'completed' });
    await act(async () => list.sentOf('sessions:subscribe')[1]!.resolve({ ok: true, sessions: [summary({ sessionId: 'aaaaaaaaaaaaaaaaaaaaaaaa', candidateName: 'Grace', status: 'completed' })] }));
    // An upsert outside the filter does not show.
    act(() => list.fire('sessions:upsert', { summary: summary({ candidateName: 'Ada', status: 'active' }) }));
    expect(screen.getAllByTestId('session-row')).toHaveLength(1);
  });

  it('joins mid-question: tokens that arrive before the watch ack are buffered and applied after its snapshot, without gaps or duplicates', async () => {
    const list = await signIn();
    await act(async () => list.sentOf('sessions:subscribe')[0]!.resolve({ ok: true, sessions: [summary()] }));
    fireEvent.click(screen.getByRole('button', { name: 'Ada Lovelace' }));
    const watch = sockets[1]!;
    act(() => watch.serverConnect());
    await waitFor(() => expect(watch.sentOf('session:watch')).toHaveLength(1));
    expect(watch.sentOf('session:watch')[0]!.payload).toEqual({ sessionId: '0123456789abcdef01234567' });

    // Tokens 2 and 3 reach the room before the ack; 2 is also in the snapshot.
    act(() => watch.fire('question:token', { questionId: 'q2', index: 2, text: ' about' }));
    act(() => watch.fire('question:token', { questionId: 'q2', index: 3, text: ' caching?' }));
    expect(screen.getByText('Loading the transcript…')).toBeTruthy();
    await act(async () =>
      watch.sentOf('session:watch')[0]!.resolve({
        ok: true,
        snapshot: snapshot({
          messages: [question('q1', 'Hello?'), answer('a1', 'Hi.', 'q1')],
          turn: { state: 'generating' },
          inflight: { questionId: 'q2', phase: 'warmup', number: 2, text: 'Tell me about', lastIndex: 2 },
        }),
      }),
    );
    expect(screen.getByTestId('streaming-question').textContent).toBe('Tell me about caching?');
    act(() => watch.fire('question:token', { questionId: 'q2', index: 4, text: ' Why' }));
    act(() => watch.fire('question:end', { questionId: 'q2', text: 'Tell me about caching? Why' }));
    expect(screen.getAllByTestId('question').map((q) => q.querySelector('.text')?.textContent)).toEqual(['Hello?', 'Tell me about caching? Why']);
    expect(screen.getByTestId('answer').textContent).toContain('Ada Lovelace');
  });

  it('shows focus signals on the watched timeline: the stored ones from the watch ack, then live focus:signal events', async () => {
    const list = await signIn();
    await act(async () => list.sentOf('sessions:subscribe')[0]!.resolve({ ok: true, sessions: [summary()] }));
    fireEvent.click(screen.getByRole('button', { name: 'Ada Lovelace' }));
    const watch = sockets[1]!;
    act(() => watch.serverConnect());
    await waitFor(() => expect(watch.sentOf('session:watch')).toHaveLength(1));
    // A live signal that also is in the ack's stored list shows once.
    act(() => watch.fire('focus:signal', { kind: 'focus', state: 'visible', at: '2026-01-01T00:00:03.000Z' }));
    await act(async () =>
      watch.sentOf('session:watch')[0]!.resolve({
        ok: true,
        snapshot: snapshot({ messages: [question('q1', 'Hello?', '2026-01-01T00:00:00.000Z'), answer('a1', 'Hi.', 'q1', '2026-01-01T00:00:05.000Z')], turn: { state: 'generating' } }),
        focus: [
          { kind: 'focus', state: 'hidden', at: '2026-01-01T00:00:02.000Z' },
          { kind: 'focus', state: 'visible', at: '2026-01-01T00:00:03.000Z' },
        ],
      }),
    );
    act(() => watch.fire('focus:signal', { kind: 'paste', length: 120, at: '2026-01-01T00:00:06.000Z' }));
    const items = [...document.querySelectorAll('.messages > li')].map((li) => (li as HTMLElement).dataset.testid);
    expect(items).toEqual(['question', 'focus-signal', 'focus-signal', 'answer', 'focus-signal']);
    expect(screen.getAllByTestId('focus-signal').map((li) => li.textContent)).toEqual([
      expect.stringContaining('Left the interview page'),
      expect.stringContaining('Came back'),
      expect.stringContaining('Pasted 120 characters'),
    ]);
    expect(screen.getByTestId('focus-summary').textContent).toBe('Focus: left the page 1 time · 1 paste (120 characters)');
  });

  it('a refused token brings the prompt back with the reason', async () => {
    render(<RecruiterPage connect={connect} />);
    fireEvent.change(screen.getByLabelText('Recruiter token'), { target: { value: 'wrong' } });
    fireEvent.click(screen.getByRole('button', { name: 'Open dashboard' }));
    act(() => sockets[0]!.fire('connect_error', Object.assign(new Error('bad'), { data: { code: 'UNAUTHORIZED', message: 'The recruiter token is not valid' } })));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('The recruiter token is not valid'));
    expect(sessionStorage.getItem('candor:recruiterToken')).toBeNull();
  });
});
