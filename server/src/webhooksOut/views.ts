import type { WebhookDelivery, WebhookDeliveryView, WebhookEndpoint, WebhookEndpointView } from '../../../shared/webhooksOut.js';

/** Stored endpoint -> what the API shows: never a secret. */
export function toEndpointView(e: WebhookEndpoint, now: Date): WebhookEndpointView {
  const current = e.secrets[e.secrets.length - 1]!;
  const graceRuns = e.secrets.length > 1 && current.previousValidUntil !== undefined && current.previousValidUntil.getTime() > now.getTime();
  return {
    id: e.id,
    url: e.url,
    events: e.events,
    openingId: e.openingId ?? null,
    enabled: e.enabled,
    disabledReason: e.disabledReason ?? null,
    disabledAt: e.disabledAt?.toISOString() ?? null,
    secretCreatedAt: current.createdAt.toISOString(),
    previousSecretValidUntil: graceRuns ? current.previousValidUntil!.toISOString() : null,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}

/** Stored delivery -> a row of the delivery log (the payload stays out of it). */
export function toDeliveryView(d: WebhookDelivery, now: Date): WebhookDeliveryView {
  return {
    id: d.id,
    eventId: d.eventId,
    endpointId: d.endpointId,
    type: d.type,
    sessionId: d.sessionId,
    clientSessionId: d.clientSessionId,
    state: d.state,
    attemptCount: d.attemptCount,
    attempts: d.attempts.map((a) => ({
      n: a.n,
      at: a.at.toISOString(),
      node: a.node,
      trigger: a.trigger,
      statusCode: a.statusCode ?? null,
      latencyMs: a.latencyMs ?? null,
      error: a.error ?? null,
    })),
    nextAttemptAt: d.state === 'pending' ? d.nextAttemptAt.toISOString() : null,
    retryUntil: d.retryUntil.toISOString(),
    inFlight: d.leaseUntil !== undefined && d.leaseUntil.getTime() > now.getTime(),
    replays: d.replays,
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    failure: d.failure ?? null,
    createdAt: d.createdAt.toISOString(),
  };
}
