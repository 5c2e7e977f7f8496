import type { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import { AppError } from '../../../shared/errors.js';
import { elevenLabsSdk } from './elevenLabsSdk.js';

/** The SDK bounds the past (30 min); we also bound the future, which it does not (ELEVENLABS.md). */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;

/**
 * Verifies `ElevenLabs-Signature` over the raw body with the SDK's
 * `webhooks.constructEvent` and returns the parsed JSON. Any signature problem
 * (missing header, bad scheme, stale or future timestamp, wrong digest) is a
 * 401 UNAUTHORIZED; a body that is not JSON after a valid signature is a 400.
 */
export class WebhookVerifier {
  // constructEvent needs no API key and makes no request; the SDK loads with the first webhook.
  private client: ElevenLabsClient | undefined;

  constructor(
    private readonly secret: string,
    private readonly now: () => number = Date.now,
  ) {}

  async verify(rawBody: string, header: string | undefined): Promise<unknown> {
    if (!header) throw new AppError('UNAUTHORIZED', 'Missing ElevenLabs-Signature header');
    const t = /(?:^|,)\s*t=(\d{1,12})(?:,|$)/.exec(header)?.[1];
    if (t !== undefined && Number(t) * 1000 > this.now() + MAX_FUTURE_SKEW_MS) {
      throw new AppError('UNAUTHORIZED', 'Webhook timestamp is in the future');
    }
    const sdk = await elevenLabsSdk();
    this.client ??= new sdk.ElevenLabsClient({ apiKey: 'webhook-verification-only' });
    try {
      return (await this.client.webhooks.constructEvent(rawBody, header, this.secret)) as unknown;
    } catch (err) {
      if (err instanceof sdk.ElevenLabsError) throw new AppError('UNAUTHORIZED', 'Invalid webhook signature');
      if (err instanceof SyntaxError) throw new AppError('VALIDATION', 'Webhook body is not valid JSON');
      throw err;
    }
  }
}
