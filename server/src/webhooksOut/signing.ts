import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { WebhookEndpoint } from '../../../shared/webhooksOut.js';

/** A Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * The secrets that sign at `now`: the current one, and the previous one while
 * the rotation's grace period runs. Current first.
 */
export function signingSecrets(endpoint: Pick<WebhookEndpoint, 'secrets'>, now: Date): string[] {
  const current = endpoint.secrets[endpoint.secrets.length - 1]!;
  const previous = endpoint.secrets.length > 1 ? endpoint.secrets[endpoint.secrets.length - 2] : undefined;
  const previousValid = previous && current.previousValidUntil !== undefined && current.previousValidUntil.getTime() > now.getTime();
  return previousValid ? [current.value, previous.value] : [current.value];
}

/**
 * The three Standard Webhooks headers of one attempt: the id is the event's
 * (stable across retries and replays), the timestamp the attempt's, and one
 * `v1,<sig>` per valid secret, space separated, as the spec allows.
 */
export function signedHeaders(secrets: readonly string[], webhookId: string, at: Date, body: string): Record<string, string> {
  const signature = secrets.map((s) => new Webhook(s).sign(webhookId, at, body)).join(' ');
  return {
    'webhook-id': webhookId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signature,
  };
}
