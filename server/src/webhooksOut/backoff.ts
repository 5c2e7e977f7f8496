import type { AttemptError } from '../../../shared/webhooksOut.js';

/** What one HTTP attempt came to (never the response body). */
export interface SendResult {
  statusCode?: number;
  latencyMs: number;
  error?: AttemptError;
  /** A 429/503's Retry-After, in ms. */
  retryAfterMs?: number;
}

export type Verdict = { kind: 'delivered' } | { kind: 'gone' } | { kind: 'retry'; error: AttemptError; retryAfterMs?: number };

/** 2xx delivered; 410 disables the endpoint; 3xx is a failure (redirects are not followed); anything else retries. */
export function judge(r: SendResult): Verdict {
  if (r.error) return { kind: 'retry', error: r.error };
  const code = r.statusCode ?? 0;
  if (code >= 200 && code < 300) return { kind: 'delivered' };
  if (code === 410) return { kind: 'gone' };
  if (code >= 300 && code < 400) return { kind: 'retry', error: 'redirect' };
  return { kind: 'retry', error: 'http_status', ...(r.retryAfterMs !== undefined ? { retryAfterMs: r.retryAfterMs } : {}) };
}

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/**
 * Exponential backoff with full jitter: a uniform delay in [0, min(max, base * 2^(n-1)))
 * after the n-th attempt, so receivers recovering from an outage are not hit in waves.
 * A receiver's Retry-After is honoured as a lower bound (still capped at max).
 */
export function retryDelayMs(attemptsMade: number, o: BackoffOptions, retryAfterMs = 0, random: () => number = Math.random): number {
  const ceiling = Math.min(o.maxMs, o.baseMs * 2 ** Math.min(Math.max(attemptsMade - 1, 0), 40));
  return Math.min(o.maxMs, Math.max(Math.floor(random() * ceiling), retryAfterMs));
}
