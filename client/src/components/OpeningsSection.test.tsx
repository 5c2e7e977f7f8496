// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OpeningView } from '../../../shared/opening.js';
import type { StatsResponse } from '../../../shared/stats.js';
import { OpeningsSection } from './OpeningsSection.js';

const opening = (overrides: Partial<OpeningView> = {}): OpeningView => ({
  id: 'aaaaaaaaaaaaaaaaaaaaaaaa',
  title: 'Payments backend',
  role: 'backend-engineer',
  jobDescription: '',
  length: { minQuestions: 12, maxQuestions: 15 },
  allowedModes: ['text', 'voice'],
  persona: 'warm',
  mustAsk: [],
  slug: 'abcdefghijklmnopqrstuv',
  link: '/o/abcdefghijklmnopqrstuv',
  version: 1,
  archivedAt: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...overrides,
});
const stats: StatsResponse = {
  filter: { openingId: null, from: null, to: null },
  total: 3,
  byStatus: { created: 0, active: 1, paused: 0, ended_pending_webhook: 0, completed: 2, abandoned: 0, orphaned: 0 },
  byMode: { text: 2, voice: 1 },
  completionRate: 0.6667,
  medianDurationSecs: 754,
  durationSamples: 2,
  scoreDistribution: Array.from({ length: 10 }, (_, i) => ({ from: i, to: i + 1, count: i === 7 ? 2 : 0 })),
  scoredSessions: 2,
  voice: { sessions: 1, byLinkedBy: { conversation_id: 1, dynamic_variable: 0, time_window: 0, fallback: 0, merge: 0 }, orphans: 0, pending: 0, ambiguous: 0, missing: 0 },
  computedAt: '2026-01-01T00:00:00.000Z',
  tookMs: 12,
};

type Call = { method: string; url: string; body: unknown };
let calls: Call[];
let route: (c: Call) => Response | undefined;
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

