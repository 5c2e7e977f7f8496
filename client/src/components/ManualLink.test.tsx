// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionSummary } from '../../../shared/monitor.js';
import { RecruiterPage } from '../pages/RecruiterPage.js';
import { FakeSocket } from '../test/fakeSocket.js';

const ORPHAN = 'aaaaaaaaaaaaaaaaaaaaaaaa';
const BOB = 'bbbbbbbbbbbbbbbbbbbbbbbb';
const CAROL = 'cccccccccccccccccccccccc';
const BOB_CSID = '22222222-2222-4222-8222-222222222222';
const CAROL_CSID = '33333333-3333-4333-8333-333333333333';
const CID = 'conv_0123456789abcdef';

const summary = (overrides: Partial<SessionSummary> = {}): SessionSummary => ({
  sessionId: BOB,
  clientSessionId: BOB_CSID,
  candidateName: 'Bob',
  role: 'backend-engineer',
  mode: 'voice',
  status: 'ended_pending_webhook',
  questionNumber: 1,
  phase: 'warmup',
  lastActivityAt: new Date().toISOString(),
  createdAt: '2026-01-02T00:00:00.000Z',
  linkState: 'ambiguous',
  linkedBy: null,
  deleteAfter: null,
  evaluationStatus: null,
  ...overrides,
});
const orphan = summary({
  sessionId: ORPHAN,
  clientSessionId: '44444444-4444-4444-8444-444444444444',
  candidateName: null,
  status: 'orphaned',
  linkState: 'orphaned',
  createdAt: '2026-01-03T00:00:00.000Z',
});
const carol = summary({ sessionId: CAROL, clientSessionId: CAROL_CSID, candidateName: 'Carol', createdAt: '2025-12-01T00:00:00.000Z' });

type Call = { method: string; url: string; body: unknown; auth: string | null };
let calls: Call[];
let answers: Array<(call: Call) => Response | undefined>;
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

let sockets: FakeSocket[];
const connect = () => {
  const s = new FakeSocket();
  sockets.push(s);
  return s.asMonitorSocket();
};

beforeEach(() => {
  sessionStorage.clear();
  sessionStorage.setItem('candor:recruiterToken', 'recruiter-token-123');
  sockets = [];
  calls = [];
  answers = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      const call: Call = { method: init.method ?? 'GET', url, body: init.body ? JSON.parse(String(init.body)) : undefined, auth: headers.get('authorization') };
      calls.push(call);
      for (const answer of answers) {
        const res = answer(call);
        if (res) return res;
      }
      return json({ error: { code: 'NOT_FOUND', message: `no route ${url}` } }, 404);
    }),
  );
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

async function dashboard(sessions: SessionSummary[]): Promise<FakeSocket> {
  render(<RecruiterPage connect={connect} />);
  const list = sockets[0]!;
  act(() => list.serverConnect());
  await waitFor(() => expect(list.sentOf('sessions:subscribe')).toHaveLength(1));
  await act(async () => list.sentOf('sessions:subscribe')[0]!.resolve({ ok: true, sessions }));
  return list;
}

function orphanDetail() {
  answers.push((c) =>
    c.method === 'GET' && c.url === `/api/sessions/${ORPHAN}`
      ? json({ id: ORPHAN, clientSessionId: orphan.clientSessionId, status: 'orphaned', voice: { conversationId: CID, candidates: [BOB_CSID, CAROL_CSID] } })
      : undefined,
  );
  // Carol is not in the live list: she is found in the recruiter list.
  answers.push((c) => (c.method === 'GET' && c.url.startsWith('/api/sessions?mode=voice') ? json({ items: [carol], nextCursor: null }) : undefined));
}

