import { z } from 'zod';
import { openingListResponseSchema } from '../../../shared/opening.js';
import {
  webhookDeliveryListResponseSchema,
  webhookDeliveryViewSchema,
  webhookEndpointListResponseSchema,
  webhookEndpointViewSchema,
  webhookEndpointWithSecretSchema,
  type CreateWebhookEndpointRequest,
  type UpdateWebhookEndpointRequest,
  type WebhookDeliveryView,
  type WebhookEndpointView,
  type WebhookEndpointWithSecret,
} from '../../../shared/webhooksOut.js';
import { recruiterFetch } from './api.js';

/** REST calls of the dashboard's webhook view (docs/webhooks-out.md), parsed with the shared schemas. */

const json = (method: string, body?: unknown): RequestInit => ({
  method,
  ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
});

const path = (id: string) => `/api/webhook-endpoints/${encodeURIComponent(id)}`;

export async function listEndpoints(token: string): Promise<WebhookEndpointView[]> {
  return (await recruiterFetch(webhookEndpointListResponseSchema, '/api/webhook-endpoints?limit=100', token, { cache: 'no-store' })).items;
}

export function createEndpoint(token: string, body: CreateWebhookEndpointRequest): Promise<WebhookEndpointWithSecret> {
  return recruiterFetch(webhookEndpointWithSecretSchema, '/api/webhook-endpoints', token, json('POST', body));
}

export function updateEndpoint(token: string, id: string, patch: UpdateWebhookEndpointRequest): Promise<WebhookEndpointView> {
  return recruiterFetch(webhookEndpointViewSchema, path(id), token, json('PATCH', patch));
}

export function rotateSecret(token: string, id: string, graceMs: number): Promise<WebhookEndpointWithSecret> {
  return recruiterFetch(webhookEndpointWithSecretSchema, `${path(id)}/rotate-secret`, token, json('POST', { graceMs }));
}

export async function deleteEndpoint(token: string, id: string): Promise<void> {
  await recruiterFetch(z.null(), path(id), token, json('DELETE'));
}

export async function listDeliveries(token: string, id: string): Promise<WebhookDeliveryView[]> {
  return (await recruiterFetch(webhookDeliveryListResponseSchema, `${path(id)}/deliveries?limit=50`, token, { cache: 'no-store' })).items;
}

export function replayDelivery(token: string, id: string, deliveryId: string): Promise<WebhookDeliveryView> {
  return recruiterFetch(webhookDeliveryViewSchema, `${path(id)}/deliveries/${encodeURIComponent(deliveryId)}/replay`, token, json('POST'));
}

export async function listOpeningTitles(token: string): Promise<Array<{ id: string; title: string }>> {
  const page = await recruiterFetch(openingListResponseSchema, '/api/openings?limit=100', token, { cache: 'no-store' });
  return page.items.map(({ id, title }) => ({ id, title }));
}

/** The rotation grace periods the dashboard offers (the API takes any up to 7 days). */
export const GRACE_CHOICES = [
  { label: 'at once', ms: 0 },
  { label: 'after 1 hour', ms: 3_600_000 },
  { label: 'after 24 hours', ms: 86_400_000 },
  { label: 'after 7 days', ms: 7 * 86_400_000 },
] as const;

/** One line about a delivery's last attempt, for the log table. */
export function lastAttemptText(d: WebhookDeliveryView): string {
  const last = d.attempts[d.attempts.length - 1];
  if (!last) return d.inFlight ? 'sending…' : 'not attempted yet';
  const what = last.statusCode !== null ? `HTTP ${last.statusCode}` : (last.error ?? 'no answer').replace('_', ' ');
  return `${what}${last.latencyMs !== null ? ` in ${last.latencyMs} ms` : ''}`;
}
