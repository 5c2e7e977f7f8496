// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WebhookDeliveryView, WebhookEndpointView } from '../../../shared/webhooksOut.js';
import { WebhooksSection } from './WebhooksSection.js';

const SECRET = `whsec_${'A'.repeat(43)}=`;
const NEW_SECRET = `whsec_${'B'.repeat(43)}=`;
const endpoint = (over: Partial<WebhookEndpointView> = {}): WebhookEndpointView => ({
  id: 'aaaaaaaaaaaaaaaaaaaaaaaa',
  url: 'https://ats.example.com/hooks/candor',
  events: ['interview.completed', 'evaluation.ready'],
  openingId: null,
  enabled: true,
  disabledReason: null,
  disabledAt: null,
  secretCreatedAt: '2026-01-01T00:00:00.000Z',
  previousSecretValidUntil: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...over,
});
const delivery = (over: Partial<WebhookDeliveryView> = {}): WebhookDeliveryView => ({
  id: 'dddddddddddddddddddddddd',
  eventId: '0b7f6a3e-8f8c-4c77-9f55-3c2f3d1b6e10',
  endpointId: 'aaaaaaaaaaaaaaaaaaaaaaaa',
  type: 'interview.completed',
  sessionId: 'ffffffffffffffffffffffff',
  clientSessionId: '6b1c0f5e-5a0a-4f2b-9a51-2f0e8f0e9a11',
  state: 'delivered',
  attemptCount: 2,
  attempts: [
    { n: 1, at: '2026-01-01T00:00:01.000Z', node: 'a:3000#1', trigger: 'initial', statusCode: 500, latencyMs: 12, error: 'http_status' },
    { n: 2, at: '2026-01-01T00:00:03.000Z', node: 'b:3000#1', trigger: 'retry', statusCode: 200, latencyMs: 9, error: null },
  ],
  nextAttemptAt: null,
  retryUntil: '2026-01-02T00:00:00.000Z',
  inFlight: false,
  replays: 0,
  deliveredAt: '2026-01-01T00:00:03.000Z',
  failure: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  ...over,
});

type Call = { method: string; url: string; body: unknown; auth: string | null };
let calls: Call[];
let endpoints: WebhookEndpointView[];
let route: (c: Call) => Response | undefined;
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