describe('linking an orphaned call by hand', () => {
  it('an orphan row lists its candidates, resolved from the live list or the recruiter list, and links the chosen one', async () => {
    orphanDetail();
    answers.push((c) => (c.method === 'POST' && c.url === `/api/sessions/${BOB}/link` ? json({ ok: true, summary: summary({ status: 'completed', linkState: 'linked', linkedBy: 'merge' }) }) : undefined));
    const list = await dashboard([orphan, summary()]);

    fireEvent.click(screen.getByRole('button', { name: /Review and link the orphaned call/ }));
    const linker = await screen.findByTestId('orphan-linker');
    await waitFor(() => expect(within(linker).getAllByTestId('link-candidate')).toHaveLength(2));
    expect(within(linker).getByTestId('orphan-conversation-id').textContent).toBe(CID);
    expect(within(linker).getAllByTestId('link-candidate').map((li) => li.textContent)).toEqual([expect.stringContaining('Bob'), expect.stringContaining('Carol')]);
    expect(calls.filter((c) => c.url.startsWith('/api/sessions?')).length).toBe(1);
    expect(calls.every((c) => c.auth === 'Bearer recruiter-token-123')).toBe(true);

    fireEvent.click(within(linker).getByRole('button', { name: 'Link to Bob (22222222)' }));
    await waitFor(() => expect(screen.getByTestId('link-notice').textContent).toContain(`Conversation ${CID} linked to Bob (22222222).`));
    expect(calls.filter((c) => c.method === 'POST')).toEqual([{ method: 'POST', url: `/api/sessions/${BOB}/link`, body: { conversationId: CID }, auth: 'Bearer recruiter-token-123' }]);
    // The orphan is gone on the server without an upsert: the list is taken afresh.
    await waitFor(() => expect(list.sentOf('sessions:subscribe')).toHaveLength(2));
    await act(async () => list.sentOf('sessions:subscribe')[1]!.resolve({ ok: true, sessions: [summary({ status: 'completed', linkState: 'linked', linkedBy: 'merge' })] }));
    expect(screen.getAllByTestId('session-row')).toHaveLength(1);
    expect(screen.getByTestId('session-row').textContent).toContain('Linked (merge)');
    expect(screen.queryByTestId('orphan-linker')).toBeNull();
  });

  it('shows a refused link plainly and keeps the candidates', async () => {
    orphanDetail();
    answers.push((c) =>
      c.method === 'POST' ? json({ error: { code: 'STATE_CONFLICT', message: 'This interview already has a linked transcript' } }, 409) : undefined,
    );
    await dashboard([orphan, summary()]);
    fireEvent.click(screen.getByRole('button', { name: /Review and link the orphaned call/ }));
    const button = await screen.findByRole('button', { name: 'Link to Carol (33333333)' });
    fireEvent.click(button);
    expect((await screen.findByTestId('link-error')).textContent).toBe('Not linked: This interview already has a linked transcript.');
    expect(calls.find((c) => c.method === 'POST')?.url).toBe(`/api/sessions/${CAROL}/link`);
    expect(screen.getAllByTestId('link-candidate')).toHaveLength(2);
    expect(screen.queryByTestId('link-notice')).toBeNull();
  });

  it('says when the orphan cannot be loaded', async () => {
    await dashboard([orphan]);
    fireEvent.click(screen.getByRole('button', { name: /Review and link the orphaned call/ }));
    await waitFor(() => expect(within(screen.getByTestId('orphan-linker')).getByRole('alert').textContent).toContain('The orphaned call could not be loaded: Not found'));
  });
});

describe('linking a pasted conversation id to a pending voice session', () => {
  it('checks the id, shows the server refusal plainly, then links', async () => {
    let attempt = 0;
    answers.push((c) => {
      if (c.method !== 'POST') return undefined;
      attempt += 1;
      return attempt === 1
        ? json({ error: { code: 'NOT_FOUND', message: 'No orphaned conversation with this id' } }, 404)
        : json({ ok: true, summary: summary({ status: 'completed', linkState: 'linked', linkedBy: 'merge' }) });
    });
    await dashboard([summary({ linkState: 'pending' })]);
    fireEvent.click(screen.getByRole('button', { name: 'Bob' }));
    const form = await screen.findByTestId('link-form');
    const input = within(form).getByLabelText('Conversation id');

    fireEvent.click(within(form).getByRole('button', { name: 'Link' }));
    expect(within(form).getByRole('alert').textContent).toBe('Paste the conversation id (ElevenLabs, e.g. conv_…).');
    fireEvent.change(input, { target: { value: 'conv 12; drop' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Link' }));
    expect(within(form).getByRole('alert').textContent).toContain('That is not a conversation id');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);

    fireEvent.change(input, { target: { value: `  ${CID}  ` } });
    fireEvent.click(within(form).getByRole('button', { name: 'Link' }));
    expect((await within(form).findByRole('alert')).textContent).toBe('Not found: No orphaned conversation with this id.');
    expect(input).toHaveProperty('value', `  ${CID}  `);

    fireEvent.click(within(form).getByRole('button', { name: 'Link' }));
    await waitFor(() => expect(screen.getByTestId('link-notice').textContent).toContain(`Conversation ${CID} linked to Bob`));
    expect(calls.filter((c) => c.method === 'POST').map((c) => [c.url, c.body])).toEqual([
      [`/api/sessions/${BOB}/link`, { conversationId: CID }],
      [`/api/sessions/${BOB}/link`, { conversationId: CID }],
    ]);
  });

  it('is offered only on voice sessions still waiting for a transcript', async () => {
    await dashboard([summary({ linkState: 'linked', linkedBy: 'conversation_id', status: 'completed' }), summary({ sessionId: CAROL, candidateName: 'Carol', mode: 'text', linkState: 'none' })]);
    fireEvent.click(screen.getByRole('button', { name: 'Bob' }));
    await screen.findByTestId('watch-panel');
    expect(screen.queryByTestId('link-form')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Carol' }));
    await screen.findByTestId('watch-panel');
    expect(screen.queryByTestId('link-form')).toBeNull();
  });
});
