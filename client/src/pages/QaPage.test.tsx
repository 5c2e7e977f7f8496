// @vitest-environment happy-dom
import { cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { QaPage } from './QaPage.js';

function serve(routes: Record<string, () => Response>) {
  const fetchMock = vi.fn(async (input: RequestInfo | URL) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.pathname : input.url;
    const handler = routes[url];
    return handler ? handler() : new Response(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'nope' } }), { status: 404 });
  });
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}
const json = (body: unknown, status = 200) => () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('QaPage', () => {
  it('shows the console, with the duplicate and stale scenarios runnable, when the server runs the simulator', async () => {
    serve({ '/api/qa/status': json({ simulator: true }), '/api/roles': json([{ id: 'backend-engineer', title: 'Backend engineer', description: '', skills: [] }]) });
    render(<QaPage />);
    await screen.findByRole('button', { name: 'Run: Webhook delivered 3 times' });
    expect(screen.getByRole('button', { name: 'Run: Stale signature first' })).toBeTruthy();
    expect(screen.getByTestId('qa-duplicate').textContent).toContain('3 deliveries, all 200');
    expect(screen.queryByText(/npm run qa:webhook/)).toBeNull();
    await waitFor(() => expect((screen.getByRole('button', { name: 'Run all' }) as HTMLButtonElement).disabled).toBe(false));
  });

  it('shows only a clear message when the server talks to ElevenLabs', async () => {
    const fetchMock = serve({ '/api/qa/status': json({ simulator: false }) });
    render(<QaPage />);
    expect((await screen.findByTestId('qa-unavailable')).textContent).toBe('QA console needs the voice simulator (no ELEVENLABS_API_KEY).');
    expect(screen.queryByRole('button', { name: 'Run all' })).toBeNull();
    expect(screen.queryByRole('table')).toBeNull();
    expect(fetchMock.mock.calls.map((c) => c[0])).toEqual(['/api/qa/status']);
  });

  it('says so when the status cannot be read, and shows no console', async () => {
    serve({ '/api/qa/status': json({ error: { code: 'INTERNAL', message: 'Database down' } }, 500) });
    render(<QaPage />);
    expect((await screen.findByRole('alert')).textContent).toBe('The QA status could not be loaded: Database down');
    expect(screen.queryByRole('button', { name: 'Run all' })).toBeNull();
  });
});