beforeEach(() => {
  calls = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit = {}) => {
      const call = { method: init.method ?? 'GET', url, body: init.body ? JSON.parse(String(init.body)) : undefined };
      calls.push(call);
      const res = route(call);
      if (res) return res;
      if (url === '/api/roles') return json([{ id: 'backend-engineer', title: 'Backend Engineer', description: '' }]);
      if (url === '/api/personas') return json([{ id: 'neutral', name: 'Neutral', description: 'Structured.' }, { id: 'warm', name: 'Warm', description: 'Friendly.' }]);
      if (url.startsWith('/api/stats')) return json(stats);
      if (url.startsWith('/api/openings?')) return json({ items: [opening()], nextCursor: null });
      return json({ error: { code: 'NOT_FOUND', message: `no route ${url}` } }, 404);
    }),
  );
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('OpeningsSection', () => {
  it('lists openings with their share link, and overall stats with charts', async () => {
    route = () => undefined;
    render(<OpeningsSection token="tok" onOpenSession={() => undefined} />);
    const card = await screen.findByTestId('opening');
    expect((within(card).getByTestId('share-link') as HTMLInputElement).value).toBe(`${location.origin}/o/abcdefghijklmnopqrstuv`);
    await waitFor(() => expect(screen.getByTestId('stats-total').textContent).toBe('3'));
    expect(screen.getByText('67 %')).toBeTruthy();
    expect(screen.getByText('12 min 34 s')).toBeTruthy();
    expect(screen.getByTestId('chart-status').querySelector('svg')?.getAttribute('aria-label')).toContain('Completed 2');
  });

  it('creates an opening, showing the server’s field errors next to the fields', async () => {
    let attempt = 0;
    route = (c) => {
      if (c.method !== 'POST' || c.url !== '/api/openings') return undefined;
      attempt += 1;
      return attempt === 1
        ? json({ error: { code: 'VALIDATION', message: 'invalid opening', details: [{ path: 'mustAsk.0', message: 'Too long' }] } }, 400)
        : json(opening({ id: 'bbbbbbbbbbbbbbbbbbbbbbbb', title: 'Data platform', slug: 'zyxwvutsrqponmlkjihgfe', link: '/o/zyxwvutsrqponmlkjihgfe' }), 201);
    };
    render(<OpeningsSection token="tok" onOpenSession={() => undefined} />);
    fireEvent.click(await screen.findByRole('button', { name: 'New opening' }));
    const form = screen.getByTestId('opening-form');
    await waitFor(() => expect((within(form).getByLabelText('Role') as HTMLSelectElement).value).toBe('backend-engineer'));
    fireEvent.change(within(form).getByLabelText('Title'), { target: { value: 'Data platform' } });
    fireEvent.change(within(form).getByLabelText(/Must-ask/), { target: { value: 'A question?' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Create opening' }));
    expect((await within(form).findByText('line 1: Too long')).id).toMatch(/mustAsk-err$/);
    expect(within(form).getByLabelText(/Must-ask/).getAttribute('aria-invalid')).toBe('true');

    fireEvent.click(within(form).getByRole('button', { name: 'Create opening' }));
    await waitFor(() => expect(screen.getAllByTestId('opening').map((c) => c.querySelector('h3')?.textContent)).toEqual(['Data platform', 'Payments backend']));
    expect(calls.filter((c) => c.method === 'POST')[1]!.body).toMatchObject({ title: 'Data platform', role: 'backend-engineer', mustAsk: ['A question?'], allowedModes: ['text', 'voice'] });
  });

  it('rotates and archives only after a confirmation, and shows a refusal plainly', async () => {
    route = (c) => {
      if (c.url.endsWith('/rotate-slug')) return json(opening({ slug: 'newnewnewnewnewnewnewn', link: '/o/newnewnewnewnewnewnewn', version: 2 }));
      if (c.url.endsWith('/archive')) return json({ error: { code: 'STATE_CONFLICT', message: 'The opening changed meanwhile' } }, 409);
      return undefined;
    };
    render(<OpeningsSection token="tok" onOpenSession={() => undefined} />);
    const card = await screen.findByTestId('opening');
    fireEvent.click(within(card).getByRole('button', { name: 'Rotate link' }));
    expect(calls.some((c) => c.url.endsWith('/rotate-slug'))).toBe(false);
    fireEvent.click(within(card).getByRole('button', { name: 'Yes, rotate the link' }));
    await waitFor(() => expect((within(card).getByTestId('share-link') as HTMLInputElement).value).toContain('/o/newnewnewnewnewnewnewn'));

    fireEvent.click(within(card).getByRole('button', { name: 'Archive' }));
    fireEvent.click(within(card).getByRole('button', { name: 'Yes, archive' }));
    expect((await within(card).findByText('The opening changed meanwhile')).getAttribute('role')).toBe('alert');
  });

  it('lists an opening’s interviews and opens one', async () => {
    const onOpen = vi.fn();
    route = (c) =>
      c.url.startsWith('/api/sessions?openingId=aaaaaaaaaaaaaaaaaaaaaaaa')
        ? json({
            items: [
              {
                sessionId: 'cccccccccccccccccccccccc',
                clientSessionId: '11111111-1111-4111-8111-111111111111',
                candidateName: 'Ada',
                role: 'backend-engineer',
                mode: 'text',
                status: 'active',
                questionNumber: 1,
                phase: 'warmup',
                lastActivityAt: '2026-01-01T00:00:00.000Z',
                createdAt: '2026-01-01T00:00:00.000Z',
                linkState: 'none',
                linkedBy: null,
                evaluationStatus: null,
                openingId: 'aaaaaaaaaaaaaaaaaaaaaaaa',
                deleteAfter: null,
              },
            ],
            nextCursor: null,
          })
        : undefined;
    render(<OpeningsSection token="tok" onOpenSession={onOpen} />);
    const card = await screen.findByTestId('opening');
    fireEvent.click(within(card).getByRole('button', { name: 'Interviews and stats' }));
    fireEvent.click(await within(card).findByRole('button', { name: 'Ada' }));
    expect(onOpen).toHaveBeenCalledWith(expect.objectContaining({ sessionId: 'cccccccccccccccccccccccc' }));
    expect(calls.some((c) => c.url === '/api/stats?openingId=aaaaaaaaaaaaaaaaaaaaaaaa')).toBe(true);
  });

  it('edits with the loaded version; a 409 reloads, says what changed, keeps the values, and the next save uses the new version', async () => {
    let patches = 0;
    route = (c) => {
      if (c.method === 'PATCH') {
        patches += 1;
        return patches === 1
          ? json({ error: { code: 'STATE_CONFLICT', message: 'changed', details: [{ path: 'version', message: 'current version is 3' }] } }, 409)
          : json(opening({ title: 'Payments backend (senior)', persona: 'probing', version: 4 }));
      }
      if (c.method === 'GET' && c.url === '/api/openings/aaaaaaaaaaaaaaaaaaaaaaaa') return json(opening({ persona: 'probing', version: 3 }));
      return undefined;
    };
    render(<OpeningsSection token="tok" onOpenSession={() => undefined} />);
    const card = await screen.findByTestId('opening');
    fireEvent.click(within(card).getByRole('button', { name: 'Edit' }));
    const form = within(card).getByTestId('opening-form');
    expect((within(form).getByLabelText('Title') as HTMLInputElement).value).toBe('Payments backend');
    fireEvent.change(within(form).getByLabelText('Title'), { target: { value: 'Payments backend (senior)' } });
    fireEvent.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect((await within(form).findByTestId('edit-conflict')).textContent).toContain('changed meanwhile (now version 3: persona)');
    expect((within(form).getByLabelText('Title') as HTMLInputElement).value).toBe('Payments backend (senior)');

    fireEvent.click(within(form).getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(within(card).queryByTestId('opening-form')).toBeNull());
    expect(card.querySelector('h3')?.textContent).toBe('Payments backend (senior)');
    expect(calls.filter((c) => c.method === 'PATCH').map((c) => (c.body as { version: number; title: string }).version)).toEqual([1, 3]);
    expect(calls.filter((c) => c.method === 'PATCH')[1]!.body).toMatchObject({ title: 'Payments backend (senior)', persona: 'warm' });
  });
});
