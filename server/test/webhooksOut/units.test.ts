import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { judge, retryDelayMs } from '../../src/webhooksOut/backoff.js';
import { newSigningSecret, signedHeaders, signingSecrets } from '../../src/webhooksOut/signing.js';

describe('retries', () => {
  it('back off exponentially with full jitter, capped, honouring Retry-After as a floor', () => {
    const o = { baseMs: 1_000, maxMs: 60_000 };
    expect([1, 2, 3, 4, 10].map((n) => retryDelayMs(n, o, 0, () => 0.999999))).toEqual([999, 1_999, 3_999, 7_999, 59_999]);
    expect(retryDelayMs(5, o, 0, () => 0)).toBe(0);
    expect(retryDelayMs(1, o, 30_000, () => 0.5)).toBe(30_000);
    expect(retryDelayMs(1, o, 10 * 60_000, () => 0.5)).toBe(60_000);
    // Uniform: the mean of many draws is about half the ceiling.
    const draws = Array.from({ length: 2_000 }, () => retryDelayMs(3, o));
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    expect(mean).toBeGreaterThan(1_700);
    expect(mean).toBeLessThan(2_300);
    expect(Math.max(...draws)).toBeLessThan(4_000);
  });

  it('2xx delivers, 410 disables, 3xx and everything else is retried', () => {
    expect(judge({ statusCode: 204, latencyMs: 1 })).toEqual({ kind: 'delivered' });
    expect(judge({ statusCode: 410, latencyMs: 1 })).toEqual({ kind: 'gone' });
    expect(judge({ statusCode: 301, latencyMs: 1 })).toEqual({ kind: 'retry', error: 'redirect' });
    expect(judge({ statusCode: 429, latencyMs: 1, retryAfterMs: 5_000 })).toEqual({ kind: 'retry', error: 'http_status', retryAfterMs: 5_000 });
    expect(judge({ statusCode: 400, latencyMs: 1 })).toEqual({ kind: 'retry', error: 'http_status' });
    expect(judge({ latencyMs: 1, error: 'timeout' })).toEqual({ kind: 'retry', error: 'timeout' });
  });
});

describe('signing', () => {
  it('signs with the current secret, and with the previous one too while its grace period runs', () => {
    const old = newSigningSecret();
    const current = newSigningSecret();
    const at = new Date();
    const endpoint = { secrets: [{ value: old, createdAt: at }, { value: current, createdAt: at, previousValidUntil: new Date(at.getTime() + 1_000) }] };
    expect(signingSecrets(endpoint, at)).toEqual([current, old]);
    expect(signingSecrets(endpoint, new Date(at.getTime() + 1_000))).toEqual([current]);
    const body = '{"a":1}';
    const headers = signedHeaders([current, old], 'evt-1', at, body);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(new Webhook(old).verify(body, headers)).toEqual({ a: 1 });
    expect(new Webhook(current).verify(body, headers)).toEqual({ a: 1 });
    expect(() => new Webhook(newSigningSecret()).verify(body, headers)).toThrow(/signature/i);
  });
});

describe('configuration', () => {
  it('refuses a delivery lease that would not outlive an attempt', () => {
    expect(() => loadConfig({ WEBHOOK_TIMEOUT_MS: '10000', WEBHOOK_LEASE_MS: '5000' })).toThrow(/WEBHOOK_LEASE_MS must be at least WEBHOOK_TIMEOUT_MS \+ 1000/);
    expect(loadConfig({}).webhooksOut).toEqual({
      allowPrivateTargets: false,
      retryHorizonMs: 86_400_000,
      backoffBaseMs: 5_000,
      backoffMaxMs: 3_600_000,
      timeoutMs: 10_000,
      leaseMs: 30_000,
      pollMs: 1_000,
      secretGraceMs: 86_400_000,
    });
    expect(loadConfig({ PUBLIC_URL: 'https://candor.example.com/' }).publicUrl).toBe('https://candor.example.com');
    expect(() => loadConfig({ PUBLIC_URL: 'ftp://x' })).toThrow(/PUBLIC_URL/);
  });
});
