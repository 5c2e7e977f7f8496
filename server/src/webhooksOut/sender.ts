import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { AttemptError } from '../../../shared/webhooksOut.js';
import type { SendResult } from './backoff.js';
import type { CheckedTarget } from './ssrf.js';

/** How much of a response is read (and thrown away) before the socket is closed: bodies are never stored or logged. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export interface SendRequest {
  target: CheckedTarget;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

/**
 * One POST of a webhook. Connects to `target.address` (the address the SSRF
 * guard checked) whatever DNS says now, keeps Host and TLS server name of the
 * URL, follows no redirect, and gives up after `timeoutMs` in total.
 */
export function sendWebhook(req: SendRequest): Promise<SendResult> {
  const { target } = req;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  // The pinned answer for the URL's host name; autoSelectFamily asks for `all`.
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const transport = target.url.protocol === 'https:' ? https : http;
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (r: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const request = transport.request(
      target.url,
      {
        method: 'POST',
        lookup,
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(req.body)),
          'user-agent': 'Candor-Webhooks/1',
          ...req.headers,
        },
      },
      (res) => {
        const statusCode = res.statusCode ?? 0;
        const latencyMs = elapsed();
        const retryAfterMs = retryAfter(res.headers['retry-after']);
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_RESPONSE_BYTES) res.destroy();
        });
        const done = () => finish({ statusCode, latencyMs, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
      },
    );
    const timer = setTimeout(() => {
      finish({ latencyMs: elapsed(), error: 'timeout' });
      request.destroy();
    }, req.timeoutMs);
    request.on('error', (err) => finish({ latencyMs: elapsed(), error: classify(err) }));
    request.end(req.body);
  });
}

function retryAfter(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds, 86_400) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.min(at - Date.now(), 86_400_000));
}

/** A network error -> the attempt's error class (its message may name hosts; it is not kept). */
export function classify(err: unknown): AttemptError {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (/^ERR_TLS|^ERR_SSL|CERT|^DEPTH_ZERO|^UNABLE_TO|SELF_SIGNED|^ERR_OSSL/.test(code)) return 'tls';
  return 'connection';
}
