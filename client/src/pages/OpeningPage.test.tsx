// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Router } from 'wouter';
import { memoryLocation } from 'wouter/memory-location';
import type { PublicOpening } from '../../../shared/opening.js';
import { OpeningPage } from './OpeningPage.js';

const SLUG = 'abcdefghijklmnopqrstuv';
const opening: PublicOpening = {
  slug: SLUG,
  title: 'Payments backend',
  role: { id: 'backend-engineer', title: 'Backend Engineer' },
  persona: { id: 'warm', name: 'Warm', description: 'Friendly and encouraging.' },
  allowedModes: ['text', 'voice'],
  length: { minQuestions: 12, maxQuestions: 15 },
  focusNotice: 'Focus changes and paste sizes are recorded, never the text.',
};

let responses: Array<() => Response>;
let requests: Array<{ url: string; body: unknown }>;
const json = (body: unknown, status = 200) => () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

beforeEach(() => {
  localStorage.clear();
  responses = [];
  requests = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit = {}) => {
      requests.push({ url, body: init.body ? JSON.parse(String(init.body)) : undefined });
      const next = responses.shift();
      if (!next) throw new Error(`unexpected fetch ${url}`);
      return next();
    }),
  );
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function mount() {
  const location = memoryLocation({ path: `/o/${SLUG}`, record: true });
  render(
    <Router hook={location.hook}>
      <OpeningPage slug={SLUG} />
    </Router>,
  );
  return location;
}

describe('OpeningPage (/o/:slug)', () => {
  it('shows the opening, its persona and the focus notice, and starts a session bound to the link', async () => {
    responses.push(json(opening));
    const location = mount();
    await screen.findByRole('heading', { name: 'Payments backend' });
    expect(screen.getByTestId('persona').textContent).toContain('Warm');
    expect(screen.getByText(/12–15 questions/)).toBeTruthy();
    expect(screen.getByTestId('focus-notice').textContent).toContain('Focus changes and paste sizes are recorded, never the text.');

    fireEvent.click(screen.getByRole('button', { name: 'Start the interview' }));
    expect(screen.getByText('Enter your name (up to 120 characters).')).toBeTruthy();

    responses.push(json({ sessionId: '0123456789abcdef01234567', clientSessionId: '11111111-1111-4111-8111-111111111111', candidateToken: 'tok', status: 'created', created: true }, 201));
    fireEvent.change(screen.getByLabelText('Your name'), { target: { value: 'Ada' } });
    fireEvent.click(screen.getByLabelText('Speaking (voice — needs a microphone)'));
    fireEvent.click(screen.getByRole('button', { name: 'Start the interview' }));
    await waitFor(() => expect(location.history?.at(-1)).toBe('/interview/11111111-1111-4111-8111-111111111111'));
    const sent = requests[1]!;
    expect(sent.url).toBe('/api/sessions');
    expect(sent.body).toMatchObject({ mode: 'voice', openingSlug: SLUG, candidateName: 'Ada' });
    expect(sent.body).not.toHaveProperty('role');
    expect(sent.body).not.toHaveProperty('openingId');
    expect(JSON.parse(localStorage.getItem('candor:session:11111111-1111-4111-8111-111111111111') ?? '{}')).toMatchObject({ mode: 'voice', role: 'backend-engineer' });
  });

  it('offers only the modes the opening allows', async () => {
    responses.push(json({ ...opening, allowedModes: ['voice'] }));
    mount();
    await screen.findByRole('heading', { name: 'Payments backend' });
    expect(screen.queryByRole('radio')).toBeNull();
    expect(screen.getByText(/You answer by/).textContent).toContain('speaking');
  });

  it('an unknown or rotated link gets its own page', async () => {
    responses.push(json({ error: { code: 'NOT_FOUND', message: 'no' } }, 404));
    mount();
    await screen.findByRole('heading', { name: 'This link does not work' });
    expect(screen.getByText(/Ask your recruiter for a new one/)).toBeTruthy();
  });

  it('an archived opening says the interview is closed, also when it closes between loading and starting', async () => {
    responses.push(json({ error: { code: 'GONE', message: 'closed' } }, 410));
    mount();
    await screen.findByRole('heading', { name: 'This interview is closed' });
    cleanup();

    responses.push(json(opening), json({ error: { code: 'GONE', message: 'closed' } }, 410));
    mount();
    await screen.findByRole('heading', { name: 'Payments backend' });
    fireEvent.change(screen.getByLabelText('Your name'), { target: { value: 'Ada' } });
    fireEvent.click(screen.getByRole('button', { name: 'Start the interview' }));
    await screen.findByRole('heading', { name: 'This interview is closed' });
  });

  it('any other failure offers a retry, never a blank page', async () => {
    responses.push(json({ error: { code: 'INTERNAL', message: 'Database down' } }, 500), json(opening));
    mount();
    expect((await screen.findByRole('alert')).textContent).toBe('Database down');
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await screen.findByRole('heading', { name: 'Payments backend' });
  });
});
