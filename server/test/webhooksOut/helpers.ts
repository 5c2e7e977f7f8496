import type { WebhookDeliveryView, WebhookEndpointWithSecret, WebhookEventType } from '../../../shared/webhooksOut.js';
import { TestCandidate } from '../support/candidate.js';
import { jsonCall, type Reply } from '../support/jsonCall.js';

export const ADMIN = 'recruiter-token-webhooks-out-0001';

/** Fast retries, short leases and polls, deliveries to 127.0.0.1 allowed: what the webhook tests run with. */
export const FAST_WEBHOOKS: Record<string, string> = {
  RECRUITER_TOKEN: ADMIN,
  HTTP_RATE_LIMIT: '0',
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  WEBHOOK_BACKOFF_BASE_MS: '40',
  WEBHOOK_BACKOFF_MAX_MS: '150',
  WEBHOOK_POLL_MS: '40',
  // Short enough for the timeout test, long enough for a loaded machine not to time out a local 200.
  WEBHOOK_TIMEOUT_MS: '2500',
  WEBHOOK_LEASE_MS: '3500',
};

export type { Reply };

/** One JSON request; `token: null` sends no Authorization header. */
export function call<T = unknown>(base: string, method: string, path: string, body?: unknown, token: string | null = ADMIN): Promise<Reply<T>> {
  return jsonCall<T>(base, method, path, body, token);
}

export async function registerEndpoint(
  base: string,
  url: string,
  events: WebhookEventType[] = ['interview.completed', 'evaluation.ready'],
  extra: Record<string, unknown> = {},
): Promise<WebhookEndpointWithSecret> {
  const res = await call<WebhookEndpointWithSecret>(base, 'POST', '/api/webhook-endpoints', { url, events, ...extra });
  if (res.status !== 201) throw new Error(`register endpoint: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function deliveriesOf(base: string, endpointId: string): Promise<WebhookDeliveryView[]> {
  const res = await call<{ items: WebhookDeliveryView[] }>(base, 'GET', `/api/webhook-endpoints/${endpointId}/deliveries`);
  if (res.status !== 200) throw new Error(`deliveries: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.items;
}

/** A text interview the candidate ends at once (REST): interview.completed now, evaluation.ready once evaluated. */
export async function completedInterview(base: string, opts: { openingSlug?: string } = {}): Promise<TestCandidate> {
  const candidate = await TestCandidate.create(base, opts);
  const res = await candidate.rest('POST', `/api/sessions/${candidate.clientSessionId}/end`, { endedBy: 'user' });
  if (res.status !== 200) throw new Error(`end: ${res.status} ${JSON.stringify(res.body)}`);
  return candidate;
}

export async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
