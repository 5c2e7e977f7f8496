import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { AppError } from '../../../../shared/errors.js';

/**
 * The origin allowlist (CORS_ORIGINS) for /api and socket.io. A request without
 * an `Origin` header (curl, server-to-server, same-origin GETs of some browsers)
 * is not a cross-origin browser request and passes. A request whose Origin names
 * this server (its Host, or X-Forwarded-Host behind a trusted proxy) is same-origin
 * and passes. Any other origin must be listed; otherwise REST answers 403 FORBIDDEN
 * and the socket.io handshake is refused with 403 — refused, not merely left without
 * CORS headers, so a foreign page cannot even fire simple (no-preflight) requests.
 */
export class OriginPolicy {
  private readonly allowed: Set<string>;

  constructor(
    allowed: readonly string[],
    private readonly trustProxy: boolean,
  ) {
    this.allowed = new Set(allowed.map((o) => o.toLowerCase()));
  }

  /** The allowlist, for socket.io's `cors` option (CORS headers on polling responses). */
  get list(): string[] {
    return [...this.allowed];
  }

  /** True when a request with these headers may proceed. */
  permits(headers: IncomingMessage['headers']): boolean {
    const origin = headers.origin;
    if (origin === undefined) return true;
    const normalized = origin.toLowerCase();
    if (this.allowed.has(normalized)) return true;
    let host: string;
    try {
      const url = new URL(normalized);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
      host = url.host;
    } catch {
      return false; // 'null' (sandboxed frames, file://) and garbage
    }
    const forwarded = this.trustProxy ? firstValue(headers['x-forwarded-host']) : undefined;
    const ownHost = (forwarded ?? headers.host)?.toLowerCase();
    return ownHost !== undefined && sameHost(host, ownHost);
  }

  /** Express middleware: refuses foreign origins, answers preflights of allowed ones. */
  middleware(): RequestHandler {
    return (req, res, next) => {
      if (!this.permits(req.headers)) {
        next(new AppError('FORBIDDEN', 'This origin may not call the API (CORS_ORIGINS)'));
        return;
      }
      const origin = req.get('origin');
      if (origin !== undefined && this.allowed.has(origin.toLowerCase())) {
        res.setHeader('Access-Control-Allow-Origin', origin);
        res.setHeader('Access-Control-Expose-Headers', 'Retry-After, X-Request-Id');
      }
      res.vary('Origin');
      if (req.method === 'OPTIONS') {
        // PATCH (openings, notes) and DELETE (recruiters) from the Vite dev server need their preflight too.
        res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PATCH, DELETE');
        res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Request-Id');
        res.setHeader('Access-Control-Max-Age', '600');
        res.status(204).end();
        return;
      }
      next();
    };
  }
}

function firstValue(value: string | string[] | undefined): string | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  return raw?.split(',')[0]?.trim() || undefined;
}

/** `localhost:3000` vs `localhost:3000`; a default port may be spelled or not. */
function sameHost(originHost: string, requestHost: string): boolean {
  const strip = (h: string) => h.replace(/:(80|443)$/, '');
  return strip(originHost) === strip(requestHost);
}