beforeEach(() => {
  calls = [];
  endpoints = [];
  route = () => undefined;
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      const call = { method: init.method ?? 'GET', url, body: init.body ? JSON.parse(String(init.body)) : undefined, auth: headers.get('authorization') };
      calls.push(call);
      const res = route(call);
      if (res) return res;
      if (url.startsWith('/api/webhook-endpoints?')) return json({ items: endpoints, nextCursor: null });
      if (url.startsWith('/api/openings?')) return json({ items: [], nextCursor: null });
      return json({ error: { code: 'NOT_FOUND', message: `no route ${url}` } }, 404);
    }),
  );
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('WebhooksSection', () => {
  it('adding an endpoint shows its signing secret once; the list never shows it again', async () => {
    route = (c) => {
      if (c.method === 'POST' && c.url === '/api/webhook-endpoints') {
        endpoints = [endpoint()];
        return json({ ...endpoint(), secret: SECRET }, 201);
      }
      return undefined;
    };
    render(<WebhooksSection token="tok" />);
    await screen.findByText('No endpoints yet.');
    fireEvent.change(screen.getByLabelText('URL that receives the webhooks'), { target: { value: ' https://ats.example.com/hooks/candor ' } });
    fireEvent.click(screen.getByRole('checkbox', { name: /voice\.orphaned/ }));
    fireEvent.click(screen.getByRole('button', { name: 'Add endpoint' }));
    expect(((await screen.findByTestId('secret-value')) as HTMLInputElement).value).toBe(SECRET);
    const post = calls.find((c) => c.method === 'POST')!;
    expect(post.auth).toBe('Bearer tok');
    expect(post.body).toEqual({ url: 'https://ats.example.com/hooks/candor', events: ['interview.completed', 'evaluation.ready', 'voice.linked', 'interview.abandoned'], enabled: true });
    await screen.findByTestId('endpoint');
    fireEvent.click(screen.getByRole('button', { name: 'I have stored it' }));
    expect(screen.queryByTestId('secret-once')).toBeNull();
    expect(document.body.textContent).not.toContain(SECRET);
  });

  it('a refused URL shows the server’s reason next to the field', async () => {
    route = (c) =>
      c.method === 'POST'
        ? json({ error: { code: 'VALIDATION', message: 'Invalid url', details: [{ path: 'url', message: '127.0.0.1 resolves to 127.0.0.1 (loopback), which may not receive webhooks' }] } }, 400)
        : undefined;
    render(<WebhooksSection token="tok" />);
    fireEvent.change(await screen.findByLabelText('URL that receives the webhooks'), { target: { value: 'http://127.0.0.1/' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add endpoint' }));
    expect((await screen.findByText(/loopback/)).id).toBe(screen.getByLabelText('URL that receives the webhooks').getAttribute('aria-describedby'));
    expect(screen.queryByTestId('secret-once')).toBeNull();
  });

  it('disables an endpoint, rotates its secret (shown once), and replays a delivery from its log', async () => {
    endpoints = [endpoint()];
    route = (c) => {
      if (c.method === 'PATCH') return json(endpoint({ enabled: false, disabledReason: 'manual' }));
      if (c.url.endsWith('/rotate-secret')) return json({ ...endpoint({ previousSecretValidUntil: '2099-01-01T00:00:00.000Z' }), secret: NEW_SECRET });
      if (c.url.includes('/deliveries?')) return json({ items: [delivery()], nextCursor: null });
      if (c.url.endsWith('/replay')) return json(delivery({ state: 'pending', inFlight: false, replays: 1, nextAttemptAt: '2026-01-01T00:00:05.000Z' }), 202);
      return undefined;
    };
    render(<WebhooksSection token="tok" />);
    const card = await screen.findByTestId('endpoint');

    fireEvent.click(within(card).getByRole('button', { name: 'Delivery log' }));
    const row = await screen.findByTestId('delivery-row');
    expect(row.textContent).toContain('HTTP 200 in 9 ms');
    fireEvent.click(within(row).getByRole('button', { name: '2 attempts' }));
    expect(within(row).getByTestId('attempts').textContent).toMatch(/#1 .*initial · HTTP 500 · 12 ms · http status/);
    fireEvent.click(within(row).getByRole('button', { name: 'Replay' }));
    await screen.findByText(/Replay queued: interview.completed with the same webhook-id 0b7f6a3e/);
    expect(calls.some((c) => c.method === 'POST' && c.url === '/api/webhook-endpoints/aaaaaaaaaaaaaaaaaaaaaaaa/deliveries/dddddddddddddddddddddddd/replay')).toBe(true);
    expect(within(await screen.findByTestId('delivery-row')).getByText('Retrying')).toBeTruthy();

    fireEvent.change(within(card).getByLabelText('Old secret stops'), { target: { value: '3600000' } });
    fireEvent.click(within(card).getByRole('button', { name: 'Rotate secret' }));
    expect(((await screen.findByTestId('secret-value')) as HTMLInputElement).value).toBe(NEW_SECRET);
    expect(calls.find((c) => c.url.endsWith('/rotate-secret'))?.body).toEqual({ graceMs: 3_600_000 });
    expect(card.textContent).toContain('the previous secret still signs until');

    fireEvent.click(within(card).getByRole('button', { name: 'Disable' }));
    await waitFor(() => expect(within(card).getByTestId('endpoint-status').textContent).toBe('Disabled'));
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ enabled: false });
    expect((within(card).getByRole('button', { name: 'Replay' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('says when the receiver disabled the endpoint with 410 Gone, and deletes only after a second click', async () => {
    endpoints = [endpoint({ enabled: false, disabledReason: 'gone', disabledAt: '2026-01-01T00:00:00.000Z' })];
    route = (c) => (c.method === 'DELETE' ? new Response(null, { status: 204 }) : undefined);
    render(<WebhooksSection token="tok" />);
    const card = await screen.findByTestId('endpoint');
    expect(within(card).getByTestId('endpoint-status').textContent).toContain('410 Gone');
    fireEvent.click(within(card).getByRole('button', { name: 'Delete' }));
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
    fireEvent.click(within(card).getByRole('button', { name: 'Delete for good' }));
    await waitFor(() => expect(screen.queryByTestId('endpoint')).toBeNull());
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.url)).toEqual(['/api/webhook-endpoints/aaaaaaaaaaaaaaaaaaaaaaaa']);
  });
});
